package desktop

import (
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"laoxiao/agent"
)

// Memory on a township laptop: the app runs beside a browser and office
// software on 4 GB, and a tab of a large township decodes tens of
// thousands of records that are garbage a moment later. The collector
// runs at a quarter of the heap's growth instead of doubling it, the soft
// limit makes it work harder still before the heap passes it, and once
// background work quiets down the freed memory, the Go heap's and the C
// heap's, goes back to the system instead of staying in the process until
// the runtime's scavenger gets to it.

const (
	gcPercent   = 25
	memoryLimit = 192 << 20
	// trimDelay lets a burst of background reads (a tab and the status
	// bar) finish before the one full collection that returns the memory.
	trimDelay = 500 * time.Millisecond
	// storeMemTable is the store's memtable. Badger's limit on one
	// transaction is 15% of it, and the store keeps records and changes
	// inline (agent/store.go), so it decides what commits as one: a sheet
	// of 2,500 capacity rows, every one a new report, takes about 1.9 MB
	// (about 3,350 rows fit 16 MiB; 840 fit the 4 MiB it had, and 2,180
	// when records went to the value log), and a download's gathered page
	// of 4,000 records applies whole instead of in halves. The arena fills
	// only as writes do; desktop_rss_100k_mb stayed near 190 MiB in the
	// probe.
	storeMemTable = 16 << 20
	// storeBlockCache is the store's cache of decompressed table blocks:
	// the tabs scan the township, more than any cache holds, so the
	// agent's 8 MiB held about 6 MiB of blocks no read would ask for
	// again (desktop_rss_100k_mb 225 → 209 in the probe, start-up and
	// save times unchanged within the noise).
	storeBlockCache = 1 << 20
)

// storeOptions are what the app opens its store with.
func storeOptions(passphrase string, log *slog.Logger) agent.Options {
	return agent.Options{Passphrase: passphrase, Logger: log, MemTableSize: storeMemTable, BlockCacheSize: storeBlockCache}
}

// tuneMemory sets the collector for a laptop; Run calls it once.
func tuneMemory() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(memoryLimit)
}

// trimmer returns freed memory to the system after background work,
// at most once per quiet spell, and asks the store to give back the pages
// of its mapped files the reads touched.
type trimmer struct {
	mu      sync.Mutex
	timer   *time.Timer
	closed  bool
	release func() error // the store's ReleaseMapped, once a store is open
	log     func(msg string, args ...any)
}

// setRelease registers the store's release of mapped pages.
func (t *trimmer) setRelease(release func() error, log func(msg string, args ...any)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.release, t.log = release, log
}

func (t *trimmer) run() {
	debug.FreeOSMemory()
	mallocTrim()
	t.mu.Lock()
	defer t.mu.Unlock()
	// Under the lock, so stop (before the store closes) waits for it.
	if t.closed || t.release == nil {
		return
	}
	if err := t.release(); err != nil {
		t.log("release mapped store pages", "err", err)
	}
}

// soon schedules a trim trimDelay from now, replacing one pending.
func (t *trimmer) soon() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.timer == nil {
		t.timer = time.AfterFunc(trimDelay, t.run)
		return
	}
	t.timer.Reset(trimDelay)
}

// stop cancels a pending trim; the app is closing.
func (t *trimmer) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.timer != nil {
		t.timer.Stop()
	}
}
