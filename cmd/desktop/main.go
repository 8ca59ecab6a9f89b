// Command desktop is the township staff's app (老小 · 一老一小数据采集):
// Fyne, offline first, syncing with the county server when online.
//
//	desktop [--data DIR] [--passphrase-env VAR] [--tab NAME]
//	desktop --make-demo DIR [--records N]
//
// Build it with the tags in buildtags beside this file, a comma-separated
// list that make build, the real-window tests and scripts/dist.sh read:
// no_emoji leaves out Fyne's colour emoji font, which Fyne parses once per text style (about
// 14 MiB of the app's memory) for characters the app never shows; an
// emoji a user types is drawn from the system's fonts, as any character
// the app's fonts lack.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"laoxiao/desktop"
)

func main() {
	var o desktop.Options
	flag.StringVar(&o.DataDir, "data", "", "data folder (the agent store); asked for on first run")
	passEnv := flag.String("passphrase-env", "", "environment variable holding the passphrase of an encrypted store")
	flag.StringVar(&o.Tab, "tab", "", "tab to open: facilities, capacity, persons, population, indicators, sync")
	testHooks(&o)
	width := flag.Int("width", 1280, "window width")
	height := flag.Int("height", 800, "window height")
	makeDemo := flag.String("make-demo", "", "create a demo data folder here and exit")
	records := flag.Int("records", 0, "with --make-demo: exactly this many records (0: one realistic township)")
	flag.Parse()
	// LAOXIAO_LOG=info (or debug) shows more than warnings, e.g. a line
	// per save, which the desktop bench reads.
	level := slog.LevelWarn
	if v := os.Getenv("LAOXIAO_LOG"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			fmt.Fprintln(os.Stderr, "desktop: LAOXIAO_LOG:", err)
			os.Exit(2)
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *makeDemo != "" {
		if err := desktop.MakeDemo(*makeDemo, *records, os.Stdout, log); err != nil {
			fmt.Fprintln(os.Stderr, "desktop:", err)
			os.Exit(1)
		}
		return
	}
	if *passEnv != "" {
		o.Passphrase = os.Getenv(*passEnv)
	}
	o.Width, o.Height = float32(*width), float32(*height)
	o.Logger = log
	if err := desktop.Run(o); err != nil {
		fmt.Fprintln(os.Stderr, "desktop:", err)
		os.Exit(1)
	}
}
