package agent

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

type badgerTxn = badger.Txn

// remoteChanges makes changes as another device would send them.
func remoteChanges(t *testing.T, device string, base time.Time) []schema.LogEntry {
	t.Helper()
	facID := schema.NewID()
	perID := schema.NewID()
	st := func(i int) schema.Stamp {
		return schema.MakeStamp(base.Add(time.Duration(i)*time.Second).UnixMilli(), 0)
	}
	f := facility("远程机构")
	var out []schema.LogEntry
	add := func(ch schema.Change) {
		ch.Device = device
		ch.Seq = uint64(len(out) + 1)
		ch.Stamp = st(len(out))
		out = append(out, schema.LogEntry{Seq: uint64(100 + len(out)), Change: ch})
	}
	add(schema.Change{Kind: schema.KindFacility, ID: facID, Unit: village, Set: mustFields(t, f)})
	f.Name = "远程机构(改名)"
	add(schema.Change{Kind: schema.KindFacility, ID: facID, Unit: village, Set: schema.Fields{"name": mustFields(t, f)["name"]}})
	add(schema.Change{Kind: schema.KindPerson, ID: perID, Unit: village, Set: mustFields(t, person("远程老人"))})
	add(schema.Change{Kind: schema.KindVisit, ID: schema.NewID(), Unit: village, Set: mustFields(t, schema.Visit{Person: perID, Date: "2025-03-01", Kind: schema.VisitMonthly})})
	add(schema.Change{Kind: schema.KindTarget, ID: schema.TargetID(county, "nursing_bed_ratio", 2025), Unit: county,
		Set: mustFields(t, schema.Target{Indicator: "nursing_bed_ratio", Year: 2025, Value: 60})})
	gone := schema.NewID()
	add(schema.Change{Kind: schema.KindPerson, ID: gone, Unit: village, Set: mustFields(t, person("将删除"))})
	add(schema.Change{Kind: schema.KindPerson, ID: gone, Unit: village, Delete: true})
	// A delete of a record never seen here: kept as a tombstone.
	add(schema.Change{Kind: schema.KindFacility, ID: schema.NewID(), Unit: village, Delete: true})
	return out
}

func TestApplyRemoteIdempotent(t *testing.T) {
	clk := newFakeClock(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	s := openAt(t, t.TempDir(), Options{Now: clk.Now})
	local := mustPut(t, s, schema.KindFacility, "", village, facility("本地"))
	// The other device's clock is a day ahead of ours.
	entries := remoteChanges(t, "other-device", clk.Now().Add(24*time.Hour))

	n, err := s.ApplyRemote(entries, 107)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(entries) {
		t.Fatalf("applied %d of %d", n, len(entries))
	}
	if s.Cursor() != 107 {
		t.Fatalf("cursor = %d", s.Cursor())
	}
	after := snapshot(t, s)
	n, err = s.ApplyRemote(entries, 107)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second apply changed %d records", n)
	}
	if d := diffSnapshots(after, snapshot(t, s)); len(d) > 0 {
		t.Fatalf("second apply changed %v", d)
	}
	// Applying in another order, in two halves, gives the same state.
	other := openTemp(t)
	shuffled := append([]schema.LogEntry(nil), entries...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if _, err := other.ApplyRemote(shuffled[:4], 50); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ApplyRemote(shuffled[4:], 107); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		a, b := loadForTest(t, s, e.Change.Kind, e.Change.ID), loadForTest(t, other, e.Change.Kind, e.Change.ID)
		if !a.Equal(b) {
			t.Fatalf("%s %s differs by order:\n%+v\n%+v", e.Change.Kind, e.Change.ID, a, b)
		}
	}

	if n, _ := s.Count(schema.KindFacility, ""); n != 2 {
		t.Fatalf("facilities = %d, want local + remote", n)
	}
	if n, _ := s.Count(schema.KindTarget, county); n != 1 {
		t.Fatalf("targets = %d", n)
	}
	// The next local edit is stamped after everything seen, although the
	// wall clock is a day behind the remote device's.
	last := entries[len(entries)-1].Change.Stamp
	ch := mustPut(t, s, schema.KindFacility, local.ID, village, facility("本地改"))
	if ch.Stamp <= last {
		t.Fatalf("local stamp %v not after remote %v", ch.Stamp, last)
	}
	// Downloads never touch the outbox.
	if ob, _ := s.Outbox(0, 0); len(ob) != 2 {
		t.Fatalf("outbox = %v", seqs(ob))
	}
}

func loadForTest(t *testing.T, s *Store, kind schema.Kind, id string) *schema.Record {
	t.Helper()
	var rec *schema.Record
	if err := s.db.View(func(txn *badgerTxn) (err error) {
		rec, err = loadRecord(txn, kind, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestApplyRemoteLargeBatchAndEmpty applies a page of the largest size
// with large records, then an empty page, which still moves the cursor.
func TestApplyRemoteLargeBatchAndEmpty(t *testing.T) {
	s := openTemp(t)
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f := facility("批量")
	f.Address = strings.Repeat("很长的地址", 150)
	var entries []schema.LogEntry
	for i := range schema.MaxBatchChanges {
		entries = append(entries, schema.LogEntry{Seq: uint64(i + 1), Change: schema.Change{
			Kind: schema.KindFacility, ID: schema.NewID(), Unit: village, Set: mustFields(t, f),
			Stamp: schema.MakeStamp(base.UnixMilli()+int64(i), 0), Device: "d2", Seq: uint64(i + 1)}})
	}
	n, err := s.ApplyRemote(entries, 1000)
	if err != nil || n != len(entries) || s.Cursor() != 1000 {
		t.Fatalf("applied %d, cursor %d: %v", n, s.Cursor(), err)
	}
	got := 0
	if err := s.List(schema.KindFacility, "", func(*schema.Record) error { got++; return nil }); err != nil || got != len(entries) {
		t.Fatalf("store holds %d records, want %d: %v", got, len(entries), err)
	}
	if _, err := s.ApplyRemote(nil, 1500); err != nil {
		t.Fatal(err)
	}
	if s.Cursor() != 1500 {
		t.Fatalf("cursor = %d", s.Cursor())
	}
}

func TestApplyRemoteRefusesUnitChange(t *testing.T) {
	s := openTemp(t)
	ch := mustPut(t, s, schema.KindFacility, "", village, facility("x"))
	before := snapshot(t, s)
	bad := schema.LogEntry{Seq: 1, Change: schema.Change{Kind: schema.KindFacility, ID: ch.ID, Unit: township,
		Set: schema.Fields{"name": mustFields(t, facility("y"))["name"]}, Stamp: ch.Stamp + 1, Device: "d2", Seq: 1}}
	if _, err := s.ApplyRemote([]schema.LogEntry{bad}, 1); err == nil {
		t.Fatal("unit change applied")
	}
	if d := diffSnapshots(before, snapshot(t, s)); len(d) > 0 {
		t.Fatalf("failed apply changed %v", d)
	}
}
