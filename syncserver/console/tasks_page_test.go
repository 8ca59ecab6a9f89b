package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"laoxiao/schema"
	"laoxiao/syncserver"
)

// taskFour is 雅安's task 4 as decomposed to 雨城区.
var taskFour = schema.TaskID("511802", "yaan", "4")

// loadTasks loads 雅安's tasks over its counties and puts a project in
// 草坝镇, as the city office and a township would.
func loadTasks(t *testing.T, f *fixture) (projectID string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.srv.LoadPlanTasks(ctx, syncserver.PlanLoad{Plan: "yaan", Unit: "5118"}); err != nil {
		t.Fatal(err)
	}
	set, err := schema.EncodeFields(schema.Project{Name: "草坝镇区域养老服务中心", Kind: schema.ProjectExtend, InvestTotal: 460,
		InvestCentral: 200, InvestLocal: 260, Beds: 60, StartYear: 2025, EndYear: 2026, Status: schema.ProjectBuilding, Percent: 35})
	if err != nil {
		t.Fatal(err)
	}
	projectID = schema.NewID()
	ack, err := f.srv.Ingest().SubmitServer(ctx, []schema.Change{{Kind: schema.KindProject, ID: projectID, Unit: "511802101", Set: set}})
	if err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("put a project: %v %+v", err, ack)
	}
	return projectID
}

// TestTasksInBrowser enters a progress report that breaks the schema's
// rule (已完成 at 50%) and reads the field's problem, then a right one,
// sees it on the page and in the 任务分解表's tasks part, and updates the
// project's status and progress.
func TestTasksInBrowser(t *testing.T) {
	f := newFixture(t)
	loadTasks(t, f)
	ctx := newBrowser(t)
	base := f.http.URL
	shots := screenshotDir(t)
	signIn(t, ctx, base, yuchengUser, testPassword, "#sync-table")

	// The table is built once before the report: the console keeps it
	// until the server accepts a change, so the report must show after.
	navigate(t, ctx, base+"/breakdown?unit=511802&year=2025")
	if s := text(t, ctx, "#report"); strings.Contains(s, "日间照料中心已覆盖8个村") {
		t.Fatal("the table shows the report before it was entered")
	}
	navigate(t, ctx, base+"/tasks?task="+url.QueryEscape(taskFour))
	if s := text(t, ctx, "#tasks-table"); !strings.Contains(s, "加强居家社区养老服务") || strings.Contains(s, "名山区") {
		t.Fatalf("雨城区's tasks:\n%.800s", s)
	}
	enter := func(status, percent, note, wait string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.ID("progress-status"), status),
			chromedp.SetValue(chromedp.CSS(`#progress-form input[name="percent"]`), percent),
			chromedp.SetValue(chromedp.CSS(`#progress-form input[name="note"]`), note),
			chromedp.Click(chromedp.ID("save-progress")), chromedp.WaitVisible(chromedp.CSS(wait)))
		if err != nil {
			t.Fatalf("enter progress %s %s: %v", status, percent, err)
		}
	}
	enter("done", "50", "已完成", "#progress-problems")
	if s := text(t, ctx, "#progress-problems"); !strings.Contains(s, "已完成时完成进度应为100%") {
		t.Errorf("problem of 已完成 at 50%%: %q", s)
	}
	enter("underway", "40", "日间照料中心已覆盖8个村", "#done")
	row := text(t, ctx, "#tasks-table")
	for _, want := range []string{"推进中", "40%", "日间照料中心已覆盖8个村", schema.Today(f.clock.Now())} {
		if !strings.Contains(row, want) {
			t.Errorf("tasks table after the report lacks %q", want)
		}
	}
	screenshot(t, ctx, shots, "console-tasks")

	navigate(t, ctx, base+"/breakdown?unit=511802&year=2025")
	if s := text(t, ctx, "#report"); !strings.Contains(s, "日间照料中心已覆盖8个村") || !strings.Contains(s, "推进中") {
		t.Errorf("the breakdown table's tasks part lacks the report")
	}

	navigate(t, ctx, base+"/tasks")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#projects-table a`)), chromedp.WaitVisible(chromedp.ID("project-form"))); err != nil {
		t.Fatal(err)
	}
	submitForm(t, ctx, "#project-form", map[string]string{"percent": "100"}, chromedp.WaitVisible(chromedp.ID("done")))
	if s := text(t, ctx, "#projects-table"); !strings.Contains(s, "100%") {
		t.Errorf("projects after the update:\n%s", s)
	}
}

// TestTasksForms: another county's unit is 403; a task or project
// outside the account is refused; a bad percentage is named; a project
// update changes status and progress only.
func TestTasksForms(t *testing.T) {
	f := newFixture(t)
	prj := loadTasks(t, f)
	c := signedIn(t, f, yuchengUser)
	if st, _ := c.get("/tasks?unit=511803"); st != http.StatusForbidden {
		t.Errorf("名山区's tasks: %d, want 403", st)
	}
	tok := c.token("/tasks")
	mingshanTask := schema.TaskID("511803", "yaan", "4")
	for _, tc := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/tasks/progress", url.Values{"unit": {"511803"}, "task": {mingshanTask}, "status": {"underway"}, "percent": {"10"}, "date": {"2025-06-30"}}, http.StatusForbidden},
		{"/tasks/progress", url.Values{"task": {mingshanTask}, "status": {"underway"}, "percent": {"10"}, "date": {"2025-06-30"}}, http.StatusBadRequest},
		{"/tasks/progress", url.Values{"task": {taskFour}, "status": {"underway"}, "percent": {"一百"}, "date": {"2025-06-30"}}, http.StatusBadRequest},
		{"/tasks/progress", url.Values{"task": {taskFour}, "status": {"underway"}, "percent": {"120"}, "date": {"2025-06-30"}}, http.StatusBadRequest},
		{"/tasks/progress", url.Values{"task": {taskFour}, "status": {"underway"}, "percent": {"10"}, "date": {"2999-01-01"}}, http.StatusBadRequest},
		{"/tasks/progress", url.Values{"task": {taskFour}, "status": {"underway"}, "percent": {"10"}, "date": {"2025-06-30"}}, http.StatusOK},
		{"/tasks/project", url.Values{"project": {"no-such"}, "status": {"built"}, "percent": {"100"}}, http.StatusNotFound},
		{"/tasks/project", url.Values{"project": {prj}, "status": {"built"}, "percent": {"90"}}, http.StatusBadRequest},
		{"/tasks/project", url.Values{"project": {prj}, "status": {"built"}, "percent": {"100"}, "note": {"已竣工"}}, http.StatusOK},
	} {
		tc.form.Set("csrf", tok)
		if st, _ := c.post(tc.path, tc.form); st != tc.want {
			t.Errorf("%s %v: %d, want %d", tc.path, tc.form, st, tc.want)
		}
	}
	r, err := f.srv.Store().Record(context.Background(), schema.KindProject, prj)
	if err != nil {
		t.Fatal(err)
	}
	var p schema.Project
	if err := r.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != schema.ProjectBuilt || p.Percent != 100 || p.Note != "已竣工" || p.InvestTotal != 460 || p.Beds != 60 {
		t.Errorf("project after the update: %+v", p)
	}
}
