package report

import (
	"context"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// PlanParts reads the tasks within unit, each with its latest progress,
// and the projects within unit: the table's second and third parts
// without its indicators, for pages that show or edit only those.
func PlanParts(ctx context.Context, st store.Store, divs *schema.Divisions, unit schema.Code) ([]TaskRow, []ProjectRow, error) {
	var t Table
	if err := t.planParts(ctx, st, divs, unit); err != nil {
		return nil, nil, err
	}
	return t.Tasks, t.Projects, nil
}
