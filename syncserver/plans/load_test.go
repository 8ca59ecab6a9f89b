package plans

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store/badgerstore"
)

var testNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type server struct {
	st *badgerstore.DB
	in *ingest.Ingester
}

// newServer is a real store and writer validating against divs.
func newServer(t *testing.T, divs *schema.Divisions) *server {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ingest.New(context.Background(), st, ingest.Options{Divisions: func() *schema.Divisions { return divs },
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); st.Close() })
	return &server{st: st, in: in}
}

func (s *server) records(t *testing.T, kind schema.Kind) map[string]*schema.Record {
	t.Helper()
	out := map[string]*schema.Record{}
	err := s.st.ScanRecords(context.Background(), "", func(r *schema.Record) error {
		if r.Kind == kind && !r.IsDeleted() {
			out[r.ID] = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoadTasksDecomposesToCounties(t *testing.T) {
	ctx := context.Background()
	divs := schema.BuiltinDivisions()
	s := newServer(t, divs)
	counties := divs.Descendants("5118", schema.LevelCounty)
	for range 2 { // loading again rewrites the same records
		sum, err := LoadTasks(ctx, s.in, divs, "yaan", "5118")
		if err != nil {
			t.Fatal(err)
		}
		if sum.Tasks != 22*len(counties) || len(sum.Units) != len(counties) {
			t.Fatalf("summary %+v, want 22 tasks for each of %d counties", sum, len(counties))
		}
	}
	recs := s.records(t, schema.KindTask)
	if len(recs) != 22*len(counties) {
		t.Fatalf("%d task records, want %d", len(recs), 22*len(counties))
	}
	r := recs[schema.TaskID("511802", "yaan", "1")]
	if r == nil {
		t.Fatal("雨城区 has no task 1")
	}
	var task schema.Task
	if err := r.Decode(&task); err != nil {
		t.Fatal(err)
	}
	if r.Unit != "511802" || task.Lead != "市民政局、市卫生健康委、市财政局、市医疗保障局" || task.Title != "落实政府兜底线职能" {
		t.Errorf("task 1 of 雨城区: %s %+v", r.Unit, task)
	}
}

func TestLoadTasksRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	divs := schema.BuiltinDivisions()
	s := newServer(t, divs)
	if _, err := LoadTasks(ctx, s.in, divs, "nanjing", "5118"); !errors.Is(err, ErrUnknownPlan) || !strings.Contains(err.Error(), "规划“nanjing”不存在") {
		t.Errorf("unknown plan: %v", err)
	}
	if _, err := LoadTasks(ctx, s.in, divs, "yaan", "511802001"); err == nil || !strings.Contains(err.Error(), "任务分解到区县") {
		t.Errorf("a township: %v", err)
	}
	if _, err := LoadTasks(ctx, s.in, divs, "qianjiang", "500114"); err == nil || !strings.Contains(err.Error(), "区划代码500114不存在") {
		t.Errorf("a unit the server does not know: %v", err)
	}
	if n := len(s.records(t, schema.KindTask)); n != 0 {
		t.Errorf("%d tasks written by refused loads", n)
	}
}

// qianjiangDivisions is the registry part 黔江's projects stand in.
func qianjiangDivisions(t *testing.T) *schema.Divisions {
	t.Helper()
	d := schema.NewDivisions()
	for _, c := range []struct{ code, name string }{{"50", "重庆市"}, {"5001", "市辖区"}, {"500114", "黔江区"},
		{"500114001", "城东街道"}, {"500114002", "城南街道"}, {"500114003", "城西街道"}, {"500114004", "正阳街道"}, {"500114005", "舟白街道"}} {
		code := schema.Code(c.code)
		u := schema.Unit{Code: code, Name: c.name, Level: code.Level()}
		if len(code) > 2 {
			u.Parent = code.Parent()
		}
		if err := d.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// TestLoadProjectsKeepsLocalProgress: a reload rewrites the plan's
// wording but not the status and progress the township entered since.
func TestLoadProjectsKeepsLocalProgress(t *testing.T) {
	ctx := context.Background()
	s := newServer(t, qianjiangDivisions(t))
	sum, err := LoadProjects(ctx, s.in, s.st, "qianjiang", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Projects != 16 {
		t.Fatalf("%d projects, want 16", sum.Projects)
	}
	id := schema.PlanProjectID("qianjiang", "14")
	var p schema.Project
	if err := s.records(t, schema.KindProject)[id].Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != schema.ProjectBuilding || p.InvestTotal != 7592 || p.Beds != 500 {
		t.Errorf("project 14 as loaded: %+v", p)
	}
	set, err := schema.EncodeFields(struct {
		Status  schema.ProjectStatus `cbor:"status"`
		Percent int64                `cbor:"percent"`
	}{schema.ProjectBuilt, 100})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := s.in.SubmitServer(ctx, []schema.Change{{Kind: schema.KindProject, ID: id, Unit: "500114005", Set: set}})
	if err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("update: %v %+v", err, ack)
	}
	if _, err := LoadProjects(ctx, s.in, s.st, "qianjiang", testNow); err != nil {
		t.Fatal(err)
	}
	p = schema.Project{}
	if err := s.records(t, schema.KindProject)[id].Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != schema.ProjectBuilt || p.Percent != 100 || p.Name == "" {
		t.Errorf("after reload: %+v", p)
	}
}

func TestLoadProjectsNeedsTheUnits(t *testing.T) {
	s := newServer(t, schema.BuiltinDivisions())
	_, err := LoadProjects(context.Background(), s.in, s.st, "gangcheng", testNow)
	if err == nil || !strings.Contains(err.Error(), "370117不存在") {
		t.Errorf("钢城 on a server that knows only 雅安: %v", err)
	}
	if _, err := LoadProjects(context.Background(), s.in, s.st, "yaan", testNow); err == nil || !strings.Contains(err.Error(), "没有项目清单") {
		t.Errorf("a plan without projects: %v", err)
	}
}
