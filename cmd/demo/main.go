// Command demo runs Laoxiao's main job on the embedded default: a server
// with embedded Badger, one agent per township of 雅安市 entering data
// offline and syncing, the city's targets imported and the task breakdown
// table written to --out.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"laoxiao/demo"
)

func main() {
	out := flag.String("out", "demo-out", "where the breakdown table files go")
	work := flag.String("work", "demo-data", "where the server's and agents' stores go (emptied first)")
	seed := flag.Uint64("seed", 2025, "seed of the generated data")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := demo.Run(ctx, demo.Options{Work: *work, Out: *out, Seed: *seed, Stdout: os.Stdout,
		KeyFile: filepath.Join(*out, "server.key")}); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}
