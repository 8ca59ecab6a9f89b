package e2e

import (
	"context"
	"log/slog"
	"math"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
	"laoxiao/synth"
)

// TestIndicatorsAgree runs the two faces of the indicator rules over one
// data set: the realistic 草坝镇 written to an agent store, its live
// records copied into a server store, then every computed indicator of
// the township evaluated by the desktop (township.Snapshot) and by the
// server's engine, for a month, an earlier month and the year. Both apply
// schema.MeasureRules; this holds their gathering of facts to agree.
func TestIndicatorsAgree(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, schema.ChinaTime)
	cfg := synth.RealisticTownship()
	cfg.Now = now
	ast, err := agent.Open(t.TempDir(), agent.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer ast.Close()
	if _, err := synth.FillTownship(ast, cfg); err != nil {
		t.Fatal(err)
	}
	sst, err := badgerstore.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer sst.Close()
	var recs []*schema.Record
	for _, k := range schema.Kinds {
		if err := ast.List(k, "", func(r *schema.Record) error { recs = append(recs, r); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	if err := sst.Commit(ctx, &store.Group{Records: recs}); err != nil {
		t.Fatal(err)
	}

	area, err := township.NewArea(ast.Divisions(), cfg.Township)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := township.LoadSnapshot(ast, area)
	if err != nil {
		t.Fatal(err)
	}
	engine := &indicators.Engine{Store: sst, Divisions: ast.Divisions, Now: func() time.Time { return now }}
	for _, period := range []string{"2026-11", "2026-06", "2026"} {
		t.Run(period, func(t *testing.T) {
			p, err := indicators.ParsePeriod(period)
			if err != nil {
				t.Fatal(err)
			}
			res, err := engine.Evaluate(ctx, cfg.Township, p)
			if err != nil {
				t.Fatal(err)
			}
			server := map[string]indicators.Value{}
			for _, v := range res.Units[cfg.Township].Values {
				server[v.Indicator] = v
			}
			compared, nonzero := 0, 0
			for _, ind := range schema.Catalogue() {
				if !ind.Computed() {
					continue
				}
				d, s := snap.Evaluate(ind, period), server[ind.ID]
				if d.Defined != s.Present || math.Abs(d.Value-s.Value) > 1e-9*math.Max(1, math.Abs(d.Value)) {
					t.Errorf("%s: desktop %v (defined %v, %v/%v), server %v (present %v, %v/%v, %s)",
						ind.ID, d.Value, d.Defined, d.Num, d.Den, s.Value, s.Present, s.Numerator, s.Denominator, s.Reason)
				}
				compared++
				if d.Value != 0 {
					nonzero++
				}
			}
			t.Logf("%s: %d indicators compared, %d non-zero", period, compared, nonzero)
			// The data set must exercise the rules, not agree on zeros.
			if compared < 25 || nonzero < 15 {
				t.Errorf("compared %d indicators, %d of them non-zero; the data set is too thin to prove agreement", compared, nonzero)
			}
		})
	}
}
