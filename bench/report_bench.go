package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/report"
	"laoxiao/syncserver/store/badgerstore"
	"laoxiao/synth/benchcity"
)

func init() {
	Register(Bench{Name: "breakdown", Run: benchBreakdown})
}

// benchBreakdown times the breakdown table (all formats) for
// benchcity.Default: 10 counties, 150 townships, 20,000 facilities,
// 240,000 capacity reports and 1,000,000 visits read from the server's
// store.
func benchBreakdown(env Env) ([]Figure, error) {
	if env.Quick {
		return nil, nil // the city takes ~15 s to generate; not a smoke-test figure
	}
	f, err := breakdown(env.Ctx, env.Dir, benchcity.Default)
	if err != nil {
		return nil, err
	}
	return []Figure{{Name: "breakdown_city_seconds", Value: f.CitySeconds, Unit: "s"},
		{Name: "breakdown_records_scanned_per_s", Value: f.RecordsPerSecond, Unit: "records/s"}}, nil
}

// breakdownFigures are what one breakdown benchmark measured.
type breakdownFigures struct {
	// CitySeconds is the median time to build the city's table (evaluate
	// every indicator over the whole city) and render it in all four
	// formats.
	CitySeconds float64
	// RecordsPerSecond is the records the evaluation read per second of
	// CitySeconds.
	RecordsPerSecond float64
	// Records is how many records the evaluation read; GenerateSeconds how
	// long writing them took.
	Records         int
	GenerateSeconds float64
}

// breakdownRuns is how many timed runs the median is taken over. Before
// them, warm-up runs (the first also checks the table is sane) go on
// until one is no longer clearly faster than the one before, at most
// maxWarmups of them.
const (
	breakdownRuns = 3
	maxWarmups    = 8
)

// warmUp repeats run, after a first run that took prev, until one is no
// longer clearly faster than the one before (at most maxWarmups): the
// store's caches and the compaction of a freshly written store settle
// before the timed runs.
func warmUp(prev float64, run func() (float64, error)) error {
	for range maxWarmups {
		cur, err := run()
		if err != nil {
			return err
		}
		settled := cur > prev*0.9
		prev = cur
		if settled {
			return nil
		}
	}
	return nil
}

// breakdown writes city into a Badger store under dir (a temporary
// directory, removed afterwards, when dir is empty), directly in large
// commits, then times the breakdown table in all formats.
func breakdown(ctx context.Context, dir string, city benchcity.City) (breakdownFigures, error) {
	var fig breakdownFigures
	if dir == "" {
		tmp, err := os.MkdirTemp("", "laoxiao-bench-breakdown-")
		if err != nil {
			return fig, fmt.Errorf("bench breakdown: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	st, secs, err := writeBenchCity(ctx, dir, city)
	if err != nil {
		return fig, err
	}
	defer st.Close()
	fig.GenerateSeconds = secs

	divs := city.Divisions()
	eng := &indicators.Engine{Store: st, Divisions: func() *schema.Divisions { return divs },
		Now: func() time.Time { return time.Date(benchcity.Year+1, 1, 15, 9, 0, 0, 0, schema.ChinaTime) }}
	run := func() (float64, *report.Table, error) {
		start := time.Now()
		t, err := report.Build(ctx, eng, report.Options{Unit: benchcity.Code, Year: benchcity.Year})
		if err != nil {
			return 0, nil, fmt.Errorf("bench breakdown: %w", err)
		}
		var buf bytes.Buffer
		for _, f := range report.Formats {
			buf.Reset()
			if err := t.Write(&buf, f); err != nil {
				return 0, nil, fmt.Errorf("bench breakdown: %w", err)
			}
		}
		return time.Since(start).Seconds(), t, nil
	}
	prev, t, err := run()
	if err != nil {
		return fig, err
	}
	if err := checkBreakdown(city, t); err != nil {
		return fig, err
	}
	if err := warmUp(prev, func() (float64, error) {
		secs, _, err := run()
		return secs, err
	}); err != nil {
		return fig, err
	}
	var times []float64
	for range breakdownRuns {
		secs, t, err := run()
		if err != nil {
			return fig, err
		}
		times = append(times, secs)
		fig.Records = t.Scanned
	}
	sort.Float64s(times)
	fig.CitySeconds = times[len(times)/2]
	fig.RecordsPerSecond = float64(fig.Records) / fig.CitySeconds
	return fig, nil
}

// writeBenchCity writes city into a new store in dir and opens it again
// for reading; it returns the reopened store and how long writing took.
// Reopening flushes what the generator left in memory; the warm-up runs
// then wait out the compaction of a store written in one burst. A
// server's store, written a sync at a time over months, is compacted, and
// that is the store reports run against.
func writeBenchCity(ctx context.Context, dir string, city benchcity.City) (*badgerstore.DB, float64, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := badgerstore.Open(dir, quiet)
	if err != nil {
		return nil, 0, fmt.Errorf("bench breakdown: %w", err)
	}
	start := time.Now()
	_, err = city.Write(ctx, st)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, 0, fmt.Errorf("bench breakdown: generate: %w", err)
	}
	secs := time.Since(start).Seconds()
	if st, err = badgerstore.Open(dir, quiet); err != nil {
		return nil, 0, fmt.Errorf("bench breakdown: reopen: %w", err)
	}
	return st, secs, nil
}

// checkBreakdown makes sure the timed table is the real thing: every
// county a row, the generated records all read, beds counted.
func checkBreakdown(c benchcity.City, t *report.Table) error {
	want := c.MinRecords()
	if len(t.Rows) != c.Counties+1 || t.Scanned < want || len(t.Townships) != c.Counties*c.TownshipsPerCounty {
		return fmt.Errorf("bench breakdown: table has %d rows, %d townships, read %d records; want %d, %d, at least %d",
			len(t.Rows), len(t.Townships), t.Scanned, c.Counties+1, c.Counties*c.TownshipsPerCounty, want)
	}
	for i, col := range t.Columns {
		if col.Indicator.ID == "beds_total" && !t.Rows[len(t.Rows)-1].Cells[i].Current.OK {
			return fmt.Errorf("bench breakdown: the city's beds were not counted")
		}
	}
	return nil
}
