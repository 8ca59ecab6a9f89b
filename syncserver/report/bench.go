package report

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
	"laoxiao/syncserver/store/badgerstore"
)

// BenchFigures are what one breakdown benchmark measured.
type BenchFigures struct {
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

// benchRuns is how many timed runs the median is taken over. Before
// them, warm-up runs (the first also checks the table is sane) go on
// until one is no longer clearly faster than the one before, at most
// maxWarmups of them.
const (
	benchRuns  = 3
	maxWarmups = 8
)

// BenchBreakdown builds the synthetic city of DefaultBenchCity (10
// counties, 150 townships, 20,000 facilities, 240,000 capacity reports,
// 1,000,000 visits) in a Badger store under dir, writing it directly in
// large commits, then times the breakdown table in all formats. It
// returns breakdown_city_seconds and breakdown_records_scanned_per_s. An
// empty dir means a temporary directory, removed afterwards.
func BenchBreakdown(ctx context.Context, dir string) (citySeconds, recordsPerSecond float64, err error) {
	f, err := DefaultBenchCity.Bench(ctx, dir)
	if err != nil {
		return 0, 0, err
	}
	return f.CitySeconds, f.RecordsPerSecond, nil
}

// Bench runs the breakdown benchmark on a city of this size.
func (c BenchCity) Bench(ctx context.Context, dir string) (BenchFigures, error) {
	var fig BenchFigures
	if dir == "" {
		tmp, err := os.MkdirTemp("", "laoxiao-bench-breakdown-")
		if err != nil {
			return fig, fmt.Errorf("bench breakdown: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := badgerstore.Open(dir, quiet)
	if err != nil {
		return fig, fmt.Errorf("bench breakdown: %w", err)
	}
	start := time.Now()
	_, err = c.GenerateBenchCity(ctx, st)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fig, fmt.Errorf("bench breakdown: generate: %w", err)
	}
	fig.GenerateSeconds = time.Since(start).Seconds()
	// Reopening flushes what the generator left in memory; the warm-up
	// runs below then wait out the compaction of a store written in one
	// burst. A server's store, written a sync at a time over months, is
	// compacted, and that is the store reports run against.
	if st, err = badgerstore.Open(dir, quiet); err != nil {
		return fig, fmt.Errorf("bench breakdown: reopen: %w", err)
	}
	defer st.Close()

	divs := c.BenchDivisions()
	eng := &indicators.Engine{Store: st, Divisions: func() *schema.Divisions { return divs },
		Now: func() time.Time { return time.Date(benchYear+1, 1, 15, 9, 0, 0, 0, schema.ChinaTime) }}
	run := func() (float64, *Table, error) {
		start := time.Now()
		t, err := Build(ctx, eng, Options{Unit: benchCityCode, Year: benchYear})
		if err != nil {
			return 0, nil, fmt.Errorf("bench breakdown: %w", err)
		}
		var buf bytes.Buffer
		for _, f := range Formats {
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
	if err := c.checkBench(t); err != nil {
		return fig, err
	}
	for range maxWarmups {
		cur, _, err := run()
		if err != nil {
			return fig, err
		}
		settled := cur > prev*0.9
		prev = cur
		if settled {
			break
		}
	}
	var times []float64
	for range benchRuns {
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

// checkBench makes sure the timed table is the real thing: every county
// a row, the generated records all read, beds counted.
func (c BenchCity) checkBench(t *Table) error {
	want := c.Facilities*(1+c.CapacityPerFacility) + c.Persons + c.Visits
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
