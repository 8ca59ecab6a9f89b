package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
)

const (
	village  = "511802001001"
	township = "511802001"
)

// run runs the command and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("agent %v: exit %d\n%s", args, code, errOut)
	}
	return out
}

func listJSON(t *testing.T, dir, kind string, extra ...string) []listedRecord {
	t.Helper()
	out := mustRun(t, append([]string{"--data", dir, "list", kind, "--format", "json"}, extra...)...)
	var recs []listedRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("list output: %v\n%s", err, out)
	}
	return recs
}

func TestAddListRoundTrip(t *testing.T) {
	dir := t.TempDir()
	id := strings.TrimSpace(mustRun(t, "--data", dir, "add", "facility", "--unit", village,
		"--name", "东城日间照料中心", "--kind", "社区日间照料中心", "--ownership", "公办",
		"--inclusive", "--status", "operating", "--opened=2023-05-01", "--medical", "false", "--address", "东大街1号"))
	if id == "" {
		t.Fatal("no id printed")
	}
	recs := listJSON(t, dir, "facility")
	if len(recs) != 1 || recs[0].ID != id || recs[0].Unit != village || recs[0].UnitName != "东大街社区居委会" {
		t.Fatalf("list = %+v", recs)
	}
	f := recs[0].Fields
	want := map[string]any{"name": "东城日间照料中心", "kind": "day_care", "ownership": "public",
		"inclusive": true, "status": "operating", "opened": "2023-05-01", "medical": false, "address": "东大街1号"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("field %s = %v, want %v", k, f[k], v)
		}
	}

	// Editing by id changes only what is given.
	mustRun(t, "--data", dir, "add", "facility", "--id", id, "--status", "suspended")
	recs = listJSON(t, dir, "facility")
	if recs[0].Fields["status"] != "suspended" || recs[0].Fields["name"] != "东城日间照料中心" {
		t.Fatalf("after edit: %+v", recs[0].Fields)
	}
	// A capacity report for it, then the same month again with one figure.
	capID := strings.TrimSpace(mustRun(t, "--data", dir, "add", "capacity", "--unit", village,
		"--facility", id, "--period", "2025-01", "--beds_total", "40", "--beds_nursing", "20"))
	if capID != schema.CapacityID(id, "2025-01") {
		t.Fatalf("capacity id %q", capID)
	}
	mustRun(t, "--data", dir, "add", "capacity", "--facility", id, "--period", "2025-01", "--beds_occupied", "30")
	caps := listJSON(t, dir, "capacity", "--unit", township)
	if len(caps) != 1 || caps[0].Fields["beds_total"] != 40.0 || caps[0].Fields["beds_occupied"] != 30.0 {
		t.Fatalf("capacity = %+v", caps)
	}

	text := mustRun(t, "--data", dir, "list", "facility")
	if !strings.Contains(text, id) || !strings.Contains(text, "1 facility record(s)") {
		t.Fatalf("text list:\n%s", text)
	}
	status := mustRun(t, "--data", dir, "status")
	for _, want := range []string{"outbox, waiting to sync:   4", "parked, refused by server: 0", "device id:", "seq 1 at"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
}

func TestAddErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown field", []string{"add", "facility", "--unit", village, "--colour", "red"}, 2, []string{`no field "colour"`, "没有字段"}},
		{"not a number", []string{"add", "capacity", "--unit", village, "--facility", "f", "--period", "2025-01", "--beds_total", "many"}, 1, []string{"beds_total", "整数"}},
		{"invalid record", []string{"add", "facility", "--unit", village, "--kind", "day_care"}, 1,
			[]string{"facility.name", "facility name is required", "机构名称不能为空", "facility.ownership"}},
		{"target is read-only", []string{"add", "target", "--unit", village}, 1, []string{"read-only", "不可修改"}},
		{"no unit", []string{"add", "person", "--name", "张三"}, 2, []string{"--unit"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{"unknown command"}},
		{"bad format", []string{"list", "facility", "--format", "xml"}, 2, []string{"--format"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, append([]string{"--data", dir}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
	if code, _, _ := run(t, "status"); code != 2 {
		t.Fatalf("status without --data: exit %d", code)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func idNumber(t *testing.T, prefix17 string) string {
	t.Helper()
	id, err := schema.CompleteIDNumber(prefix17)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	// A BOM, as Excel writes "CSV UTF-8"; Chinese labels for values.
	csvText := "\ufeffkind,unit,id,name,facility.kind,ownership,status,inclusive,facility,period,beds_total,beds_nursing,categories,birth_date,id_number,year,resident,aged60\n" +
		"facility,511802001001,new:f1,东城敬老院,特困供养机构(敬老院),公办,operating,是,,,,,,,,,,\n" +
		"capacity,511802001001,,,,,,,new:f1,2025-01,40,25,,,,,,\n" +
		"person,511802001001,new:p1,张三,,,,,,,,,\"独居,失能\",1940-03-02," + idNumber(t, "51180219400302001") + ",,,\n" +
		"population,511802001,,,,,,,,,,,,,,2024,52000,12000\n" +
		"\n" +
		"facility,511802001001,new:f1,东城敬老院(新),,,,,,,,,,,,,,\n"
	path := writeFile(t, t.TempDir(), "ok.csv", csvText)
	out := mustRun(t, "--data", dir, "import", path)
	if !strings.Contains(out, "imported 5 row(s)") {
		t.Fatalf("import output: %s", out)
	}
	facs := listJSON(t, dir, "facility")
	if len(facs) != 1 || facs[0].Fields["name"] != "东城敬老院(新)" || facs[0].Fields["ownership"] != "public" ||
		facs[0].Fields["inclusive"] != true || facs[0].Fields["kind"] != "tekun_home" {
		t.Fatalf("facilities = %+v", facs)
	}
	caps := listJSON(t, dir, "capacity")
	if len(caps) != 1 || caps[0].Fields["facility"] != facs[0].ID || caps[0].Fields["beds_nursing"] != 25.0 {
		t.Fatalf("capacity = %+v", caps)
	}
	people := listJSON(t, dir, "person")
	if len(people) != 1 || fmt.Sprint(people[0].Fields["categories"]) != "[alone disabled]" {
		t.Fatalf("people = %+v", people)
	}
	if pops := listJSON(t, dir, "population"); len(pops) != 1 || pops[0].ID != schema.PopulationID(township, 2024) {
		t.Fatalf("population = %+v", pops)
	}

	// A second file refers to the stored person by id; a correction
	// supersedes a visit made by an earlier row.
	visits := "kind,unit,id,person,date,visit.kind,supersedes,outcome\n" +
		"visit,511802001001,new:v1," + people[0].ID + ",2025-02-01,monthly,,良好\n" +
		"visit,511802001001,," + people[0].ID + ",2025-02-02,特殊困难老年人月探访,new:v1,日期更正\n"
	mustRun(t, "--data", dir, "import", writeFile(t, t.TempDir(), "visits.csv", visits))
	vs := listJSON(t, dir, "visit")
	if len(vs) != 2 || vs[1].Fields["supersedes"] != vs[0].ID || vs[1].Fields["kind"] != "monthly" {
		t.Fatalf("visits = %+v", vs)
	}
}

// storeState is what a failed import must leave as it was.
func storeState(t *testing.T, dir string) string {
	t.Helper()
	s, err := agent.Open(dir, agent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "seq=%d outbox=%d\n", st.LastSeq, st.Outbox)
	for _, k := range schema.Kinds {
		err := s.List(k, "", func(r *schema.Record) error {
			fmt.Fprintf(&b, "%s %s %s %d\n", r.Kind, r.ID, r.Unit, len(r.Fields))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestImportBadRowWritesNothing(t *testing.T) {
	dir := t.TempDir()
	facID := strings.TrimSpace(mustRun(t, "--data", dir, "add", "facility", "--unit", village,
		"--name", "已有机构", "--kind", "elderly_institution", "--ownership", "private", "--status", "operating"))
	header := "kind,unit,id,name,facility.kind,ownership,status,facility,period,beds_total,beds_nursing\n"
	good := "facility,511802001001,new:a,新机构甲,day_care,public,operating,,,,\n" +
		"capacity,511802001001,,,,,," + facID + ",2025-02,30,10\n"
	tests := []struct {
		name string
		rows string // appended after the good rows, which are rows 2 and 3
		want []string
	}{
		{"validation error in row 4", "capacity,511802001001,,,,,," + facID + ",2025-03,10,12\n",
			[]string{"row 4", "capacity.beds_nursing", "护理型床位"}},
		{"unparsable number in row 4", "capacity,511802001001,,,,,," + facID + ",2025-03,ten,1\n",
			[]string{"row 4", "beds_total", "整数"}},
		{"unknown facility in row 4", "capacity,511802001001,,,,,,nope,2025-03,10,1\n",
			[]string{"row 4", "capacity.facility", "本站点及前面各行中没有"}},
		{"report under another unit than its facility in row 4 (found when writing)", "capacity,511802001,,,,,," + facID + ",2025-03,10,1\n",
			[]string{"row 4", "capacity.unit", "机构所属单位"}},
		{"field of another kind in row 5", "facility,511802001001,,乙,day_care,public,operating,,,,\n" +
			"facility,511802001001,,丙,day_care,public,operating,,,5,\n",
			[]string{"row 5", "beds_total", "请留空"}},
		{"unknown placeholder in row 4", "capacity,511802001001,,,,,,new:zzz,2025-03,10,1\n",
			[]string{"row 4", "new:zzz"}},
		{"unit outside the divisions in row 4", "facility,511802999001,,丁,day_care,public,operating,,,,\n",
			[]string{"row 4", "facility.unit"}},
		{"wrong cell count in row 4", "facility,511802001001\n", []string{"row 4", "header has 11"}},
		{"qualified column of another kind in row 4", "capacity,511802001001,,,day_care,,," + facID + ",2025-04,1,1\n",
			[]string{"row 4", "facility.kind"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := storeState(t, dir)
			path := writeFile(t, t.TempDir(), "bad.csv", header+good+tc.rows)
			code, _, errOut := run(t, "--data", dir, "import", path)
			if code != 1 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			for _, w := range append(tc.want, "nothing of the file was imported", "未导入任何记录") {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if after := storeState(t, dir); after != before {
				t.Fatalf("store changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func TestPassphraseFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LAOXIAO_TEST_PASS", "村里的密码")
	mustRun(t, "--data", dir, "--passphrase-env", "LAOXIAO_TEST_PASS", "add", "person", "--unit", village,
		"--name", "李四", "--categories", "高龄")
	out := mustRun(t, "--data", dir, "--passphrase-env", "LAOXIAO_TEST_PASS", "list", "person", "--full")
	if !strings.Contains(out, "李四") {
		t.Fatalf("list with passphrase:\n%s", out)
	}
	t.Setenv("LAOXIAO_TEST_PASS", "wrong")
	code, _, errOut := run(t, "--data", dir, "--passphrase-env", "LAOXIAO_TEST_PASS", "status")
	if code != 1 || !strings.Contains(errOut, "wrong passphrase") || !strings.Contains(errOut, "密码错误") {
		t.Fatalf("wrong passphrase: exit %d\n%s", code, errOut)
	}
	code, _, errOut = run(t, "--data", dir, "status")
	if code != 1 || !strings.Contains(errOut, "passphrase is required") {
		t.Fatalf("no passphrase: exit %d\n%s", code, errOut)
	}
	t.Setenv("LAOXIAO_TEST_PASS", "")
	if code, _, _ := run(t, "--data", dir, "--passphrase-env", "LAOXIAO_TEST_PASS", "status"); code != 2 {
		t.Fatalf("empty variable: exit %d", code)
	}
}

// TestListMasksPersons: a person's name and ID number are masked in every
// listing format unless --full is given; other kinds are never masked.
func TestListMasksPersons(t *testing.T) {
	dir := t.TempDir()
	id := idNumber(t, "51180219570328011")
	mustRun(t, "--data", dir, "add", "person", "--unit", village, "--name", "徐静怡", "--categories", "独居",
		"--birth_date", "1957-03-28", "--id_number", id)
	masked := "5118**********" + id[14:]
	for _, tc := range []struct {
		name        string
		args        []string
		want, never []string
	}{
		{"text", []string{"list", "person"}, []string{"徐*怡", masked}, []string{"徐静怡", id}},
		{"json", []string{"list", "person", "--format", "json"}, []string{"徐*怡", masked}, []string{"徐静怡", id}},
		{"text, full", []string{"list", "person", "--full"}, []string{"徐静怡", id}, nil},
		{"json, full", []string{"list", "person", "--format", "json", "--full"}, []string{"徐静怡", id}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := mustRun(t, append([]string{"--data", dir}, tc.args...)...)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(out, n) {
					t.Errorf("output shows %q:\n%s", n, out)
				}
			}
		})
	}
}
