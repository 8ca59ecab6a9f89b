// Package procmem holds the desktop process's memory policy: how hard the
// Go collector works, and giving freed memory, the Go heap's and the C
// heap's, back to the system. The app and the probe's bare Fyne window
// (desktop/realwindow/testdata/fynefloor) both use it, so the floor the
// probe measures runs under the same policy as the app.
//
// Memory on a township laptop: the app runs beside a browser and office
// software on 4 GB, and a tab of a large township decodes tens of
// thousands of records that are garbage a moment later. The collector
// runs at a quarter of the heap's growth instead of doubling it, the soft
// limit makes it work harder still before the heap passes it, and once
// background work quiets down the freed memory goes back to the system
// instead of staying in the process until the runtime's scavenger gets to
// it.
package procmem

import "runtime/debug"

const (
	gcPercent   = 25
	memoryLimit = 192 << 20
)

// Tune sets the collector for a laptop. Call it once, before the window
// exists; it changes process-wide settings.
func Tune() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(memoryLimit)
}

// Release runs a full collection and returns the free pages of the Go
// heap and of the C heap to the system. It stops the world for the
// collection: call it when work has quieted down, not per frame.
func Release() {
	debug.FreeOSMemory()
	mallocTrim()
}
