package schema

import (
	"strings"
	"testing"
)

func validTask() Task {
	return Task{Plan: "yaan", Number: "1", Title: "落实政府兜底线职能", Lead: "市民政局、市卫生健康委", Deadline: "2025"}
}

func validProgress() Progress {
	return Progress{Task: TaskID("511802", "yaan", "1"), Date: "2025-06-10", Status: ProgressUnderway, Percent: 40, Note: "已完成摸底"}
}

func validProject() Project {
	return Project{Name: "东城街道养老服务中心改扩建", Kind: ProjectExtend, InvestTotal: 6711.98, InvestCentral: 1575,
		InvestLocal: 5136.98, Beds: 200, StartYear: 2023, EndYear: 2024, Implementer: "区民政局",
		Status: ProjectBuilding, Percent: 35}
}

func TestPlanRecordsValid(t *testing.T) {
	ctx := testCtx()
	ctx.Scope = "" // a city office writes the city's own tasks
	for _, tc := range []struct {
		kind Kind
		unit Code
		v    any
	}{
		{KindTask, "511802", validTask()},
		{KindTask, "5118", ptr(validTask())},
		{KindProgress, "511802", validProgress()},
		{KindProgress, township, ptr(validProgress())},
		{KindProgress, township, Progress{Task: "t", Date: "2025-06-15", Status: ProgressDone, Percent: 100}},
		{KindProject, township, validProject()},
		{KindProject, "511802", Project{Name: "敬老院", Kind: ProjectNew, Status: ProjectPlanning}},
		{KindProject, village, Project{Name: "托育点", Kind: ProjectNew, Status: ProjectInUse, Percent: 100, InvestTotal: 10, InvestCentral: 10}},
	} {
		if ps := ValidateRecord(tc.kind, tc.unit, tc.v, ctx); len(ps) != 0 {
			t.Errorf("%s %+v: %v", tc.kind, tc.v, ps)
		}
	}
}

// TestPlanRecordRules checks each rule names its field in Chinese.
func TestPlanRecordRules(t *testing.T) {
	ctx := testCtx()
	task := func(f func(*Task)) Task { v := validTask(); f(&v); return v }
	prog := func(f func(*Progress)) Progress { v := validProgress(); f(&v); return v }
	proj := func(f func(*Project)) Project { v := validProject(); f(&v); return v }
	for _, tc := range []struct {
		name  string
		kind  Kind
		unit  Code
		v     any
		field string
		zh    string
	}{
		{"task without title", KindTask, "511802", task(func(v *Task) { v.Title = " " }), "task.title", "任务名称不能为空"},
		{"task without plan", KindTask, "511802", task(func(v *Task) { v.Plan = "" }), "task.plan", "所属规划不能为空"},
		{"task bad deadline", KindTask, "511802", task(func(v *Task) { v.Deadline = "明年" }), "task.deadline", "完成时限“明年”格式不正确"},
		{"task deadline year", KindTask, "511802", task(func(v *Task) { v.Deadline = "3025" }), "task.deadline", "完成时限3025不在"},
		{"progress at city", KindProgress, "5118", validProgress(), "progress.unit", "应登记在区县、乡镇(街道)或村(社区)"},
		{"progress without task", KindProgress, township, prog(func(v *Progress) { v.Task = "" }), "progress.task", "所属任务不能为空"},
		{"progress future", KindProgress, township, prog(func(v *Progress) { v.Date = "2025-07-01" }), "progress.date", "晚于今天"},
		{"progress status", KindProgress, township, prog(func(v *Progress) { v.Status = "x" }), "progress.status", "进展状态“x”不是可选的取值"},
		{"progress percent", KindProgress, township, prog(func(v *Progress) { v.Percent = 120 }), "progress.percent", "完成进度(120)应在0至100之间"},
		{"progress done not 100", KindProgress, township, prog(func(v *Progress) { v.Status = ProgressDone }), "progress.percent", "已完成时完成进度应为100%"},
		{"progress not started", KindProgress, township, prog(func(v *Progress) { v.Status = ProgressNotStarted }), "progress.percent", "未启动时完成进度应为0%"},
		{"project at city", KindProject, "5118", validProject(), "project.unit", "应登记在区县、乡镇(街道)或村(社区)"},
		{"project name", KindProject, township, proj(func(v *Project) { v.Name = "" }), "project.name", "项目名称不能为空"},
		{"project kind", KindProject, township, proj(func(v *Project) { v.Kind = "" }), "project.kind", "项目类型不能为空"},
		{"project status", KindProject, township, proj(func(v *Project) { v.Status = "done" }), "project.status", "项目状态“done”不是可选的取值"},
		{"project funds", KindProject, township, proj(func(v *Project) { v.InvestLocal = 5137 }), "project.invest_central", "之和超过总投资"},
		{"project negative", KindProject, township, proj(func(v *Project) { v.InvestTotal = -1 }), "project.invest_total", "总投资(-1)不能为负数"},
		{"project beds", KindProject, township, proj(func(v *Project) { v.Beds = -2 }), "project.beds", "新增床位(-2)不能为负数"},
		{"project years", KindProject, township, proj(func(v *Project) { v.EndYear = 2022 }), "project.end_year", "完工年份2022早于开工年份2023"},
		{"project built", KindProject, township, proj(func(v *Project) { v.Status = ProjectBuilt }), "project.percent", "项目状态为建成时建设进度应为100%"},
		{"project percent", KindProject, township, proj(func(v *Project) { v.Percent = -1 }), "project.percent", "建设进度(-1)应在0至100之间"},
	} {
		ps := ValidateRecord(tc.kind, tc.unit, tc.v, ctx)
		hit := false
		for _, p := range ps {
			hit = hit || p.Field == tc.field && strings.Contains(p.Zh, tc.zh)
		}
		if !hit {
			t.Errorf("%s: want %s with %q, got %v", tc.name, tc.field, tc.zh, ps)
		}
	}
}

// TestTaskIDIsDerived refuses a task stored under another id, so loading
// a plan twice cannot make two records of one task.
func TestTaskIDIsDerived(t *testing.T) {
	ctx := testCtx()
	good := change(t, KindTask, TaskID("511802", "yaan", "1"), "511802", validTask())
	wantOnly(t, ValidateChange(nil, good, ctx))
	bad := change(t, KindTask, "task-1", "511802", validTask())
	wantOnly(t, ValidateChange(nil, bad, ctx), "change.id")
}

// TestTasksFlowDownReadOnly: sites see tasks but do not write them;
// they write progress and projects.
func TestTasksFlowDownReadOnly(t *testing.T) {
	if KindTask.SiteWritable() || !KindTask.FlowsDown() {
		t.Error("a task is set by an office and flows down to sites")
	}
	for _, k := range []Kind{KindProgress, KindProject} {
		if !k.SiteWritable() || k.FlowsDown() {
			t.Errorf("%s is written where it happens and stays there", k)
		}
	}
	if KindProgress.Lockable(false) || KindProject.Lockable(false) {
		t.Error("progress and projects are not figures of a reviewed period")
	}
}

// TestFacilityLinksProject: a facility under construction names its
// project; the link is optional.
func TestFacilityLinksProject(t *testing.T) {
	f := validFacility()
	f.Status, f.Opened, f.Project = StatusBuilding, "", "prj:qianjiang:14"
	if ps := ValidateRecord(KindFacility, township, f, testCtx()); len(ps) != 0 {
		t.Fatal(ps)
	}
	// Unlinking is saving "": the field is always encoded, so the change
	// carries it and the merge takes it.
	set, err := EncodeFields(validFacility())
	if err != nil {
		t.Fatal(err)
	}
	if raw, ok := set["project"]; !ok || string(FieldText(raw)) != "" {
		t.Error("an unlinked facility's change does not say so")
	}
	if LabelOf(FacilityStatuses, string(StatusPlanned)) != "规划中" || LabelOf(FacilityStatuses, string(StatusBuilding)) != "在建" {
		t.Error("planned and under construction need their labels")
	}
}
