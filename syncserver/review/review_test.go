package review

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

const (
	county schema.Code = "511802"
	caoba  schema.Code = "511802101" // 草坝镇, which syncs
	other  schema.Code = "511802107" // 上里镇, without a device
)

// fixture writes records straight into a store, as its writer would have
// merged them; the review reads whatever the store holds, valid or not.
type fixture struct {
	t    *testing.T
	st   *badgerstore.DB
	recs []*schema.Record
}

func (f *fixture) put(kind schema.Kind, id string, unit schema.Code, v any) {
	set, err := schema.EncodeFields(v)
	if err != nil {
		f.t.Fatal(err)
	}
	rec, _, err := schema.Merge(nil, &schema.Change{Kind: kind, ID: id, Unit: unit, Set: set,
		Stamp: schema.MakeStamp(1, 0), Device: "d", Seq: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	f.recs = append(f.recs, rec)
}

func (f *fixture) commit(marks map[string]store.Mark) {
	if err := f.st.Commit(context.Background(), &store.Group{Records: f.recs, Marks: marks}); err != nil {
		f.t.Fatal(err)
	}
}

func operating(name string) schema.Facility {
	return schema.Facility{Name: name, Kind: schema.FKTekunHome, Ownership: schema.OwnPublic, Status: schema.StatusOperating, Opened: "2020-01-01"}
}

func TestReview(t *testing.T) {
	st, err := badgerstore.Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := &fixture{t: t, st: st}
	v := schema.Code(caoba + "001")
	f.put(schema.KindFacility, "f1", v, operating("草坝镇敬老院"))
	f.put(schema.KindFacility, "f2", v, operating("草坝镇日间照料中心"))
	f.put(schema.KindFacility, "f3", v, schema.Facility{Name: "已关闭", Status: schema.StatusClosed})
	f.put(schema.KindFacility, "f4", v, schema.Facility{Name: "四月开业", Status: schema.StatusOperating, Opened: "2025-04-01"})
	f.put(schema.KindCapacity, schema.CapacityID("f1", "2025-02"), v, schema.Capacity{Facility: "f1", Period: "2025-02", BedsTotal: 100, BedsOccupied: 50})
	f.put(schema.KindCapacity, schema.CapacityID("f1", "2025-03"), v, schema.Capacity{Facility: "f1", Period: "2025-03", BedsTotal: 160, BedsOccupied: 170, BedsNursing: 20})
	f.put(schema.KindCapacity, schema.CapacityID("f2", "2025-02"), v, schema.Capacity{Facility: "f2", Period: "2025-02", BedsTotal: 10})
	f.put(schema.KindVisit, "v1", v, schema.Visit{Person: "p", Date: "2025-03-02", Kind: schema.VisitMonthly})
	lock, _ := schema.EncodeFields(schema.Lock{Period: "2025-03", By: "雨城区民政局", At: "2025-04-02T10:00:00+08:00", Reason: "已审核"})
	f.recs = append(f.recs, &schema.Record{Kind: schema.KindLock, ID: "lock-1", Unit: county, Fields: lock,
		Versions: map[string]schema.Version{"period": {Stamp: 1, Device: "server"}}})
	synced := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	if err := st.PutDevice(ctx, store.Device{ID: "dev-caoba", Scope: caoba, Role: store.RoleSite}); err != nil {
		t.Fatal(err)
	}
	f.commit(map[string]store.Mark{"dev-caoba": {HighWater: 9, At: synced}})

	r, err := Build(ctx, st, Options{Unit: county, Period: "2025-03", Divisions: schema.BuiltinDivisions()})
	if err != nil {
		t.Fatal(err)
	}
	if r.Previous != "2025-02" || len(r.Townships) < 2 {
		t.Fatalf("review %+v", r)
	}
	tw := find(t, r, caoba)
	want := Figures{Facilities: 2, Reported: 1, BedsTotal: 160, BedsOccupied: 170, BedsNursing: 20, Visits: 1}
	if tw.Current != want || tw.Previous.BedsTotal != 110 || tw.Previous.Reported != 2 {
		t.Errorf("草坝镇 now %+v, before %+v", tw.Current, tw.Previous)
	}
	if tw.Lock != "lock-1" || tw.Devices != 1 || !tw.LastSync.Equal(synced) {
		t.Errorf("草坝镇 lock %q, devices %d, last sync %v", tw.Lock, tw.Devices, tw.LastSync)
	}
	codes := map[FlagCode]int{}
	for _, fl := range tw.Flags {
		codes[fl.Code]++
	}
	if codes[FlagNoReport] != 1 || codes[FlagOccupiedAboveBeds] != 1 || codes[FlagBigChange] != 1 || codes[FlagNeverSynced] != 0 {
		t.Errorf("草坝镇 flags %+v", tw.Flags)
	}
	if o := find(t, r, other); len(o.Flags) != 1 || o.Flags[0].Code != FlagNeverSynced {
		t.Errorf("township without a device: %+v", o.Flags)
	}

	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"160 (110)", "草坝镇日间照料中心 2025-03未填报", "已入住床位(170)超过床位总数(160)", "从未同步", "locked"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
}

func find(t *testing.T, r *Review, code schema.Code) Township {
	t.Helper()
	for _, tw := range r.Townships {
		if tw.Code == code {
			return tw
		}
	}
	t.Fatalf("no township %s in the review", code)
	return Township{}
}

func TestPreviousPeriod(t *testing.T) {
	for in, want := range map[string]string{"2025-03": "2025-02", "2025-01": "2024-12", "2025": "2024"} {
		if got, err := PreviousPeriod(in); err != nil || got != want {
			t.Errorf("PreviousPeriod(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2025-3", "2025-03-01", "twenty"} {
		if _, err := PreviousPeriod(bad); err == nil {
			t.Errorf("PreviousPeriod(%q) accepted", bad)
		}
	}
}
