package report

import (
	"math"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// Status is an indicator's standing against its target.
type Status string

// The statuses. 进度正常 (on track) is the fourth state the plans' three
// imply: not met yet, but not behind the linear path either.
const (
	StatusNone    Status = ""     // no numeric target, or no current value
	StatusMet     Status = "达标"   // target met
	StatusOnTrack Status = "进度正常" // not met, at or ahead of the expected progress
	StatusBehind  Status = "进度滞后" // behind the expected progress for the date
	StatusNotMet  Status = "未达标"  // not met when the target year is over
)

// planSpan is the length of the plans' period (the 14th five-year plan,
// 2021–2025): a target without a baseline year is read as set five years
// before its target year.
const planSpan = 5

// evaluate fills a cell's completion and status from its baseline, target
// and current value.
//
// Completion is current ÷ target for counts; for rates it is the progress
// from the baseline toward the target, (current − baseline) ÷ (target −
// baseline), since a rate that starts at 90% and must reach 95% has done
// nothing at 90%. A rate without a baseline (or whose target equals it)
// falls back to current ÷ target.
//
// Status compares values as they are shown (rounded to the column's
// decimals), so a table never says 95.0 misses a target of 95. The target
// year is over when the period reaches its end (the whole year or its
// December): then a target not met is 未达标. Before, the expected value
// is linear from the baseline (at the end of the baseline year) to the
// target (at the end of the target year); a count without a baseline
// starts from 0, and a rate without one cannot be interpolated, so
// anything short of the target is behind.
func evaluate(c *Cell, col Column, p indicators.Period) {
	ind := col.Indicator
	if !c.Target.OK || !c.Current.OK {
		return
	}
	target, cur := c.Target.V, round(c.Current.V, col.Decimals)
	base, hasBase := c.Baseline.V, c.Baseline.OK
	switch {
	case ind.IsRate() && hasBase && target != base:
		// A rate that fell below its baseline has made no progress; the
		// raw ratio (-3385%) says nothing an office can use, so the
		// completion stops at 0 and the note says why.
		v := (cur - base) / (target - base)
		if v < 0 {
			v = 0
			c.Note = joinNote(c.Note, "低于基期值 / below the baseline")
		}
		c.Completion = Num{V: v, OK: true}
	case target != 0:
		c.Completion = Num{V: cur / target, OK: true}
	}
	_, cmp, _ := schema.ParseTargetText(c.Target.Text)
	if met(cur, target, cmp, ind.Direction) {
		c.Status = StatusMet
		return
	}
	targetYear := c.TargetYear
	if targetYear == 0 {
		c.Status = StatusBehind
		return
	}
	if p.Year > targetYear || (p.Year == targetYear && (p.IsYear() || p.Month == 12)) {
		c.Status = StatusNotMet
		return
	}
	baseYear := c.BaselineYear
	if baseYear == 0 || baseYear >= targetYear {
		baseYear = targetYear - planSpan
	}
	start := base
	if !hasBase {
		if ind.IsRate() {
			c.Status = StatusBehind
			return
		}
		start = 0
	}
	// Years are measured at their ends: the baseline holds at the end of
	// its year, the target is due at the end of its own.
	now := float64(p.Year) + p.YearFraction()
	f := (now - float64(baseYear+1)) / float64(targetYear-baseYear)
	f = math.Max(0, math.Min(1, f))
	expected := round(start+f*(target-start), col.Decimals)
	if ind.Direction == schema.DirectionDown {
		if cur <= expected {
			c.Status = StatusOnTrack
		} else {
			c.Status = StatusBehind
		}
		return
	}
	if cur >= expected {
		c.Status = StatusOnTrack
	} else {
		c.Status = StatusBehind
	}
}

// met reports whether cur meets a target written with comparator cmp.
func met(cur, target float64, cmp, direction string) bool {
	switch cmp {
	case ">":
		return cur > target
	case "≥":
		return cur >= target
	case "<":
		return cur < target
	case "≤":
		return cur <= target
	}
	if direction == schema.DirectionDown {
		return cur <= target
	}
	return cur >= target
}

// round rounds half away from zero to d decimals, as the table shows it.
func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}
