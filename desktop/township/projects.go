package township

import (
	"fmt"
	"sort"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Project is a project of the area (重点项目) as the 项目 tab lists it.
type Project struct {
	ID   string
	Unit schema.Code
	schema.Project
}

// LoadProjects returns the area's projects, the area's own first and then
// its villages', each by name: the few a township builds, not a list to
// search.
func LoadProjects(st *agent.Store, area schema.Code) ([]Project, error) {
	var out []Project
	err := st.List(schema.KindProject, area, func(r *schema.Record) error {
		p := Project{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&p.Project); err != nil {
			return fmt.Errorf("project %s: %w", r.ID, err)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load projects of %s: %w", area, err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Unit != out[j].Unit {
			return out[i].Unit < out[j].Unit
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Task is a task the county (or city) decomposed to a unit above the
// area, which the area reports progress on, with the area's latest
// report.
type Task struct {
	ID   string
	Unit schema.Code // the unit the task is decomposed to
	schema.Task
	// Latest is the area's latest report on it (by date, then id); Has
	// says there is one.
	Latest schema.Progress
	Has    bool
}

// LoadTasks returns the tasks decomposed to a unit the area lies within
// (they flow down from the county, read-only), in the plans' order, each
// with the area's latest progress report.
func LoadTasks(st *agent.Store, area schema.Code) ([]Task, error) {
	byID := map[string]*Task{}
	var out []*Task
	err := st.List(schema.KindTask, "", func(r *schema.Record) error {
		if !area.Within(r.Unit) {
			return nil
		}
		t := &Task{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&t.Task); err != nil {
			return fmt.Errorf("task %s: %w", r.ID, err)
		}
		byID[r.ID] = t
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load tasks of %s: %w", area, err)
	}
	latestID := map[string]string{}
	err = st.List(schema.KindProgress, area, func(r *schema.Record) error {
		var p schema.Progress
		if err := r.Decode(&p); err != nil {
			return fmt.Errorf("progress %s: %w", r.ID, err)
		}
		t := byID[p.Task]
		if t == nil {
			return nil
		}
		if !t.Has || p.Date > t.Latest.Date || p.Date == t.Latest.Date && r.ID > latestID[t.ID] {
			t.Latest, t.Has, latestID[t.ID] = p, true, r.ID
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load progress of %s: %w", area, err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := schema.PlanTaskOrder(out[i].Plan, out[i].Number), schema.PlanTaskOrder(out[j].Plan, out[j].Number)
		if ri != rj {
			return ri < rj
		}
		return out[i].ID < out[j].ID
	})
	tasks := make([]Task, len(out))
	for i, t := range out {
		tasks[i] = *t
	}
	return tasks, nil
}
