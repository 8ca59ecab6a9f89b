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

// evaluate fills a cell's change since the baseline, completion and
// status from its baseline, target and current value.
//
// Completion has one definition for every cell, written in the table's
// notes (completionRule): current ÷ target, or target ÷ current where
// lower is better. Progress from the baseline is not mixed into it: the
// change since the baseline (current − baseline) is a column of its own.
//
// Status compares values as they are shown (rounded to the column's
// decimals), so a table never says 95.0 misses a target of 95. The target
// year is over when the period reaches its end (the whole year or its
// December): then a target not met is 未达标. Before, the expected value
// is linear from the baseline (at the end of the baseline year) to the
// target (at the end of the target year); a count without a baseline
// starts from 0, and a rate without one cannot be interpolated, so
// anything short of the target is behind (进度滞后); at or ahead of the
// path it is 进度正常.
func evaluate(c *Cell, col Column, p indicators.Period) {
	ind := col.Indicator
	if c.Current.OK && c.Baseline.OK {
		c.Change = Num{V: round(c.Current.V, col.Decimals) - round(c.Baseline.V, col.Decimals), OK: true}
	}
	if !c.Target.OK || !c.Current.OK {
		return
	}
	target, cur := c.Target.V, round(c.Current.V, col.Decimals)
	base, hasBase := c.Baseline.V, c.Baseline.OK
	c.Completion = completion(cur, target, ind.Direction)
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
	if yearOver(p, targetYear) {
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

// completion is current ÷ target, or target ÷ current where lower is
// better; none when it would divide by zero.
func completion(cur, target float64, direction string) Num {
	num, den := cur, target
	if direction == schema.DirectionDown {
		num, den = target, cur
	}
	if den == 0 {
		return Num{}
	}
	return Num{V: num / den, OK: true}
}

// yearOver reports whether period p reaches the end of year y.
func yearOver(p indicators.Period, y int) bool {
	return p.Year > y || (p.Year == y && (p.IsYear() || p.Month == 12))
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
