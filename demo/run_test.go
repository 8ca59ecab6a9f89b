package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"laoxiao/internal/plaintext"
	"laoxiao/schema"
	"laoxiao/syncserver/console"
	"laoxiao/synth"
)

// TestRunWritesTheBreakdownTable runs the whole main job: a server on
// Badger, 96 township agents entering and syncing, targets imported and
// split, and the table written in every format. The city row must show the
// plan's 37.8 beds per 1,000 elderly.
func TestRunWritesTheBreakdownTable(t *testing.T) {
	if testing.Short() {
		t.Skip("the full demo takes a while under -race; run without -short")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	opts := Options{Work: filepath.Join(dir, "work"), Out: filepath.Join(dir, "out"), Stdout: &out, Parallel: 4,
		KeyFile: filepath.Join(dir, "out", "server.key")}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"雅安市“一老一小”任务分解表", "每千名老年人养老床位数", "服务器已停止",
		"审核清单", "已锁定 / locked", "退回原因 / reason", "审核锁定",
		"疑似重复记录 / candidate duplicates", "身份证号相同", "已合并 / merged", "visit rate:", "已合并到",
		"二、重点任务及进展", "落实政府兜底线职能", "普惠托育点已全部开园", "三、重点项目", "区域养老服务中心"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The city row of beds per 1,000 elderly, in the text table.
	var cityRow string
	inBeds := false
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "每千名老年人养老床位数") {
			inBeds = true
		}
		if inBeds && strings.Contains(line, "雅安市(合计)") {
			cityRow = line
			break
		}
	}
	if !strings.Contains(cityRow, "37.8") {
		t.Errorf("city row of beds per 1,000 elderly is %q, want 37.8 as the plan states", cityRow)
	}
	for _, name := range []string{"breakdown-5118-2025.xlsx", "breakdown-5118-2025.csv", "breakdown-5118-2025.html", "targets-5118.csv"} {
		if fi, err := os.Stat(filepath.Join(opts.Out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	assertYaanDepartments(t, filepath.Join(opts.Out, "breakdown-5118-2025.csv"))
	f, err := excelize.OpenFile(filepath.Join(opts.Out, "breakdown-5118-2025.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n := len(f.GetSheetList()); n < 3 {
		t.Errorf("workbook has %d sheets, want the table, the townships' sync and the formulas", n)
	}
	accts, err := console.OpenAccounts(filepath.Join(opts.Work, "server"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := accts.Verify("county", DemoPassword); !ok || !a.PersonalData {
		t.Errorf("the demo's county console account does not sign in with the printed password, or cannot reveal: %+v", a)
	}
	if !strings.Contains(text, "make serve") {
		t.Error("output does not say how to open the console")
	}
	assertNoPersonalData(t, opts)
}

// assertNoPersonalData: the demo's stores, the server's and every
// township's, are encrypted, so no file under the work directory holds a
// demo person's ID number or name in plain text — what `grep -r` over
// demo-data/ would find. Nor does any table the demo wrote.
func assertNoPersonalData(t *testing.T, opts Options) {
	t.Helper()
	towns, err := synth.PlanCity(schema.BuiltinDivisions(), schema.BuiltinCity, 2025)
	if err != nil {
		t.Fatal(err)
	}
	var needles []string
	for i := 0; i < len(towns); i += 12 {
		for _, p := range towns[i].Persons[:min(3, len(towns[i].Persons))] {
			needles = append(needles, p.Person.IDNumber, p.Person.Name)
		}
	}
	if len(needles) == 0 {
		t.Fatal("the demo city has no persons to look for")
	}
	// The breakdown table counts persons and names none: its CSV and
	// HTML (the XLSX is zipped, so a grep could not tell) hold no one.
	hits, err := plaintext.Find(opts.Work, needles...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := plaintext.Find(opts.Out, needles...)
	if err != nil {
		t.Fatal(err)
	}
	hits = append(hits, out...)
	if len(hits) > 0 {
		t.Errorf("personal data in plain text under %s:\n%s", opts.Work, strings.Join(hits, "\n"))
	}
	if fi, err := os.Stat(opts.KeyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("server key file %s: %v", opts.KeyFile, err)
	}
}

// assertYaanDepartments: the indicator rows of 雅安's table name 雅安's own
// departments (市民政局), never 黔江's (区民政局), and a per-county minimum
// gives every county the whole figure.
func assertYaanDepartments(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("CSV has no column %s: %v", name, head)
		return -1
	}
	ind, lead, co, target := col("指标代码"), col("牵头单位"), col("配合单位"), col("目标值")
	seen := 0
	for _, r := range recs[1:] {
		if _, ok := schema.IndicatorByID(r[ind]); !ok {
			continue // the tasks' and projects' sections
		}
		seen++
		for _, d := range []string{r[lead], r[co]} {
			if strings.HasPrefix(d, "区") || strings.Contains(d, "、区") {
				t.Errorf("雅安 row %s %s names %q", r[0], r[ind], d)
			}
		}
		if r[ind] == "visit_rate_disabled_poor" && r[lead] != "市民政局" {
			t.Errorf("%s 失能特困老年人月探访率: lead %q, want 雅安's 市民政局", r[0], r[lead])
		}
		if r[ind] == "senior_universities" && r[2] == "" && r[target] != "≥1" {
			t.Errorf("%s 老年大学: target %q, want every county's own ≥1", r[0], r[target])
		}
	}
	if seen == 0 {
		t.Error("the CSV has no indicator rows")
	}
}
