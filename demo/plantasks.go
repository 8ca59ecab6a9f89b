package demo

import (
	"context"
	"fmt"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/synth"
)

// The demo's tasks and projects: the city decomposes its plan's tasks to
// its counties before the townships first sync, and the first township of
// each county, offline like the rest, reports progress on two of its
// county's tasks and enters the project it is building. The table's second
// and third parts show them after the sync.

// loadTasks decomposes the city's plan's tasks to its counties.
func loadTasks(ctx context.Context, srv *syncserver.Server, city schema.Code, say func(string, ...any)) error {
	p, ok := schema.TaskPlanOf(city)
	if !ok {
		return nil // a city without a plan of its own: no tasks to load
	}
	sum, err := srv.LoadPlanTasks(ctx, syncserver.PlanLoad{Plan: p.ID, Unit: city})
	if err != nil {
		return err
	}
	say("任务已下达 / %d task records of %s decomposed to %d counties", sum.Tasks, p.Title, len(sum.Units))
	return nil
}

// demoProgress is what a reporting township says of its county's tasks 4
// (居家社区养老) and 10 (托育服务), varied by county so the table shows
// every status.
var demoProgress = []struct {
	status  schema.ProgressStatus
	percent int64
	notes   [2]string // task 4's, task 10's
}{
	{schema.ProgressUnderway, 60, [2]string{"已建成社区日间照料中心8个,农村互助养老点12个", "已开设幼儿园托班3个"}},
	{schema.ProgressDone, 100, [2]string{"辖区村(社区)日间照料机构全覆盖", "普惠托育点已全部开园"}},
	{schema.ProgressBehind, 30, [2]string{"选址调整,资金尚未到位", "托育机构场地未落实"}},
	{schema.ProgressUnderway, 45, [2]string{"居家养老服务站改造中", "托育服务点场地改造中"}},
}

// enterPlanWork has the first township of each county enter, offline,
// progress on its county's tasks 4 (居家社区养老) and 10 (托育服务) and
// one project; other townships enter none.
func enterPlanWork(st *agent.Store, divs *schema.Divisions, t *synth.PlannedTownship) error {
	county := t.Code.Ancestor(schema.LevelCounty)
	towns := divs.TownshipsOf(county)
	p, ok := schema.TaskPlanOf(t.Code)
	if !ok || len(towns) == 0 || towns[0] != t.Code {
		return nil
	}
	k := int(county[len(county)-1]-'0') % len(demoProgress)
	for i, task := range []string{"4", "10"} {
		d := demoProgress[(k+i)%len(demoProgress)]
		_, err := st.Put(schema.KindProgress, "", t.Code, schema.Progress{Task: schema.TaskID(county, p.ID, task),
			Date: fmt.Sprintf("2025-%02d-15", 9+i), Status: d.status, Percent: d.percent, Note: d.notes[i]})
		if err != nil {
			return fmt.Errorf("progress on task %s: %w", task, err)
		}
	}
	invest := float64(300 + 120*k)
	_, err := st.Put(schema.KindProject, "", t.Code, schema.Project{Name: t.Name + "区域养老服务中心", Kind: schema.ProjectExtend,
		InvestTotal: invest, InvestCentral: 150, InvestLocal: invest - 150, Beds: int64(40 + 10*k),
		StartYear: 2025, EndYear: 2026, Implementer: t.Name + "人民政府", Status: schema.ProjectBuilding,
		Percent: int64(20 + 15*k), Note: "主体工程施工中"})
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	return nil
}
