package report

import (
	"context"
	"fmt"
	"sort"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// The table's second and third parts: the plan's tasks as decomposed to
// the table's units, each with its latest progress report, and the
// projects within the table's unit.

// TaskRow is one task as decomposed to one unit (usually a county), with
// the latest progress report on it from that unit or a unit below it.
type TaskRow struct {
	ID   string      // the task record's id
	Unit schema.Unit // the unit the task is decomposed to
	Task schema.Task
	// Latest is the latest report (by date, then by id, which is
	// time-ordered), or nil when nobody has reported.
	Latest *ProgressRow
	// Reports is how many progress reports the task has from the unit.
	Reports int
}

// ProgressRow is one progress report and the unit that made it.
type ProgressRow struct {
	ID       string
	Unit     schema.Unit
	Progress schema.Progress
}

// ProjectRow is one project and where it is.
type ProjectRow struct {
	ID      string
	Unit    schema.Unit
	Project schema.Project
}

// planParts reads the tasks, progress reports and projects within unit
// through the store's kind index (a city's few hundred tasks, not its
// million records) and sets t.Tasks and t.Projects.
func (t *Table) planParts(ctx context.Context, st store.Store, divs *schema.Divisions, unit schema.Code) error {
	name := func(c schema.Code) schema.Unit {
		if u, ok := divs.Lookup(c); ok {
			return u
		}
		return schema.Unit{Code: c, Name: string(c), Level: c.Level()}
	}
	tasks := map[string]*TaskRow{}
	err := scanKind(ctx, st, schema.KindTask, unit, func(r *schema.Record, v any) {
		tasks[r.ID] = &TaskRow{ID: r.ID, Unit: name(r.Unit), Task: *v.(*schema.Task)}
	})
	if err != nil {
		return err
	}
	err = scanKind(ctx, st, schema.KindProgress, unit, func(r *schema.Record, v any) {
		p := v.(*schema.Progress)
		tr := tasks[p.Task]
		if tr == nil || !r.Unit.Within(tr.Unit.Code) {
			return // a report on a task outside the table, or from outside the task's unit
		}
		tr.Reports++
		if l := tr.Latest; l == nil || p.Date > l.Progress.Date || p.Date == l.Progress.Date && r.ID > l.ID {
			tr.Latest = &ProgressRow{ID: r.ID, Unit: name(r.Unit), Progress: *p}
		}
	})
	if err != nil {
		return err
	}
	err = scanKind(ctx, st, schema.KindProject, unit, func(r *schema.Record, v any) {
		t.Projects = append(t.Projects, ProjectRow{ID: r.ID, Unit: name(r.Unit), Project: *v.(*schema.Project)})
	})
	if err != nil {
		return err
	}
	for _, tr := range tasks {
		t.Tasks = append(t.Tasks, *tr)
	}
	sortTasks(t.Tasks)
	sort.Slice(t.Projects, func(i, j int) bool {
		a, b := t.Projects[i], t.Projects[j]
		if a.Unit.Code != b.Unit.Code {
			return a.Unit.Code < b.Unit.Code
		}
		return a.ID < b.ID
	})
	return nil
}

// scanKind calls fn with each live record of kind within unit, decoded.
// A record that does not decode is an error: the server validated it.
func scanKind(ctx context.Context, st store.Store, kind schema.Kind, unit schema.Code, fn func(*schema.Record, any)) error {
	return st.ScanKind(ctx, kind, func(r *schema.Record) error {
		if r.IsDeleted() || !r.Unit.Within(unit) {
			return nil
		}
		v, err := schema.NewValue(kind)
		if err != nil {
			return err
		}
		if err := r.Decode(v); err != nil {
			return fmt.Errorf("%s %s: %w", kind, r.ID, err)
		}
		fn(r, v)
		return nil
	})
}

// sortTasks orders tasks as their plans list them (schema.PlanTasks),
// then by unit; tasks of no known plan come last, by id.
func sortTasks(rows []TaskRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ra, rb := schema.PlanTaskOrder(a.Task.Plan, a.Task.Number), schema.PlanTaskOrder(b.Task.Plan, b.Task.Number); ra != rb {
			return ra < rb
		}
		if a.Unit.Code != b.Unit.Code {
			return a.Unit.Code < b.Unit.Code
		}
		return a.ID < b.ID
	})
}
