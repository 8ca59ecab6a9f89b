package cli

import (
	"strings"
	"testing"
)

// TestImportProjects: a township imports its projects from a spreadsheet
// saved as CSV, values as the Chinese labels staff type, and updates one
// by id in a second file; a row whose funds exceed the total is refused by
// field, in Chinese, and nothing of that file is written.
func TestImportProjects(t *testing.T) {
	dir := t.TempDir()
	csvText := "\ufeffkind,unit,id,name,project.kind,invest_total,invest_central,invest_local,beds,places,start_year,end_year,implementer,project.status,percent,note\n" +
		"project,511802001,,东城街道区域养老服务中心,改扩建,460,200,260,60,,2025,2026,东城街道办事处,在建,35,主体封顶\n" +
		"project,511802001001,,东大街社区托育点,新建,85.5,,85.5,,30,2026,2026,东大街社区,谋划,0,\n"
	out := mustRun(t, "--data", dir, "import", writeFile(t, t.TempDir(), "projects.csv", csvText))
	if !strings.Contains(out, "imported 2 row(s)") {
		t.Fatalf("import output: %s", out)
	}
	ps := listJSON(t, dir, "project")
	if len(ps) != 2 {
		t.Fatalf("projects = %+v", ps)
	}
	var centre listedRecord
	for _, p := range ps {
		if p.Fields["name"] == "东城街道区域养老服务中心" {
			centre = p
		}
	}
	if centre.Unit != township || centre.Fields["kind"] != "extend" || centre.Fields["status"] != "building" ||
		centre.Fields["invest_local"] != 260.0 || centre.Fields["beds"] != 60.0 || centre.Fields["percent"] != 35.0 {
		t.Fatalf("the centre as imported: %+v", centre)
	}

	update := "kind,unit,id,project.status,percent\n" + "project,511802001," + centre.ID + ",建成,100\n"
	mustRun(t, "--data", dir, "import", writeFile(t, t.TempDir(), "update.csv", update))
	for _, p := range listJSON(t, dir, "project") {
		if p.ID == centre.ID && (p.Fields["status"] != "built" || p.Fields["percent"] != 100.0 || p.Fields["invest_total"] != 460.0) {
			t.Errorf("after the update: %+v", p)
		}
	}

	before := storeState(t, dir)
	bad := "kind,unit,name,project.kind,invest_total,invest_central,invest_local,project.status\n" +
		"project,511802001,新项目,新建,100,80,40,谋划\n" +
		"task,511802,某任务,,,,,\n"
	code, _, errOut := run(t, "--data", dir, "import", writeFile(t, t.TempDir(), "bad.csv", bad))
	if code == 0 {
		t.Fatal("a file with a bad row was imported")
	}
	for _, want := range []string{"row 2 (第2行): project.invest_central", "中央资金(80万元)与地方资金(40万元)之和超过总投资(100万元)",
		"row 3 (第3行): column kind: task (任务)", "nothing of the file was imported"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error lacks %q:\n%s", want, errOut)
		}
	}
	if storeState(t, dir) != before {
		t.Error("the refused file changed the store")
	}
}
