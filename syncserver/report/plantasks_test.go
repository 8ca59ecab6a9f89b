package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"laoxiao/schema"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/plans"
	"laoxiao/synth/benchcity"
)

// planFixture is the small city with 雅安's tasks decomposed to its
// counties, progress from a county and its townships, and two projects.
type planFixture struct {
	*cityFixture
	counties []schema.Code
}

func newPlanCity(t *testing.T) *planFixture {
	t.Helper()
	ctx := context.Background()
	c := newCity(t)
	in, err := ingest.New(ctx, c.st, ingest.Options{Divisions: func() *schema.Divisions { return c.divs },
		Now: func() time.Time { return reportNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	counties := c.divs.Descendants(benchcity.Code, schema.LevelCounty)
	if _, err := plans.LoadTasks(ctx, in, c.divs, "yaan", benchcity.Code); err != nil {
		t.Fatal(err)
	}
	c1, c2 := counties[0], counties[1]
	town1, town2 := c.divs.TownshipsOf(c1)[0], c.divs.TownshipsOf(c2)[0]
	task1 := schema.TaskID(c1, "yaan", "1")
	var changes []schema.Change
	add := func(kind schema.Kind, id string, unit schema.Code, v any) {
		set, err := schema.EncodeFields(v)
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, schema.Change{Kind: kind, ID: id, Unit: unit, Set: set})
	}
	add(schema.KindProgress, "pg-1", town1, schema.Progress{Task: task1, Date: "2026-02-01", Status: schema.ProgressUnderway, Percent: 40, Note: "敬老院选址完成"})
	add(schema.KindProgress, "pg-2", c1, schema.Progress{Task: task1, Date: "2026-03-01", Status: schema.ProgressBehind, Percent: 30, Note: "资金未到位"})
	// Another county's township cannot report on this county's task.
	add(schema.KindProgress, "pg-3", town2, schema.Progress{Task: task1, Date: "2026-03-05", Status: schema.ProgressDone, Percent: 100})
	add(schema.KindProject, "prj-1", town1, schema.Project{Name: "中心敬老院改扩建", Kind: schema.ProjectExtend, InvestTotal: 820.5,
		InvestCentral: 300, InvestLocal: 520.5, Beds: 120, StartYear: 2025, EndYear: 2026, Implementer: "县民政局",
		Status: schema.ProjectBuilding, Percent: 45, Note: "主体封顶"})
	add(schema.KindProject, "prj-2", c2, schema.Project{Name: "县托育综合服务中心", Kind: schema.ProjectNew, InvestTotal: 1200,
		Places: 150, StartYear: 2026, EndYear: 2027, Status: schema.ProjectPlanning})
	ack, err := in.SubmitServer(ctx, changes)
	if err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("write: %v %+v", err, ack)
	}
	return &planFixture{cityFixture: c, counties: counties}
}

func TestTablePlanParts(t *testing.T) {
	c := newPlanCity(t)
	tb := c.table(t)
	if want := 22 * len(c.counties); len(tb.Tasks) != want {
		t.Fatalf("%d task rows, want %d (22 tasks × %d counties)", len(tb.Tasks), want, len(c.counties))
	}
	first := tb.Tasks[0]
	if first.Unit.Code != c.counties[0] || first.Task.Number != "1" || tb.Tasks[1].Task.Number != "1" ||
		tb.Tasks[len(c.counties)].Task.Number != "2" {
		t.Errorf("tasks are not in plan order, then county: %+v %+v", first, tb.Tasks[len(c.counties)])
	}
	l := first.Latest
	if l == nil || l.ID != "pg-2" || l.Unit.Code != c.counties[0] || first.Reports != 2 {
		t.Fatalf("latest progress of task 1 in the first county: %+v (reports %d); want the county's own of 2026-03-01 of 2", l, first.Reports)
	}
	if tb.Tasks[1].Latest != nil {
		t.Errorf("the second county has no report of its own: %+v", tb.Tasks[1].Latest)
	}
	if len(tb.Projects) != 2 || tb.Projects[0].Project.Name != "中心敬老院改扩建" {
		t.Errorf("projects by unit: %+v", tb.Projects)
	}
}

func TestPlanPartsInEveryFormat(t *testing.T) {
	c := newPlanCity(t)
	tb := c.table(t)
	county := tb.Tasks[0].Unit.Name
	csvOut := string(render(t, tb, FormatCSV))
	for _, want := range []string{"\n二、重点任务及进展,", "\n三、重点项目,",
		"1,雅安市,1,落实政府兜底线职能,市民政局、市卫生健康委、市财政局、市医疗保障局,,2022," + county + ",滞后,30,资金未到位,2026-03-01," + county,
		",合计,2个项目,,2020.50,300.00,520.50,120,150,"} {
		if !strings.Contains(csvOut, want) {
			t.Errorf("CSV lacks %q", want)
		}
	}
	text := string(render(t, tb, FormatText))
	for _, want := range []string{"二、重点任务及进展", "三、重点项目", "中心敬老院改扩建", "资金未到位", "未填报"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	html := string(render(t, tb, FormatHTML))
	for _, want := range []string{"<h2>二、重点任务及进展</h2>", "<td class=\"notmet\">滞后</td>", "<td class=\"num\">820.50</td>",
		"<td class=\"wrap\">市民政局、市卫生健康委、市财政局、市医疗保障局</td>", "td.wrap { white-space: normal;"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(render(t, tb, FormatXLSX)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{"D2": "落实政府兜底线职能", "I2": "滞后", "J2": "30", "H2": county} {
		if got, _ := f.GetCellValue(sheetTasks, cell); got != want {
			t.Errorf("%s!%s = %q, want %q", sheetTasks, cell, got, want)
		}
	}
	if typ, _ := f.GetCellType(sheetProjects, "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("investment cell has type %v, want a number", typ)
	}
	if got, _ := f.GetCellValue(sheetProjects, "E4"); got != "2020.50" {
		t.Errorf("investment total %q, want 2020.50", got)
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{{"市民政局", 8, "市民政局"}, {"市民政局、市卫生健康委", 9, "市民政局…"}, {"abc", 2, "a…"}} {
		if got := clip(c.in, c.w); got != c.want || displayWidth(got) > c.w {
			t.Errorf("clip(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}
