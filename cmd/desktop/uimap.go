//go:build uimap

package main

import (
	"flag"
	"time"

	"fyne.io/fyne/v2"

	"laoxiao/desktop"
	"laoxiao/desktop/uimap"
)

// testHooks adds --ui-map to test builds: the real-window tests read the
// widget map it writes to know where to click.
func testHooks(o *desktop.Options) {
	path := flag.String("ui-map", "", "test builds: write the window's widget map (JSON) here every 100 ms")
	o.OnWindow = func(w fyne.Window) {
		if *path != "" {
			uimap.Start(w, *path, 100*time.Millisecond, make(chan struct{}))
		}
	}
}
