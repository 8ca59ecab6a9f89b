// Package plans loads a source plan's tasks and projects (schema's
// embedded plan data) into a server as records: tasks decomposed to the
// counties of the unit loading them, projects at the units the plan puts
// them. Loading again rewrites the plan's own wording and leaves what the
// counties and townships entered since (a project's status and progress)
// alone.
package plans

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Submitter writes server-made changes: the ingester's SubmitServer.
type Submitter interface {
	SubmitServer(ctx context.Context, changes []schema.Change) (*schema.Ack, error)
}

// Records reads a record's current state (store.Store's Record).
type Records interface {
	Record(ctx context.Context, kind schema.Kind, id string) (*schema.Record, error)
}

// ErrUnknownPlan is returned for a plan id that is not one of schema.TaskPlans.
var ErrUnknownPlan = errors.New("unknown plan")

// Summary is what a load wrote.
type Summary struct {
	Plan     string        `json:"plan"`
	Units    []schema.Code `json:"units"` // the units tasks were decomposed to
	Tasks    int           `json:"tasks"` // task records written
	Projects int           `json:"projects"`
}

// batch bounds one submission, under the wire's schema.MaxBatchChanges.
const batch = 500

// plan returns the plan with id, or an error naming the plans there are.
func plan(id string) (schema.TaskPlan, error) {
	p, ok := schema.TaskPlanByID(id)
	if !ok {
		ids := make([]string, len(schema.TaskPlans))
		for i, p := range schema.TaskPlans {
			ids[i] = p.ID
		}
		return p, fmt.Errorf("%w %q (规划“%s”不存在); want one of %s", ErrUnknownPlan, id, id, strings.Join(ids, ", "))
	}
	return p, nil
}

// Counties returns the units a plan's tasks are decomposed to under
// unit: unit itself when it is a county, else its counties in code
// order. The unit must exist in divs.
func Counties(divs *schema.Divisions, unit schema.Code) ([]schema.Code, error) {
	if _, ok := divs.Lookup(unit); !ok {
		return nil, fmt.Errorf("unit %s is not in the server's registry (区划代码%s不存在); load the units first", unit, unit)
	}
	switch unit.Level() {
	case schema.LevelCounty:
		return []schema.Code{unit}, nil
	case schema.LevelCity, schema.LevelProvince:
		out := divs.Descendants(unit, schema.LevelCounty)
		if len(out) == 0 {
			return nil, fmt.Errorf("unit %s has no counties in the registry (%s下没有区县)", unit, divs.Name(unit))
		}
		return out, nil
	}
	return nil, fmt.Errorf("tasks are decomposed to counties: give a city or a county, not the %s %s (任务分解到区县，请指定市或区县)",
		unit.Level(), unit)
}

// TaskChanges are the changes that decompose a plan's tasks to each of
// units: one task record per task and unit.
func TaskChanges(planID string, units []schema.Code) ([]schema.Change, error) {
	if _, err := plan(planID); err != nil {
		return nil, err
	}
	var out []schema.Change
	for _, u := range units {
		for _, t := range schema.PlanTasks(planID) {
			ch, err := schema.TaskChange(u, t)
			if err != nil {
				return nil, err
			}
			out = append(out, ch)
		}
	}
	return out, nil
}

// LoadTasks decomposes plan's tasks to the counties of unit (or to unit,
// a county) and writes them.
func LoadTasks(ctx context.Context, sub Submitter, divs *schema.Divisions, planID string, unit schema.Code) (Summary, error) {
	if _, err := plan(planID); err != nil {
		return Summary{}, fmt.Errorf("load tasks: %w", err)
	}
	units, err := Counties(divs, unit)
	if err != nil {
		return Summary{}, fmt.Errorf("load tasks: %w", err)
	}
	changes, err := TaskChanges(planID, units)
	if err != nil {
		return Summary{}, fmt.Errorf("load tasks: %w", err)
	}
	if err := submit(ctx, sub, changes); err != nil {
		return Summary{}, fmt.Errorf("load tasks of %s: %w", planID, err)
	}
	return Summary{Plan: planID, Units: units, Tasks: len(changes)}, nil
}

// ProjectChanges are the changes that write a plan's projects. A project
// not yet on the server starts as 在建 when its start year has come (by
// now) and as 谋划 before; one already there keeps its status, progress
// and note, which its county or township keeps up.
func ProjectChanges(ctx context.Context, recs Records, planID string, now time.Time) ([]schema.Change, error) {
	if _, err := plan(planID); err != nil {
		return nil, err
	}
	var out []schema.Change
	for _, p := range schema.PlanProjects(planID) {
		_, err := recs.Record(ctx, schema.KindProject, p.ID())
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("project %s: %w", p.Number, err)
		}
		pr := p.Project
		pr.Status = schema.ProjectPlanning
		if pr.StartYear != 0 && pr.StartYear <= int64(now.In(schema.ChinaTime).Year()) {
			pr.Status = schema.ProjectBuilding
		}
		set, err := schema.EncodeFields(pr)
		if err != nil {
			return nil, fmt.Errorf("project %s: %w", p.Number, err)
		}
		if exists {
			for _, f := range []string{"status", "percent", "note"} {
				delete(set, f)
			}
		}
		out = append(out, schema.Change{Kind: schema.KindProject, ID: p.ID(), Unit: p.Unit, Set: set})
	}
	return out, nil
}

// LoadProjects writes plan's projects (see ProjectChanges).
func LoadProjects(ctx context.Context, sub Submitter, recs Records, planID string, now time.Time) (Summary, error) {
	changes, err := ProjectChanges(ctx, recs, planID, now)
	if err != nil {
		return Summary{}, fmt.Errorf("load projects: %w", err)
	}
	if len(changes) == 0 {
		return Summary{Plan: planID}, fmt.Errorf("load projects: plan %s lists no projects (该规划没有项目清单)", planID)
	}
	if err := submit(ctx, sub, changes); err != nil {
		return Summary{}, fmt.Errorf("load projects of %s: %w", planID, err)
	}
	return Summary{Plan: planID, Projects: len(changes)}, nil
}

// submit writes changes in batches and fails on any refusal, with the
// server's reasons: the data is the plan's, so a refusal (a unit the
// server does not know) is for the operator to fix.
func submit(ctx context.Context, sub Submitter, changes []schema.Change) error {
	for len(changes) > 0 {
		n := min(batch, len(changes))
		ack, err := sub.SubmitServer(ctx, changes[:n])
		if err != nil {
			return err
		}
		if len(ack.Rejected) > 0 {
			var msgs []string
			for _, r := range ack.Rejected {
				msgs = append(msgs, r.ReasonZh)
			}
			return fmt.Errorf("the server refused %d of %d records: %s", len(ack.Rejected), n, strings.Join(msgs, "; "))
		}
		changes = changes[n:]
	}
	return nil
}
