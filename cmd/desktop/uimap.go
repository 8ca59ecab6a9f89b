//go:build uimap

package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"fyne.io/fyne/v2"

	"laoxiao/desktop"
	"laoxiao/desktop/uimap"
)

// testHooks adds flags to test builds: --ui-map, the widget map the
// real-window tests read to know where to click; --test-panic-on-signal,
// which makes the app die the way a bug would, to test what the next
// start says; --test-heap-profile, to see where memory goes.
func testHooks(o *desktop.Options) {
	path := flag.String("ui-map", "", "test builds: write the window's widget map (JSON) here every 100 ms")
	heapProfile := flag.String("test-heap-profile", "", "test builds: write a heap profile here on SIGUSR1")
	panicOnSignal := flag.Bool("test-panic-on-signal", false, "test builds: panic on a background goroutine when the process gets SIGUSR2")
	o.OnWindow = func(w fyne.Window) {
		if *path != "" {
			uimap.Start(w, *path, 100*time.Millisecond, make(chan struct{}))
		}
		if *heapProfile != "" {
			writeHeapProfileOnSignal(*heapProfile)
		}
		if *panicOnSignal {
			panicOnUSR2()
		}
	}
}

// panicOnUSR2 makes the app die the way a bug would when the test
// says so (SIGUSR2), from a goroutine of its own, as most bugs would.
func panicOnUSR2() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR2)
	go func() {
		<-sig
		panic("test-panic-on-signal: the app dies as a bug would make it")
	}()
}

// writeHeapProfileOnSignal writes a heap profile to path each time the
// process gets SIGUSR1, to see where the app's memory goes in a state a
// real-window test drove it to.
func writeHeapProfileOnSignal(path string) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for range sig {
			runtime.GC()
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "heap profile:", err)
				continue
			}
			// debug=1: the text form, which go tool pprof reads and
			// which ends with the runtime's MemStats (heap, stacks, GC
			// metadata: what RSS holds besides live objects).
			if err := pprof.Lookup("heap").WriteTo(f, 1); err != nil {
				fmt.Fprintln(os.Stderr, "heap profile:", err)
			}
			f.Close()
		}
	}()
}
