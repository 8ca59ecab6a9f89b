package report

import (
	"math"
	"testing"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

func TestStatus(t *testing.T) {
	count := Column{Indicator: schema.Indicator{ID: "beds_total", Unit: "张", Direction: schema.DirectionUp, How: schema.HowComputed}, Decimals: 0}
	rate := Column{Indicator: schema.Indicator{ID: "r", Unit: "%", Direction: schema.DirectionUp, How: schema.HowComputed,
		Numerator: "a", Denominator: "b", Scale: 100}, Decimals: 1}
	down := Column{Indicator: schema.Indicator{ID: "d", Unit: "%", Direction: schema.DirectionDown}, Decimals: 1}
	num := func(v float64) Num { return Num{V: v, OK: true} }
	mid2023 := indicators.Period{Year: 2023, Month: 6}
	for _, c := range []struct {
		name       string
		col        Column
		cell       Cell
		p          indicators.Period
		status     Status
		completion float64 // NaN: none
	}{
		{"count met", count, Cell{Target: num(100), Current: num(100), TargetYear: 2025}, mid2023, StatusMet, 1},
		// Halfway from the end of 2020 to the end of 2025: 75 expected.
		{"count on track", count, Cell{Baseline: num(50), BaselineYear: 2020, Target: num(100), TargetYear: 2025, Current: num(80)}, mid2023, StatusOnTrack, 0.8},
		{"count behind", count, Cell{Baseline: num(50), BaselineYear: 2020, Target: num(100), TargetYear: 2025, Current: num(70)}, mid2023, StatusBehind, 0.7},
		{"count without baseline starts at 0", count, Cell{Target: num(100), TargetYear: 2025, Current: num(50)}, mid2023, StatusOnTrack, 0.5},
		{"rate not met after the year", rate, Cell{Baseline: num(90), BaselineYear: 2020, Target: num(95), TargetYear: 2025, Current: num(92)},
			indicators.Period{Year: 2025}, StatusNotMet, 92.0 / 95},
		{"rate not met in the target year's December", rate, Cell{Baseline: num(90), BaselineYear: 2020, Target: num(95), TargetYear: 2025, Current: num(92)},
			indicators.Period{Year: 2025, Month: 12}, StatusNotMet, 92.0 / 95},
		{"rate behind its path", rate, Cell{Baseline: num(90), BaselineYear: 2020, Target: num(95), TargetYear: 2025, Current: num(92)},
			indicators.Period{Year: 2025, Month: 6}, StatusBehind, 92.0 / 95},
		{"rate strictly above", rate, Cell{Target: Num{V: 95, OK: true, Text: ">95"}, TargetYear: 2025, Current: num(95.04)}, mid2023, StatusBehind, 95.0 / 95},
		{"rate strictly above, met", rate, Cell{Target: Num{V: 95, OK: true, Text: ">95"}, TargetYear: 2025, Current: num(95.06)}, mid2023, StatusMet, 95.1 / 95},
		{"shown as the target meets it", rate, Cell{Target: num(95), TargetYear: 2025, Current: num(94.96)}, mid2023, StatusMet, 1},
		{"no numeric target", rate, Cell{Target: Num{Text: "应建尽建"}, TargetYear: 2025, Current: num(50)}, mid2023, StatusNone, math.NaN()},
		{"no current value", rate, Cell{Target: num(95), TargetYear: 2025}, mid2023, StatusNone, math.NaN()},
		// Completion is current ÷ target in every row, baseline or not: the
		// progress from the baseline is the change column's business.
		{"rate below its baseline", rate, Cell{Baseline: num(88), BaselineYear: 2020, Target: num(90), TargetYear: 2025, Current: num(20.3)},
			indicators.Period{Year: 2025}, StatusNotMet, 20.3 / 90},
		{"lower is better: target ÷ current", down, Cell{Target: num(10), TargetYear: 2025, Current: num(8)}, mid2023, StatusMet, 10.0 / 8},
		{"lower is better, not met", down, Cell{Target: num(80), TargetYear: 2025, Current: num(100)}, indicators.Period{Year: 2025}, StatusNotMet, 0.8},
		{"lower is better at zero: nothing to divide", down, Cell{Target: num(80), TargetYear: 2025, Current: num(0)}, mid2023, StatusMet, math.NaN()},
	} {
		cell := c.cell
		evaluate(&cell, c.col, c.p)
		if c.cell.Baseline.OK && c.cell.Current.OK && (!cell.Change.OK || math.Abs(cell.Change.V-(round(c.cell.Current.V, c.col.Decimals)-c.cell.Baseline.V)) > 1e-9) {
			t.Errorf("%s: change %+v, want current − baseline", c.name, cell.Change)
		}
		if cell.Status != c.status {
			t.Errorf("%s: status %q, want %q", c.name, cell.Status, c.status)
		}
		switch {
		case math.IsNaN(c.completion) && cell.Completion.OK:
			t.Errorf("%s: completion %v, want none", c.name, cell.Completion.V)
		case !math.IsNaN(c.completion) && (!cell.Completion.OK || math.Abs(cell.Completion.V-c.completion) > 1e-9):
			t.Errorf("%s: completion %+v, want %v", c.name, cell.Completion, c.completion)
		}
	}
}

func TestDisplayWidth(t *testing.T) {
	for s, w := range map[string]int{"": 0, "abc": 3, "雅安市": 6, "雨城区(合计)": 12, "—": 1, "１２": 4, "57.1%": 5} {
		if got := displayWidth(s); got != w {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, w)
		}
	}
	if got := pad("市", 4, true); got != "  市" {
		t.Errorf("pad = %q", got)
	}
}
