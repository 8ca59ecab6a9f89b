package desktop

import (
	"log/slog"
	"sync"
	"time"

	"laoxiao/agent"
	"laoxiao/desktop/procmem"
)

// The process's memory policy (the collector's settings, returning freed
// memory) is in procmem; this file holds the store's share of it and when
// the app returns memory.

const (
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
	procmem.Release()
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
