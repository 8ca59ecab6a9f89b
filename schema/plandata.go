package schema

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// The five plans' tasks and projects as data (schema/plans/*.csv),
// extracted from the published texts and kept as the plans write them:
//
//   - tasks.csv: plan, number, title, lead, co, deadline, text. Lead and co
//     are the departments the task names as 牵头 (or 统筹, or all of them
//     where the plan says "按职责分工负责") and 配合, joined by "、"; empty
//     where the plan names none (钢城's body tasks). The deadline is the
//     latest year the task's own text sets when that is before the plan's
//     horizon ("到2022年…"), else 2025.
//   - projects.csv: plan, number, unit, name, kind, years, location,
//     content, investment (万元: total, central, local; empty where the
//     plan gives none), beds and places added, implementer. The unit is
//     the township the plan places the project in, or the county where it
//     says "相关乡镇".
//
// 黔江's tasks are its 25 numbered body tasks, then its 分工 annex (附件2)
// numbered 附件2-N; 钢城's are its body tasks numbered (一)1…, then its
// reform, factor and pilot lists (附件2–4), which carry its 责任单位.

//go:embed plans/tasks.csv plans/projects.csv
var planFiles embed.FS

// TaskPlan is a source plan that lists tasks or projects.
type TaskPlan struct {
	ID           string // tasks.csv's plan column: yaan, qianjiang, …
	Jurisdiction string // whose plan: 雅安市
	Unit         Code   // that unit's code
	Title        string
}

// TaskPlans lists the five plans.
var TaskPlans = []TaskPlan{
	{"yaan", "雅安市", "5118", "雅安市“一老一小”整体解决方案"},
	{"qianjiang", "黔江区", "500114", "重庆市黔江区“一老一小”整体解决方案"},
	{"gangcheng", "钢城区", "370117", "济南市钢城区“一老一小”整体解决方案"},
	{"liuzhou", "柳州市", "4502", "柳州市促进养老托育服务健康发展工作方案"},
	{"kunming", "昆明市", "5301", "昆明市促进养老托育服务健康发展实施方案"},
}

// TaskPlanByID returns a plan by its id.
func TaskPlanByID(id string) (TaskPlan, bool) {
	for _, p := range TaskPlans {
		if p.ID == id {
			return p, true
		}
	}
	return TaskPlan{}, false
}

// TaskPlanOf returns the plan written for unit or for a unit above it
// (雅安's for 雨城区), so a county's table shows its city's tasks.
func TaskPlanOf(unit Code) (TaskPlan, bool) {
	for _, p := range TaskPlans {
		if unit.Within(p.Unit) {
			return p, true
		}
	}
	return TaskPlan{}, false
}

// PlanProject is a project a plan lists, at the unit the plan puts it.
type PlanProject struct {
	Number  string
	Unit    Code
	Project Project
}

// ID is the project's record id (PlanProjectID).
func (p PlanProject) ID() string { return PlanProjectID(p.Project.Plan, p.Number) }

var (
	planDataOnce sync.Once
	planTasks    []Task
	planOrder    map[string]int // plan + "\x00" + number → position in planTasks
	planProjects []PlanProject
	planDataErr  error
)

func loadPlanData() {
	planDataOnce.Do(func() {
		if planTasks, planDataErr = readPlanTasks(); planDataErr == nil {
			planProjects, planDataErr = readPlanProjects()
		}
		planOrder = make(map[string]int, len(planTasks))
		for i, t := range planTasks {
			planOrder[t.Plan+"\x00"+t.Number] = i
		}
	})
	if planDataErr != nil {
		// The files are embedded and checked by tests: a failure here is
		// a broken build, not bad input.
		panic(planDataErr)
	}
}

// PlanTasks returns the tasks of plan (its id), or of every plan for "",
// in the plans' order. The result is a copy.
func PlanTasks(plan string) []Task {
	loadPlanData()
	var out []Task
	for _, t := range planTasks {
		if plan == "" || t.Plan == plan {
			out = append(out, t)
		}
	}
	return out
}

// TaskChange is the change that writes task t decomposed to unit, with
// its derived id (TaskID). The envelope's stamp, device and sequence are
// the writer's to fill.
func TaskChange(unit Code, t Task) (Change, error) {
	set, err := EncodeFields(t)
	if err != nil {
		return Change{}, fmt.Errorf("task %s %s: %w", t.Plan, t.Number, err)
	}
	return Change{Kind: KindTask, ID: TaskID(unit, t.Plan, t.Number), Unit: unit, Set: set}, nil
}

// PlanTaskOrder is where a plan's task comes in the plans' data (the
// order of PlanTasks("")), for listing tasks as their plans do; a task of
// no known plan comes after all of them.
func PlanTaskOrder(plan, number string) int {
	loadPlanData()
	if i, ok := planOrder[plan+"\x00"+number]; ok {
		return i
	}
	return len(planOrder)
}

// PlanProjects returns the projects of plan (its id), or of every plan
// for "". The result is a copy.
func PlanProjects(plan string) []PlanProject {
	loadPlanData()
	var out []PlanProject
	for _, p := range planProjects {
		if plan == "" || p.Project.Plan == plan {
			out = append(out, p)
		}
	}
	return out
}

func readPlanTasks() ([]Task, error) {
	var out []Task
	err := readPlanCSV("plans/tasks.csv", func(r map[string]string) error {
		out = append(out, Task{Plan: r["plan"], Number: r["number"], Title: r["title"], Text: r["text"],
			Lead: r["lead"], Co: r["co"], Deadline: r["deadline"]})
		return nil
	})
	return out, err
}

func readPlanProjects() ([]PlanProject, error) {
	var out []PlanProject
	err := readPlanCSV("plans/projects.csv", func(r map[string]string) error {
		p := Project{Plan: r["plan"], Name: r["name"], Kind: ProjectKind(r["kind"]), Location: r["location"],
			Content: r["content"], Implementer: r["implementer"]}
		var err error
		for _, f := range []struct {
			dst *float64
			col string
		}{{&p.InvestTotal, "invest_total"}, {&p.InvestCentral, "invest_central"}, {&p.InvestLocal, "invest_local"}} {
			if *f.dst, err = optFloat(r[f.col]); err != nil {
				return fmt.Errorf("%s: %w", f.col, err)
			}
		}
		for _, f := range []struct {
			dst *int64
			col string
		}{{&p.Beds, "beds"}, {&p.Places, "places"}, {&p.StartYear, "start_year"}, {&p.EndYear, "end_year"}} {
			if *f.dst, err = optInt(r[f.col]); err != nil {
				return fmt.Errorf("%s: %w", f.col, err)
			}
		}
		out = append(out, PlanProject{Number: r["number"], Unit: Code(r["unit"]), Project: p})
		return nil
	})
	return out, err
}

// readPlanCSV calls fn with each row of an embedded CSV as a map from
// its header's names.
func readPlanCSV(name string, fn func(map[string]string) error) error {
	f, err := planFiles.Open(name)
	if err != nil {
		return fmt.Errorf("embedded %s: %w", name, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("embedded %s: %w", name, err)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("embedded %s: %w", name, err)
		}
		row := make(map[string]string, len(head))
		for i, h := range head {
			row[h] = rec[i]
		}
		if err := fn(row); err != nil {
			return fmt.Errorf("embedded %s line %d: %w", name, line, err)
		}
	}
}

func optFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

func optInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}
