package township

import (
	"testing"
	"time"

	"laoxiao/schema"
)

// TestLoadTasksLatestProgress: the township sees its county's tasks (not
// another county's) in the plan's order, each with its own latest report
// by date.
func TestLoadTasksLatestProgress(t *testing.T) {
	st := openStore(t)
	stamp := schema.MakeStamp(time.Now().Add(-time.Hour).UnixMilli(), 0)
	var entries []schema.LogEntry
	for i, task := range schema.PlanTasks("yaan")[:3] {
		for j, county := range []schema.Code{"511802", "511803"} {
			ch, err := schema.TaskChange(county, task)
			if err != nil {
				t.Fatal(err)
			}
			n := uint64(2*i + j + 1)
			ch.Stamp, ch.Device, ch.Seq = stamp+schema.Stamp(n), "county", n
			entries = append(entries, schema.LogEntry{Seq: n, Change: ch})
		}
	}
	if _, err := st.ApplyRemote(entries, uint64(len(entries))); err != nil {
		t.Fatal(err)
	}
	task2 := schema.TaskID("511802", "yaan", "2")
	for _, p := range []schema.Progress{
		{Task: task2, Date: "2025-10-01", Status: schema.ProgressUnderway, Percent: 70},
		{Task: task2, Date: "2025-09-01", Status: schema.ProgressUnderway, Percent: 20},
	} {
		if _, err := st.Put(schema.KindProgress, "", town, p); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := LoadTasks(st, town)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 3 || tasks[0].Number != "1" || tasks[1].ID != task2 || tasks[0].Unit != "511802" {
		t.Fatalf("tasks %+v, want 雨城区's three in plan order", tasks)
	}
	if !tasks[1].Has || tasks[1].Latest.Percent != 70 || tasks[0].Has {
		t.Errorf("latest progress: %+v / %+v", tasks[1], tasks[0])
	}
	if _, err := st.Put(schema.KindProject, "", town, schema.Project{Name: "敬老院改扩建", Kind: schema.ProjectExtend,
		Status: schema.ProjectPlanning}); err != nil {
		t.Fatal(err)
	}
	ps, err := LoadProjects(st, town)
	if err != nil || len(ps) != 1 || ps[0].Name != "敬老院改扩建" || ps[0].Unit != town {
		t.Errorf("projects %+v, %v", ps, err)
	}
}
