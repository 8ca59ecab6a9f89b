package indicators

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Scans kept between evaluations. A city's evaluation reads every record
// of the city, and one township's sync changes a few records of one
// county. Every rule that reaches across townships (a move, a merged
// duplicate's visits, coverage) is resolved inside a county scan, and a
// county scan reads nothing outside its county but the old units of the
// persons moved into it (moved.go). So a county scan is redone only when
// the log since it was made names a unit in the county or in one of
// those old units; the scans of the units above counties (a few own
// records each) and the sync columns are read on every evaluation.
//
// The county, not the township, is the unit kept: a merged duplicate's
// visits count at its survivor in another township of the county, so a
// township's figures depend on its neighbours' records.

// maxLogGap is how many log entries an evaluation reads to find what
// changed; a longer gap (a bulk import) is evaluated in full, which costs
// about what reading that much log would.
const maxLogGap = 200_000

// ScanCache keeps the county scans of recent evaluations, each with the
// log head it was made at, so an evaluation after a sync rescans only the
// counties the sync touched. It is safe for concurrent use. The zero
// value is not usable: use NewScanCache.
//
// Trap: the cache trusts the store's log to name every record write; a
// store written around the log (a restore changes the incarnation and is
// detected) would leave kept scans stale.
type ScanCache struct {
	mu      sync.Mutex
	size    int
	tick    uint64
	entries map[scanKey]*scanEntry
	redone  atomic.Int64 // scans made, for the tests
}

// NewScanCache returns a cache of the scans of at most size (scope,
// period) pairs; the least recently used is dropped beyond it.
func NewScanCache(size int) *ScanCache {
	return &ScanCache{size: max(size, 1), entries: map[scanKey]*scanEntry{}}
}

type scanKey struct {
	scope  schema.Code
	period Period
}

// scanEntry is one (scope, period)'s kept county scans. Its mutex makes
// concurrent evaluations of the same table wait for one refresh rather
// than each rescan the same counties.
type scanEntry struct {
	mu          sync.Mutex
	used        uint64 // under ScanCache.mu
	head        uint64
	incarnation string
	divs        *schema.Divisions
	full        map[schema.Code]*scanState // finished, trimmed scans by prefix
}

// entry returns the entry of k, made if absent, dropping the least
// recently used beyond the size.
func (c *ScanCache) entry(k scanKey) *scanEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	e := c.entries[k]
	if e == nil {
		e = &scanEntry{}
		c.entries[k] = e
	}
	e.used = c.tick
	for len(c.entries) > c.size {
		var oldest scanKey
		var at uint64
		for key, x := range c.entries {
			if at == 0 || x.used < at {
				oldest, at = key, x.used
			}
		}
		delete(c.entries, oldest)
	}
	return e
}

// cachedScans returns the finished scans of full, redoing only those the
// log since the kept head touched (every one when nothing usable is
// kept).
func (e *Engine) cachedScans(ctx context.Context, ev *evaluation, full []schema.Code) (map[schema.Code]*scanState, error) {
	inc, err := e.Store.Incarnation(ctx)
	if err != nil {
		return nil, fmt.Errorf("read store incarnation: %w", err)
	}
	ent := e.Cache.entry(scanKey{scope: ev.scope, period: ev.period})
	ent.mu.Lock()
	defer ent.mu.Unlock()
	head, dirty, err := e.staleScans(ctx, ent, inc, ev.divs)
	if err != nil {
		return nil, err
	}
	scans := make(map[schema.Code]*scanState, len(full))
	var redo []schema.Code
	for _, p := range full {
		if st := ent.full[p]; st != nil && dirty != nil && !dirty[p] {
			scans[p] = st
		} else {
			redo = append(redo, p)
		}
	}
	e.Cache.redone.Add(int64(len(redo)))
	err = e.runJobs(ctx, ev, redo, false, func(p schema.Code, st *scanState) {
		st.trim()
		scans[p] = st
	})
	if err != nil {
		return nil, err
	}
	ent.full, ent.head, ent.incarnation, ent.divs = scans, head, inc, ev.divs
	return scans, nil
}

// staleScans returns the log head the refreshed scans will stand at and
// the kept scans to redo; nil dirty means every scan, when nothing usable
// is kept: another store incarnation (a restore), other units, or a log
// gap too long to read.
func (e *Engine) staleScans(ctx context.Context, ent *scanEntry, inc string, divs *schema.Divisions) (uint64, map[schema.Code]bool, error) {
	if ent.full != nil && ent.incarnation == inc && ent.divs == divs {
		head, changed, err := e.changedUnits(ctx, ent.head)
		if err != nil || changed != nil {
			return head, dirtyScans(ent.full, changed), err
		}
	}
	// The head is read before the scans, so a change accepted during
	// them is read again next time.
	head, err := e.Store.LogHead(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("read log head: %w", err)
	}
	return head, nil, nil
}

// changedUnits reads the log after head and returns the cursor it reached
// and the units of the changes in between; nil units when the gap is too
// long to be worth reading, or the log went back (a store replaced under
// the same incarnation).
func (e *Engine) changedUnits(ctx context.Context, after uint64) (uint64, map[schema.Code]bool, error) {
	units := map[schema.Code]bool{}
	n := 0
	visible := func(le *store.LogEntry) bool {
		units[le.Change.Unit] = true
		n++
		return true
	}
	var cursor uint64
	var err error
	if raw, ok := e.Store.(store.RawLogReader); ok {
		cursor, err = raw.LogAfterRaw(ctx, "", "", after, maxLogGap, visible, func(uint64, []byte) error { return nil })
	} else {
		cursor, err = e.Store.LogAfter(ctx, "", "", after, maxLogGap, visible, func(*store.LogEntry) error { return nil })
	}
	if err != nil {
		return after, nil, fmt.Errorf("read changes after %d: %w", after, err)
	}
	if cursor < after || n >= maxLogGap {
		return after, nil, nil
	}
	return cursor, units, nil
}

// dirtyScans returns the kept scans a change in one of units reaches:
// scans of a prefix the unit lies in, and scans that read the unit as
// the old unit of a person moved in. Units are compared as the scans read
// them, by prefix.
func dirtyScans(kept map[schema.Code]*scanState, units map[schema.Code]bool) map[schema.Code]bool {
	dirty := map[schema.Code]bool{}
	for p, st := range kept {
		for u := range units {
			if strings.HasPrefix(string(u), string(p)) || readsMovedIn(st, u) {
				dirty[p] = true
				break
			}
		}
	}
	return dirty
}

func readsMovedIn(st *scanState, u schema.Code) bool {
	for _, m := range st.movedIn {
		if strings.HasPrefix(string(u), string(m)) {
			return true
		}
	}
	return false
}

// trim drops what a finished scan needed only to resolve its records,
// keeping the township sums and the unit figures an evaluation merges.
func (s *scanState) trim() {
	s.lastTown, s.facilities, s.caps, s.persons, s.visits = nil, nil, nil, nil, nil
	s.merged, s.superseded, s.movedFrom = nil, nil, nil
}
