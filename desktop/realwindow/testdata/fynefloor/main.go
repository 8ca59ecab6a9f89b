// Command fynefloor is the least a window of the desktop app can hold: a
// Fyne window built as desktop.Run builds the app's (same size, the app's
// theme and memory policy), with two tabs of one label each and nothing
// else: no store, no data. BenchmarkDesktopProbe measures it beside the
// app under the same Xvfb; what the app holds above it is the app's own.
//
// It is built only by the probe, with -tags uimap plus the app's tags
// (cmd/desktop/buildtags), since the probe drives it through the same
// widget map as the app:
//
//	fynefloor --ui-map FILE
package main

import (
	"flag"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/procmem"
	laotheme "laoxiao/desktop/theme"
	"laoxiao/desktop/uimap"
)

// title is what the probe finds the window by.
const title = "老小 · Fyne floor"

func main() {
	mapPath := flag.String("ui-map", "", "write the window's widget map (JSON) here every 100 ms")
	flag.Parse()
	procmem.Tune()
	a := app.NewWithID("cn.laoxiao.fynefloor")
	a.Settings().SetTheme(laotheme.New())
	w := a.NewWindow(title)
	w.Resize(fyne.NewSize(1280, 800))
	w.SetContent(container.NewAppTabs(
		container.NewTabItem("第一页", widget.NewLabel("第一页的标签")),
		container.NewTabItem("第二页", widget.NewLabel("第二页的标签")),
	))
	if *mapPath != "" {
		uimap.Start(w, *mapPath, 100*time.Millisecond, make(chan struct{}))
	}
	// The app returns freed memory once its start-up work quiets down;
	// the floor does the same once its window is up.
	a.Lifecycle().SetOnStarted(func() { time.AfterFunc(500*time.Millisecond, procmem.Release) })
	w.SetMaster()
	w.ShowAndRun()
}
