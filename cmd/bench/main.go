// Command bench prints Laoxiao's performance figures, one per line as
// `NAME VALUE UNIT`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"runtime/pprof"
	"strconv"

	"laoxiao/bench"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == bench.RSSProbeArg {
		n, _ := strconv.Atoi(os.Args[3])
		if err := bench.RSSProbe(os.Args[2], n); err != nil {
			fmt.Fprintln(os.Stderr, "rss probe:", err)
			os.Exit(1)
		}
		return
	}
	only := flag.String("only", "", "run only benchmarks whose name matches this regexp")
	quick := flag.Bool("quick", false, "small workloads (smoke test)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	phase := flag.String("phase", "", "profile only this phase of the benchmarks run (upload, download) into -phaseprofile.cpu and .mem")
	phaseProfile := flag.String("phaseprofile", "", "path prefix of the -phase profiles")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var re *regexp.Regexp
	if *only != "" {
		re = regexp.MustCompile(*only)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "laoxiao-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	self, _ := os.Executable()
	if err := bench.RunAll(bench.Env{Ctx: ctx, Dir: dir, Self: self, Quick: *quick, ProfilePhase: *phase, ProfilePath: *phaseProfile}, re, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
