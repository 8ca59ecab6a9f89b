package report

import (
	"context"
	"fmt"
	"strconv"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// baselinesFromRecords gives every cell without a stated baseline the
// value its unit's own records gave at the end of the column's baseline
// year, where records of that time exist: a county's baseline is what its
// townships had entered by then, not a share of the city's. A cell whose
// records say nothing for that year keeps no baseline (see datedAt).
func (t *Table) baselinesFromRecords(ctx context.Context, eng *indicators.Engine) error {
	byYear := map[int]*indicators.Result{}
	for i, col := range t.Columns {
		y := col.BaselineYear
		if y == 0 || y >= t.Year {
			continue
		}
		for ri := range t.Rows {
			c := &t.Rows[ri].Cells[i]
			if c.Baseline.OK || c.Baseline.Text != "" {
				continue
			}
			res, err := baselineResult(ctx, eng, t, byYear, y)
			if err != nil {
				return err
			}
			u := res.Units[t.Rows[ri].Unit.Code]
			if u == nil {
				continue
			}
			v, _ := u.Value(col.Indicator.ID)
			if !datedAt(col.Indicator, v, y) {
				continue
			}
			c.Baseline, c.BaselineYear = Num{V: v.Value, OK: true}, y
			c.Note = joinNote(c.Note, fmt.Sprintf("基期值由%d年底的记录计算 / baseline computed from the records at the end of %d", y, y))
		}
	}
	return nil
}

// baselineResult evaluates the table's unit for a baseline year once.
func baselineResult(ctx context.Context, eng *indicators.Engine, t *Table, byYear map[int]*indicators.Result, y int) (*indicators.Result, error) {
	if res, ok := byYear[y]; ok {
		return res, nil
	}
	res, err := eng.Evaluate(ctx, t.Unit.Code, indicators.Period{Year: y})
	if err != nil {
		return nil, fmt.Errorf("baseline %d: %w", y, err)
	}
	byYear[y] = res
	return res, nil
}

// datedAt reports whether a value evaluated for year y rests on records
// of that time. Only capacity reports, population figures and reported
// values carry a date the engine reads; facilities and persons count as
// they are now (a facility's opening date is not a history), so a coverage
// or a visit rate "as of 2020" would be today's figure relabelled, and
// a capacity total of 0 only says no report that old was entered.
func datedAt(ind schema.Indicator, v indicators.Value, y int) bool {
	if !v.Present || v.Lineage.Records == 0 {
		return false
	}
	if !ind.Computed() {
		py, err := strconv.Atoi(v.Period[:min(4, len(v.Period))])
		return err == nil && py <= y
	}
	return dated(ind.Numerator) && (ind.Denominator == "" || dated(ind.Denominator)) && v.Numerator > 0
}

// dated reports whether a measure reads dated records only.
func dated(m schema.Measure) bool {
	r, ok := m.Rule()
	return ok && (r.Source == schema.SourceCapacity || r.Source == schema.SourcePopulation)
}
