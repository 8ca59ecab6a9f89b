package report

import (
	"context"
	"fmt"

	"laoxiao/syncserver/indicators"
)

// baselinesFromRecords gives every cell without a stated baseline the
// value its unit's own records gave at the end of the column's baseline
// year, where records of that time exist: a county's baseline is what its
// townships had entered by then, not a share of the city's. A cell whose
// records say nothing for that year keeps no baseline.
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
			if !v.Present || v.Lineage.Records == 0 {
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
