// Package indicators is the indicator engine: it evaluates every indicator
// of the catalogue (schema.Catalogue) for a unit and each county and
// township below it, as of a period, with each value's lineage.
//
// The engine reads each county once, whatever the number of indicators:
// a single scan gathers compact extracts of the records the measures read
// (schema.Measure documents each), resolves them into per-township sums,
// and every county and city value is derived from those sums. Counties are
// scanned in parallel. Units come from the division registry, so a village
// nobody entered anything for still counts in a coverage denominator. An
// engine with a ScanCache keeps its county scans and, after a sync, reads
// again only the counties the log says changed (incremental.go).
package indicators

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// DefaultStaleAfter is how long a township may go without syncing before
// its data is flagged stale: a month, the rhythm of the monthly reports.
const DefaultStaleAfter = 30 * 24 * time.Hour

// Engine evaluates indicators over a store.
type Engine struct {
	Store store.Store
	// Divisions returns the units the server knows (schema.BuiltinDivisions
	// when nil).
	Divisions func() *schema.Divisions
	// Now is the clock staleness is measured by (time.Now when nil).
	Now func() time.Time
	// StaleAfter is how long without a sync makes a township stale
	// (DefaultStaleAfter when zero).
	StaleAfter time.Duration
	// Workers bounds the counties scanned at once (GOMAXPROCS when zero).
	Workers int
	// Cache, when set, keeps county scans between evaluations, so an
	// evaluation rescans only the counties the log says changed since
	// (incremental.go). Share one cache between the engines of a store;
	// nil reads every record every time.
	Cache *ScanCache
}

// errStopScan ends a scan of a unit's own records at the first record of
// a unit below it.
var errStopScan = errors.New("stop scan")

// Evaluate computes every catalogue indicator for scope (a unit of any
// level) and each unit below it down to township level, as of period.
func (e *Engine) Evaluate(ctx context.Context, scope schema.Code, period Period) (*Result, error) {
	divs := e.divisions()
	if _, ok := divs.Lookup(scope); !ok {
		return nil, fmt.Errorf("evaluate indicators: unit %q is not in the division registry", scope)
	}
	if period.Year == 0 {
		return nil, fmt.Errorf("evaluate indicators for %s: no period given", scope)
	}
	full, own := scanPlan(divs, scope)
	ev := &evaluation{divs: divs, scope: scope, period: period, now: e.now(),
		towns: map[schema.Code]*townAcc{}, own: map[schema.Code]int{},
		pops: map[schema.Code]popRec{}, reported: map[repKey]repRec{}}
	if err := e.runScans(ctx, ev, full, own); err != nil {
		return nil, fmt.Errorf("evaluate indicators for %s as of %s: %w", scope, period, err)
	}
	sync, err := e.townshipStatus(ctx, ev)
	if err != nil {
		return nil, fmt.Errorf("evaluate indicators for %s: %w", scope, err)
	}
	return ev.result(sync), nil
}

func (e *Engine) divisions() *schema.Divisions {
	if e.Divisions == nil {
		return schema.BuiltinDivisions()
	}
	return e.Divisions()
}

func (e *Engine) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// scanPlan splits a scope into full scans (every county in it, or the
// scope itself at county level or below) and scans of the own records of
// the units above counties (the city's own population, targets, reported
// values), which are filed under the city's code and come first in unit
// order, so those scans stop after a few records.
func scanPlan(divs *schema.Divisions, scope schema.Code) (full, own []schema.Code) {
	if scope.Level() >= schema.LevelCounty {
		return []schema.Code{scope}, nil
	}
	own = []schema.Code{scope}
	var walk func(schema.Code)
	walk = func(c schema.Code) {
		for _, ch := range divs.Children(c) {
			switch {
			case ch.Level() == schema.LevelCounty:
				full = append(full, ch)
			case ch.Level() < schema.LevelCounty:
				own = append(own, ch)
				walk(ch)
			}
		}
	}
	walk(scope)
	return full, own
}

// runScans runs the scans (the kept ones of the cache, when the engine
// has one) and merges what they found.
func (e *Engine) runScans(ctx context.Context, ev *evaluation, full, own []schema.Code) error {
	if e.Cache == nil {
		if err := e.runJobs(ctx, ev, full, false, func(_ schema.Code, st *scanState) { ev.merge(st) }); err != nil {
			return err
		}
	} else {
		scans, err := e.cachedScans(ctx, ev, full)
		if err != nil {
			return err
		}
		for _, p := range full {
			ev.merge(scans[p])
		}
	}
	return e.runJobs(ctx, ev, own, true, func(_ schema.Code, st *scanState) { ev.merge(st) })
}

// runJobs scans each prefix (in full, or its own records only) on a
// bounded pool and hands each finished scan to done, one at a time.
func (e *Engine) runJobs(ctx context.Context, ev *evaluation, prefixes []schema.Code, ownOnly bool, done func(schema.Code, *scanState)) error {
	jobs := make(chan schema.Code)
	var mu sync.Mutex
	var firstErr error
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				st, err := e.scanOne(ctx, ev, p, ownOnly)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if err == nil {
					done(p, st)
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range prefixes {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// scanOne reads one county (or smaller scope) in full, or one unit's own
// records.
func (e *Engine) scanOne(ctx context.Context, ev *evaluation, prefix schema.Code, ownOnly bool) (*scanState, error) {
	st := newScanState(ev.scope, ev.period)
	err := e.scan(ctx, prefix, func(v *schema.RecordView) error {
		if ownOnly && string(v.Unit) != string(prefix) {
			st.scanned++
			return errStopScan
		}
		return st.add(v)
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return nil, fmt.Errorf("scan %s: %w", prefix, err)
	}
	if !ownOnly {
		if err := e.scanMovedIn(ctx, st); err != nil {
			return nil, err
		}
		st.finish(ev.divs, prefix)
	}
	return st, nil
}

// scan reads the records under prefix through the store's raw scan when
// it has one, and through ScanRecords otherwise. The view passed to fn is
// reused for the next record.
func (e *Engine) scan(ctx context.Context, prefix schema.Code, fn func(*schema.RecordView) error) error {
	var v schema.RecordView
	if rs, ok := e.Store.(store.RawRecordScanner); ok {
		return rs.ScanRecordsRaw(ctx, prefix, func(raw []byte) error {
			if err := v.Parse(raw); err != nil {
				return fmt.Errorf("read record: %w", err)
			}
			return fn(&v)
		})
	}
	return e.Store.ScanRecords(ctx, prefix, func(rec *schema.Record) error {
		raw, err := schema.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode record %s %s: %w", rec.Kind, rec.ID, err)
		}
		if err := v.Parse(raw); err != nil {
			return fmt.Errorf("read record %s %s: %w", rec.Kind, rec.ID, err)
		}
		return fn(&v)
	})
}
