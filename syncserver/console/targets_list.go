package console

import (
	"context"
	"fmt"
	"sort"

	"laoxiao/schema"
)

// targetRow is a target in force for a unit, as the 目标 page lists it.
type targetRow struct {
	Unit      schema.Unit
	Indicator schema.Indicator
	Target    schema.Target
}

// unitTargets lists the targets set for unit and the units below it,
// through the store's kind index (a city's few thousand targets, not its
// records), by unit, indicator and year.
func (c *Console) unitTargets(ctx context.Context, v *view, unit schema.Code) ([]targetRow, error) {
	var out []targetRow
	err := c.srv.Store().ScanKind(ctx, schema.KindTarget, func(r *schema.Record) error {
		if r.IsDeleted() || !r.Unit.Within(unit) {
			return nil
		}
		var t schema.Target
		if err := r.Decode(&t); err != nil {
			return fmt.Errorf("target %s: %w", r.ID, err)
		}
		u, ok := v.divs.Lookup(r.Unit)
		if !ok {
			u = schema.Unit{Code: r.Unit, Name: string(r.Unit)}
		}
		ind, ok := schema.IndicatorByID(t.Indicator)
		if !ok {
			ind = schema.Indicator{ID: t.Indicator, Name: t.Indicator}
		}
		out = append(out, targetRow{Unit: u, Indicator: ind, Target: t})
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Unit.Code != b.Unit.Code {
			return a.Unit.Code < b.Unit.Code
		}
		if a.Indicator.ID != b.Indicator.ID {
			return a.Indicator.ID < b.Indicator.ID
		}
		return a.Target.Year < b.Target.Year
	})
	return out, err
}
