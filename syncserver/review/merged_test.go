package review

import (
	"context"
	"log/slog"
	"testing"

	"laoxiao/schema"
	"laoxiao/syncserver/store/badgerstore"
)

// TestReviewMergedFacility: a 幸福院 entered twice, both reporting, then
// merged. The review counts it once, with the survivor's report for a
// month both reported and the duplicate's for a month only it reported,
// and does not ask the duplicate for a report.
func TestReviewMergedFacility(t *testing.T) {
	st, err := badgerstore.Open(t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := &fixture{t: t, st: st}
	v := schema.Code(caoba + "001")
	f.put(schema.KindFacility, "fs", v, operating("草坝社区幸福院"))
	dup := operating("草坝幸福院")
	dup.MergedInto = "fs"
	f.put(schema.KindFacility, "fd", v, dup)
	f.put(schema.KindCapacity, schema.CapacityID("fs", "2025-03"), v, schema.Capacity{Facility: "fs", Period: "2025-03", BedsTotal: 30})
	f.put(schema.KindCapacity, schema.CapacityID("fd", "2025-03"), v, schema.Capacity{Facility: "fd", Period: "2025-03", BedsTotal: 99})
	f.put(schema.KindCapacity, schema.CapacityID("fd", "2025-02"), v, schema.Capacity{Facility: "fd", Period: "2025-02", BedsTotal: 28})
	f.commit(nil)
	r, err := Build(context.Background(), st, Options{Unit: caoba, Period: "2025-03", Divisions: schema.BuiltinDivisions()})
	if err != nil {
		t.Fatal(err)
	}
	tw := find(t, r, caoba)
	if tw.Current.Facilities != 1 || tw.Current.Reported != 1 || tw.Current.BedsTotal != 30 {
		t.Errorf("March %+v: want one facility reporting the survivor's 30 beds", tw.Current)
	}
	if tw.Previous.Facilities != 1 || tw.Previous.Reported != 1 || tw.Previous.BedsTotal != 28 {
		t.Errorf("February %+v: want the duplicate's 28 beds counted for the survivor", tw.Previous)
	}
	for _, fl := range tw.Flags {
		if fl.Code == FlagNoReport {
			t.Errorf("flag %+v: a merged facility asked for a report", fl)
		}
	}
}
