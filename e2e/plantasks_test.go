package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/report"
)

// TestTaskProgressAndProjectReachCountyTable: the city loads 雅安's tasks,
// decomposed to its counties; a township device of 雨城区 receives its
// county's tasks read-only, reports progress on one and enters a project,
// and both sync to 雨城区's breakdown table.
func TestTaskProgressAndProjectReachCountyTable(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t, t.TempDir(), nil)
	if _, err := srv.srv.LoadPlanTasks(ctx, syncserver.PlanLoad{Plan: "yaan", Unit: schema.BuiltinCity}); err != nil {
		t.Fatal(err)
	}
	town := newSite(t, srv, lockTown, "草坝镇", agent.Options{})
	town.mustSync(t)

	taskID := schema.TaskID(lockCounty, "yaan", "4")
	var task schema.Task
	n := 0
	if err := town.st.List(schema.KindTask, "", func(r *schema.Record) error {
		n++
		if r.Unit != lockCounty {
			t.Errorf("task %s of %s reached a township of %s", r.ID, r.Unit, lockCounty)
		}
		if r.ID == taskID {
			return r.Decode(&task)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 22 || task.Title != "加强居家社区养老服务" {
		t.Fatalf("the township has %d tasks (want its county's 22), task 4 %+v", n, task)
	}
	if _, err := town.st.Put(schema.KindTask, taskID, lockCounty, task); err == nil {
		t.Fatal("a township edited its county's task")
	}

	if _, err := town.st.Put(schema.KindProgress, "", lockTown, schema.Progress{Task: taskID, Date: "2025-11-20",
		Status: schema.ProgressUnderway, Percent: 60, Note: "日间照料中心已覆盖12个村"}); err != nil {
		t.Fatal(err)
	}
	if _, err := town.st.Put(schema.KindProject, "", lockTown, schema.Project{Name: "草坝镇区域养老服务中心",
		Kind: schema.ProjectExtend, InvestTotal: 460, InvestCentral: 200, InvestLocal: 260, Beds: 60,
		StartYear: 2025, EndYear: 2026, Implementer: "草坝镇人民政府", Status: schema.ProjectBuilding, Percent: 35}); err != nil {
		t.Fatal(err)
	}
	town.mustSync(t)

	tbl, err := report.Build(ctx, srv.srv.Engine(), report.Options{Unit: lockCounty, Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Tasks) != 22 {
		t.Fatalf("雨城区's table has %d tasks, want 22", len(tbl.Tasks))
	}
	var row *report.TaskRow
	for i := range tbl.Tasks {
		if tbl.Tasks[i].ID == taskID {
			row = &tbl.Tasks[i]
		}
	}
	if row == nil || row.Latest == nil || row.Latest.Unit.Code != lockTown || row.Latest.Progress.Percent != 60 {
		t.Fatalf("task 4's row: %+v", row)
	}
	if len(tbl.Projects) != 1 || tbl.Projects[0].Project.Name != "草坝镇区域养老服务中心" || tbl.Projects[0].Unit.Code != lockTown {
		t.Fatalf("projects: %+v", tbl.Projects)
	}
	var csv bytes.Buffer
	if err := tbl.Write(&csv, report.FormatCSV); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"日间照料中心已覆盖12个村", "草坝镇区域养老服务中心,改扩建,460.00,200.00,260.00,60"} {
		if !strings.Contains(csv.String(), want) {
			t.Errorf("the county's CSV lacks %q", want)
		}
	}
	checkConverged(t, srv, []*site{town})
}
