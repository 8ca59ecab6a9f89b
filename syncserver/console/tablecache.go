package console

import (
	"context"
	"fmt"
	"sync"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/report"
)

// A city's 任务分解表 is built from every record of the city, and offices
// open it, print it, download it and drill into it many times between two
// syncs. The table is kept until the server accepts a change (its log
// head moves), the units change, or tableMaxAge passes: the sync columns
// (last sync, stale flags) move with the clock and with syncs that bring
// no change, so they are at most that old. Building it again after a
// township's sync rescans only that township's county: the server's
// engine keeps the other counties' scans (indicators.ScanCache).
const (
	tableMaxAge    = time.Minute
	tableCacheSize = 16
)

// tableKey names one table: the same options give the same table.
type tableKey struct {
	unit   schema.Code
	year   int
	period string
}

type tableEntry struct {
	head  uint64
	divs  *schema.Divisions
	built time.Time
	table *report.Table
}

// tableCache holds the tables built recently.
type tableCache struct {
	mu      sync.Mutex
	entries map[tableKey]tableEntry
}

// breakdownTable returns the table for o, built now or kept from an
// earlier request while nothing it reads has changed.
func (c *Console) breakdownTable(ctx context.Context, o report.Options) (*report.Table, error) {
	head, err := c.srv.Store().LogHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("breakdown table: %w", err)
	}
	divs, now := c.srv.Divisions(), c.now()
	k := tableKey{unit: o.Unit, year: o.Year, period: o.Period.String()}
	c.tables.mu.Lock()
	e, ok := c.tables.entries[k]
	c.tables.mu.Unlock()
	if ok && e.head == head && e.divs == divs && now.Sub(e.built) < tableMaxAge && !now.Before(e.built) {
		return e.table, nil
	}
	t, err := report.Build(ctx, c.srv.Engine(), o)
	if err != nil {
		return nil, err
	}
	c.tables.put(k, tableEntry{head: head, divs: divs, built: now, table: t})
	return t, nil
}

// put keeps a table, dropping the oldest beyond tableCacheSize.
func (tc *tableCache) put(k tableKey, e tableEntry) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.entries == nil {
		tc.entries = map[tableKey]tableEntry{}
	}
	tc.entries[k] = e
	for len(tc.entries) > tableCacheSize {
		var oldest tableKey
		first := true
		for key, x := range tc.entries {
			if first || x.built.Before(tc.entries[oldest].built) {
				oldest, first = key, false
			}
		}
		delete(tc.entries, oldest)
	}
}
