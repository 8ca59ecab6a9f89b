package indicators

import (
	"testing"

	"laoxiao/schema"
)

// TestEngineLocksAreNotData: a county's review lock, like its targets, is
// set from above; a county with nothing but locks still has no data.
func TestEngineLocksAreNotData(t *testing.T) {
	f := buildCity(t)
	lock := schema.Lock{Period: "2025-05", By: "测试市民政局", At: "2025-06-01T10:00:00+08:00", Reason: "已审核"}
	f.put("lock-county", "990203", lock)
	f.put("lock-town", "990203001", lock)
	f.commit()
	r := evaluate(t, f.st, testDivisions(t), "9902", "2025-06")
	if u := r.Units["990203"]; u == nil || u.Records != 0 {
		t.Fatalf("county 990203 with only locks: %+v, want no records", u)
	}
	if v := value(t, r, "990203", "beds_total"); v.Present {
		t.Errorf("beds of a county with only locks: %v, want absent", v.Value)
	}
}
