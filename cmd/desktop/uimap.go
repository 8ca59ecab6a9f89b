//go:build uimap

package main

import (
	"flag"
	"time"

	"fyne.io/fyne/v2"

	"laoxiao/desktop"
	"laoxiao/desktop/uimap"
)

// testHooks adds two flags to test builds: --ui-map, the widget map the
// real-window tests read to know where to click, and --test-panic-after,
// which makes the app die the way a bug would, to test what the next
// start says.
func testHooks(o *desktop.Options) {
	path := flag.String("ui-map", "", "test builds: write the window's widget map (JSON) here every 100 ms")
	panicAfter := flag.Duration("test-panic-after", 0, "test builds: panic on a background goroutine this long after the window opens")
	o.OnWindow = func(w fyne.Window) {
		if *path != "" {
			uimap.Start(w, *path, 100*time.Millisecond, make(chan struct{}))
		}
		if *panicAfter > 0 {
			go func() {
				time.Sleep(*panicAfter)
				panic("test-panic-after: the app dies as a bug would make it")
			}()
		}
	}
}
