package report

import (
	"fmt"
	"maps"
	"strconv"

	"laoxiao/schema"
)

// evaluateCells fills every cell's change, completion and status, then
// the total row of each per-unit minimum (每个县(区)至少N).
func (t *Table) evaluateCells() {
	for ri := range t.Rows {
		for i, col := range t.Columns {
			evaluate(&t.Rows[ri].Cells[i], col, t.Period)
		}
	}
	for i, col := range t.Columns {
		if col.Scope == schema.ScopeEachBelow && len(t.Rows) > 1 {
			t.minimumTotal(i)
		}
	}
}

// minimumTotal rewrites the total row of a per-unit minimum. The unit
// meets "every county at least N" when every county has N, which no sum
// says: the total row's current value is the number of rows that reach N
// and its target the number of rows, so completion stays current ÷
// target, and the status is 达标 only when every row is.
func (t *Table) minimumTotal(i int) {
	total := &t.Rows[len(t.Rows)-1].Cells[i]
	col := t.Columns[i]
	if !total.Target.OK {
		return
	}
	n, _, _ := schema.ParseTargetText(total.Target.Text)
	if total.Target.Text == "" {
		n = total.Target.V
	}
	_, cmp, _ := schema.ParseTargetText(total.Target.Text)
	rows := t.Rows[:len(t.Rows)-1]
	reached := 0
	for _, r := range rows {
		if c := r.Cells[i]; c.Current.OK && met(round(c.Current.V, col.Decimals), n, cmp, col.Indicator.Direction) {
			reached++
		}
	}
	level := rows[0].Unit.Code.Level().Label()
	total.Target = Num{V: float64(len(rows)), OK: true, Text: fmt.Sprintf("各%s≥%s", level, number(n, col.Decimals))}
	total.Current = Num{V: float64(reached), OK: true, Text: fmt.Sprintf("%d/%d个%s达到", reached, len(rows), level)}
	total.Change = Num{}
	total.Completion = Num{V: float64(reached) / float64(len(rows)), OK: true}
	switch {
	case reached == len(rows):
		total.Status = StatusMet
	case yearOver(t.Period, total.TargetYear):
		total.Status = StatusNotMet
	default:
		total.Status = StatusBehind
	}
	total.Note = joinNote(total.Note, fmt.Sprintf("每个%s均须达到%s: 当前值为达到的%s数, 目标值为%s数 / a per-unit minimum: the rows that reach it over all rows",
		level, number(n, col.Decimals), level, level))
}

// withMinimums is a row's targets with the table unit's per-unit minimums
// (每个县(区)至少N) added where the row has no target of its own: the
// minimum is every county's target whether or not anyone split it.
func withMinimums(own, top map[string]schema.Target) map[string]schema.Target {
	var out map[string]schema.Target
	for id, tg := range top {
		if _, has := own[id]; has || tg.Scope != schema.ScopeEachBelow {
			continue
		}
		if out == nil {
			out = maps.Clone(own)
			if out == nil {
				out = map[string]schema.Target{}
			}
		}
		tg.Scope, tg.HasBaseline, tg.Baseline, tg.BaselineText, tg.BaselineYear = schema.ScopeTotal, false, 0, "", 0
		if _, cmp, _ := schema.ParseTargetText(tg.ValueText); cmp == "" {
			tg.ValueText = "≥" + strconv.FormatFloat(tg.Value, 'f', -1, 64)
		}
		out[id] = tg
	}
	if out == nil {
		return own
	}
	return out
}
