package realwindow

import (
	"testing"
	"time"

	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/synth"
)

// sendCountyTasks puts the county's tasks (雅安's plan decomposed to
// 雨城区) into the closed data folder as a sync download would.
func sendCountyTasks(t *testing.T, dir string) {
	t.Helper()
	st := openStore(t, dir)
	cursor := st.Cursor()
	county := synth.DefaultTownship.Ancestor(schema.LevelCounty)
	stamp := schema.MakeStamp(time.Now().Add(-time.Hour).UnixMilli(), 0)
	var entries []schema.LogEntry
	for i, task := range schema.PlanTasks("yaan") {
		ch, err := schema.TaskChange(county, task)
		if err != nil {
			t.Fatal(err)
		}
		ch.Stamp, ch.Device, ch.Seq = stamp+schema.Stamp(i), "county-"+string(county), uint64(i+1)
		entries = append(entries, schema.LogEntry{Seq: cursor + uint64(i+1), Change: ch})
	}
	if _, err := st.ApplyRemote(entries, cursor+uint64(len(entries))); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestProjectAndProgressEnteredByTyping: on the 项目 tab a project is
// registered with Chinese typed through key events and its dropdowns
// chosen by clicks, and progress is reported on a task the county sent
// down; both are in the store afterwards.
func TestProjectAndProgressEnteredByTyping(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	sendCountyTasks(t, dir)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "projects")
	a.find("共 0 个项目", false)
	a.shot("projects")

	// An empty save names the fields.
	a.click("保存项目 (Ctrl+S)")
	a.find("项目名称不能为空", false)
	a.fill("项目名称", "草坝镇区域养老服务中心")
	a.choose("请选择项目类型", "改扩建")
	a.fill("总投资(万元)", "460")
	a.fill("其中中央资金", "200")
	a.fill("其中地方资金", "二百六")
	a.fill("新增床位", "60")
	a.fill("开工年份", "2025")
	a.fill("完工年份", "2026")
	// The wheel turns over the labels column: an entry under the
	// pointer would take the wheel for itself.
	label := a.find("组织实施单位", false)
	formX, formY := int(label.X)+10, 600
	a.fill("组织实施单位", "草坝镇人民政府")
	a.choose("谋划", "在建")
	a.scrollTo("建设进度(%)", formX, formY)
	a.fill("建设进度(%)", "35")
	a.fill("备注", "主体封顶")
	a.key("ctrl+s")
	// 地方资金 typed in words is refused beside its input, nothing saved.
	a.showing("地方资金“二百六”不是数字")
	a.shot("project-problem")
	a.scrollTo("其中地方资金", formX, formY)
	a.fill("其中地方资金", "260")
	a.key("ctrl+s")
	a.find("共 1 个项目", false)
	a.find("编辑项目：草坝镇区域养老服务中心", false)
	a.shot("project-saved")

	// Progress on the county's task 4.
	a.scrollTo("保存任务进展", formX, formY)
	a.choose("请选择任务", "4 加强居家社区养老服务")
	a.showing("牵头：市民政局")
	a.choose("请选择进展状态", "推进中")
	a.fill("完成进度(%)", "60")
	a.fill("进展说明", "日间照料中心已覆盖12个村")
	a.key("Return") // Enter in the form saves it, like the button
	a.showing("上次填报")
	a.shot("progress-saved")

	// The township's 敬老院 is being rebuilt by the project: 在建, linked.
	a.click("机构")
	a.click("草坝镇敬老院")
	a.find("编辑机构：草坝镇敬老院", false)
	a.choose("运营中", "在建")
	a.scrollTo("所属项目", formX, formY)
	a.choose("无", "草坝镇区域养老服务中心")
	a.key("ctrl+s")
	a.showing("机构“草坝镇敬老院”")
	a.shot("facility-linked")

	a.quit()
	st := openStore(t, dir)
	projects, err := township.LoadProjects(st, synth.DefaultTownship)
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 1 {
		t.Fatalf("%d projects in the store, want the one typed in", len(projects))
	}
	p := projects[0]
	want := schema.Project{Name: "草坝镇区域养老服务中心", Kind: schema.ProjectExtend, InvestTotal: 460, InvestCentral: 200,
		InvestLocal: 260, Beds: 60, StartYear: 2025, EndYear: 2026, Implementer: "草坝镇人民政府",
		Status: schema.ProjectBuilding, Percent: 35, Note: "主体封顶"}
	if p.Project != want || p.Unit != synth.DefaultTownship {
		t.Errorf("stored %s %+v, want %+v at the township", p.Unit, p.Project, want)
	}
	facs, err := township.LoadFacilities(st, synth.DefaultTownship)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range facs {
		if f.Name == "草坝镇敬老院" && (f.Project != p.ID || f.Status != schema.StatusBuilding) {
			t.Errorf("草坝镇敬老院 stored with project %q and status %q, want %q and building", f.Project, f.Status, p.ID)
		}
	}
	tasks, err := township.LoadTasks(st, synth.DefaultTownship)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tasks {
		if tk.Number != "4" {
			continue
		}
		if !tk.Has || tk.Latest.Status != schema.ProgressUnderway || tk.Latest.Percent != 60 ||
			tk.Latest.Note != "日间照料中心已覆盖12个村" || tk.Latest.Date != township.Today(time.Now()) {
			t.Errorf("task 4's progress in the store: %+v (has %v)", tk.Latest, tk.Has)
		}
		return
	}
	t.Fatalf("task 4 is not in the store (%d tasks)", len(tasks))
}
