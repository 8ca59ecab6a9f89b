// Package storetest is the conformance suite of store.Store: every backend
// (Badger, PostgreSQL) runs Run in its own tests, so both answer every
// read the same way and keep the same promises. A backend that is
// store.Shared also runs the checks only a shared store must pass.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Open makes a new, empty store for one test; the suite closes it.
type Open func(t *testing.T) store.Store

// Run runs the suite against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st store.Store)
	}{
		{"CommitReadBack", testCommitReadBack},
		{"ScanRecordsPrefix", testScanRecordsPrefix},
		{"ScanKind", testScanKind},
		{"LogOrderAndHead", testLogOrder},
		{"LogAfterScopes", testLogAfterScopes},
		{"LogAfterExclude", testLogAfterExclude},
		{"MarksAndRefusals", testMarksAndRefusals},
		{"Devices", testDevices},
		{"Health", testHealth},
		{"EnrollCodesOnce", testEnrollCodesOnce},
		{"Units", testUnits},
		{"Locks", testLocks},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			defer st.Close()
			tc.fn(t, st)
		})
	}
	t.Run("Shared", func(t *testing.T) {
		st := open(t)
		defer st.Close()
		if _, ok := st.(store.Shared); !ok {
			return // a store one process writes keeps none of these promises
		}
		t.Run("ConcurrentMergeKept", func(t *testing.T) { testConcurrentMerge(t, st) })
		t.Run("BaseConflict", func(t *testing.T) { testBaseConflict(t, st) })
		t.Run("LockConflict", func(t *testing.T) { testLockConflict(t, st) })
		t.Run("SeqsAssigned", func(t *testing.T) { testSeqsAssigned(t, st) })
		t.Run("MarksOf", func(t *testing.T) { testMarksOf(t, st) })
	})
}

var ctx = context.Background()

func raw(v any) []byte {
	b, err := schema.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// change makes a change setting name on a record.
func change(kind schema.Kind, id string, unit schema.Code, dev string, stamp uint64, fields map[string]string) schema.Change {
	set := schema.Fields{}
	for k, v := range fields {
		set[k] = raw(v)
	}
	return schema.Change{Kind: kind, ID: id, Unit: unit, Set: set, Stamp: schema.Stamp(stamp), Device: dev, Seq: stamp}
}

func record(t *testing.T, chs ...schema.Change) *schema.Record {
	t.Helper()
	var r *schema.Record
	for i := range chs {
		var err error
		if r, _, err = schema.Merge(r, &chs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// commitLog commits changes as log entries numbered after the head, with
// the records they make, and returns the entries as committed.
func commitLog(t *testing.T, st store.Store, chs []schema.Change) []store.LogEntry {
	t.Helper()
	head, err := st.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := &store.Group{}
	for i, ch := range chs {
		g.Log = append(g.Log, store.LogEntry{Seq: head + uint64(i) + 1, Change: ch, Account: ch.Device, Received: time.Unix(1700000000, 0).UTC()})
	}
	if err := st.Commit(ctx, g); err != nil {
		t.Fatal(err)
	}
	return g.Log
}

func testCommitReadBack(t *testing.T, st store.Store) {
	a := record(t, change(schema.KindFacility, "a", "511802001", "d1", 10, map[string]string{"name": "敬老院", "status": "operating"}))
	b := record(t, change(schema.KindPerson, "b", "511802001001", "d1", 11, map[string]string{"name": "徐某"}))
	del := change(schema.KindPerson, "b", "511802001001", "d2", 12, nil)
	del.Delete = true
	b2 := record(t, change(schema.KindPerson, "b", "511802001001", "d1", 11, map[string]string{"name": "徐某"}), del)
	if err := st.Commit(ctx, &store.Group{Records: []*schema.Record{a, b}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, &store.Group{Records: []*schema.Record{b2}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []*schema.Record{a, b2} {
		got, err := st.Record(ctx, want.Kind, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) {
			t.Errorf("record %s %s read back as %+v, want %+v", want.Kind, want.ID, got, want)
		}
	}
	if got, _ := st.Record(ctx, schema.KindPerson, "b"); !got.IsDeleted() {
		t.Error("deleted record reads back as not deleted")
	}
	if _, err := st.Record(ctx, schema.KindFacility, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing record: err %v, want ErrNotFound", err)
	}
	if _, err := st.Record(ctx, schema.KindPerson, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("record of another kind with the same id: err %v, want ErrNotFound", err)
	}
}

var units = []schema.Code{"51", "5118", "511802", "511802001", "511802001001", "511802001002",
	"511802101", "511802101201", "511803", "511803001", "511803001001", "5119", "511902001"}

func testScanRecordsPrefix(t *testing.T, st store.Store) {
	g := &store.Group{}
	var stamp uint64
	for i, u := range units {
		for _, k := range []schema.Kind{schema.KindFacility, schema.KindPopulation} {
			stamp++
			g.Records = append(g.Records, record(t, change(k, fmt.Sprintf("%s-%d", k, i), u, "d", stamp, map[string]string{"x": string(u)})))
		}
	}
	if err := st.Commit(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []schema.Code{"", "51", "5118", "511802", "511802001", "511802001001", "511803", "5119", "52"} {
		var want []string
		for _, r := range g.Records {
			if r.Unit.Within(prefix) {
				want = append(want, string(r.Kind)+"/"+r.ID)
			}
		}
		var got []string
		var last schema.Code
		err := st.ScanRecords(ctx, prefix, func(r *schema.Record) error {
			if r.Unit < last {
				t.Errorf("prefix %q: unit %s after %s: not ordered by unit", prefix, r.Unit, last)
			}
			last = r.Unit
			got = append(got, string(r.Kind)+"/"+r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("ScanRecords(%q) = %v, want %v", prefix, got, want)
		}
		if rs, ok := st.(store.RawRecordScanner); ok {
			var gotRaw []string
			err := rs.ScanRecordsRaw(ctx, prefix, func(b []byte) error {
				var r schema.Record
				if err := schema.UnmarshalStored(b, &r); err != nil {
					return err
				}
				gotRaw = append(gotRaw, string(r.Kind)+"/"+r.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(gotRaw)
			if !slices.Equal(gotRaw, want) {
				t.Errorf("ScanRecordsRaw(%q) = %v, want %v", prefix, gotRaw, want)
			}
		}
	}
	stop := errors.New("stop")
	n := 0
	if err := st.ScanRecords(ctx, "", func(*schema.Record) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error from fn: got %v after %d records, want it at once", err, n)
	}
}

func testScanKind(t *testing.T, st store.Store) {
	g := &store.Group{}
	for i, k := range []schema.Kind{schema.KindFacility, schema.KindTarget, schema.KindFacility, schema.KindVisit} {
		g.Records = append(g.Records, record(t, change(k, fmt.Sprint("id", i), units[i+2], "d", uint64(i+1), map[string]string{"x": "y"})))
	}
	if err := st.Commit(ctx, g); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := st.ScanKind(ctx, schema.KindFacility, func(r *schema.Record) error {
		if r.Kind != schema.KindFacility {
			t.Errorf("ScanKind(facility) gave a %s", r.Kind)
		}
		got = append(got, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"id0", "id2"}) {
		t.Errorf("ScanKind(facility) = %v, want [id0 id2]", got)
	}
	if err := st.ScanKind(ctx, schema.KindLock, func(r *schema.Record) error {
		t.Errorf("ScanKind(lock) gave %s %s", r.Kind, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func testLogOrder(t *testing.T, st store.Store) {
	if head, err := st.LogHead(ctx); err != nil || head != 0 {
		t.Fatalf("new store: head %d, %v; want 0", head, err)
	}
	var all []store.LogEntry
	for g := 0; g < 5; g++ {
		var chs []schema.Change
		for i := 0; i < 3+g; i++ {
			chs = append(chs, change(schema.KindFacility, fmt.Sprint("f", g, i), "511802001", "d", uint64(len(all)+i+1), map[string]string{"n": "v"}))
		}
		all = append(all, commitLog(t, st, chs)...)
	}
	head, err := st.LogHead(ctx)
	if err != nil || head != uint64(len(all)) {
		t.Fatalf("head %d, %v; want %d", head, err, len(all))
	}
	var seqs []uint64
	cur, err := st.LogAfter(ctx, "", "", 0, 1000, func(*store.LogEntry) bool { return true }, func(e *store.LogEntry) error {
		seqs = append(seqs, e.Seq)
		want := all[e.Seq-1]
		if e.Change.ID != want.Change.ID || e.Account != want.Account || !e.Received.Equal(want.Received) {
			t.Errorf("entry %d reads back as %+v, want %+v", e.Seq, e, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("log read in order %v, want 1..%d", seqs, len(all))
		}
	}
	if len(seqs) != len(all) || cur != head {
		t.Errorf("read %d entries to cursor %d, want %d to %d", len(seqs), cur, len(all), head)
	}
	// After the head, nothing, and the cursor stays at the head.
	if cur, err := st.LogAfter(ctx, "", "", head, 10, func(*store.LogEntry) bool { return true }, func(e *store.LogEntry) error {
		t.Errorf("entry %d after the head", e.Seq)
		return nil
	}); err != nil || cur != head {
		t.Errorf("after the head: cursor %d, %v; want %d", cur, err, head)
	}
}

// testLogAfterScopes: whatever index a backend reads, LogAfter must give
// exactly what a full scan filtered by visible gives, in order, across
// pages of any size, and a cursor that resumes without skipping.
func testLogAfterScopes(t *testing.T, st store.Store) {
	rng := rand.New(rand.NewPCG(7, 7))
	var all []store.LogEntry
	for g := 0; g < 12; g++ {
		var chs []schema.Change
		for i := 0; i < 1+rng.IntN(25); i++ {
			kind := schema.KindFacility
			u := units[rng.IntN(len(units))]
			if u.Level() < schema.LevelTownship {
				kind = schema.KindTarget
			}
			dev := []string{"d1", "d2", "d3"}[rng.IntN(3)]
			chs = append(chs, change(kind, fmt.Sprint("x", g, i), u, dev, uint64(len(all)+len(chs)+1), map[string]string{"n": "v"}))
		}
		all = append(all, commitLog(t, st, chs)...)
	}
	head := uint64(len(all))
	for _, scope := range []schema.Code{"511802001", "511802001001", "511803001", "511802", "5118", "51", ""} {
		visible := func(e *store.LogEntry) bool {
			u := e.Change.Unit
			return u.Within(scope) || (e.Change.Kind == schema.KindTarget && scope.Within(u))
		}
		var want []uint64
		for i := range all {
			if visible(&all[i]) {
				want = append(want, all[i].Seq)
			}
		}
		for _, limit := range []int{1, 3, 7, 1000} {
			var got []uint64
			cursor := uint64(0)
			for rounds := 0; ; rounds++ {
				if rounds > len(all)+2 {
					t.Fatalf("scope %q limit %d: cursor does not reach the head", scope, limit)
				}
				n := 0
				next, err := st.LogAfter(ctx, scope, "", cursor, limit, visible, func(e *store.LogEntry) error {
					got = append(got, e.Seq)
					n++
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if n > limit {
					t.Fatalf("scope %q: %d entries passed, limit %d", scope, n, limit)
				}
				if next < cursor {
					t.Fatalf("scope %q: cursor went back from %d to %d", scope, cursor, next)
				}
				cursor = next
				if n < limit {
					if cursor != head {
						t.Errorf("scope %q limit %d: exhausted at cursor %d, want the head %d", scope, limit, cursor, head)
					}
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("scope %q limit %d: got %v, want %v", scope, limit, got, want)
			}
		}
	}
}

func testLogAfterExclude(t *testing.T, st store.Store) {
	var chs []schema.Change
	for i := 0; i < 10; i++ {
		dev := "mine"
		if i%3 == 0 {
			dev = "other"
		}
		chs = append(chs, change(schema.KindFacility, fmt.Sprint("f", i), "511802001001", dev, uint64(i+1), map[string]string{"n": "v"}))
	}
	commitLog(t, st, chs)
	all := func(*store.LogEntry) bool { return true }
	for _, scope := range []schema.Code{"511802001", "5118"} {
		var got []uint64
		cur, err := st.LogAfter(ctx, scope, "mine", 0, 100, all, func(e *store.LogEntry) error {
			if e.Change.Device == "mine" {
				t.Errorf("scope %q: excluded device's entry %d passed", scope, e.Seq)
			}
			got = append(got, e.Seq)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []uint64{1, 4, 7, 10}) || cur != 10 {
			t.Errorf("scope %q excluding mine: %v to cursor %d, want [1 4 7 10] to 10", scope, got, cur)
		}
		// With a limit the cursor stops at the last entry passed.
		got = nil
		cur, err = st.LogAfter(ctx, scope, "mine", 0, 2, all, func(e *store.LogEntry) error { got = append(got, e.Seq); return nil })
		if err != nil || !slices.Equal(got, []uint64{1, 4}) || cur != 4 {
			t.Errorf("scope %q limit 2: %v to cursor %d (%v), want [1 4] to 4", scope, got, cur, err)
		}
	}
	// Invisible entries at the end still move the cursor to the head.
	none := func(*store.LogEntry) bool { return false }
	cur, err := st.LogAfter(ctx, "", "", 0, 5, none, func(e *store.LogEntry) error {
		t.Errorf("invisible entry %d passed", e.Seq)
		return nil
	})
	if err != nil || cur != 10 {
		t.Errorf("nothing visible: cursor %d (%v), want the head 10", cur, err)
	}
}

func testMarksAndRefusals(t *testing.T, st store.Store) {
	if m, err := st.Mark(ctx, "d1"); err != nil || m.HighWater != 0 {
		t.Fatalf("mark of an unknown device: %+v, %v; want zero", m, err)
	}
	at := time.Unix(1700000000, 0).UTC()
	rej := func(seq uint64) schema.Rejection {
		return schema.Rejection{Seq: seq, Code: schema.RejectInvalid, Reason: fmt.Sprint("bad ", seq), ReasonZh: "无效"}
	}
	g := &store.Group{Marks: map[string]store.Mark{"d1": {HighWater: 5, At: at}, "d2": {HighWater: 9, At: at}},
		Refused: map[string][]schema.Rejection{"d1": {rej(2), rej(4)}, "d2": {rej(3)}}}
	if err := st.Commit(ctx, g); err != nil {
		t.Fatal(err)
	}
	g = &store.Group{Marks: map[string]store.Mark{"d1": {HighWater: 8, At: at.Add(time.Minute)}},
		Refused: map[string][]schema.Rejection{"d1": {rej(7)}}, Basis: &store.Basis{Marks: map[string]uint64{"d1": 5}}}
	if err := st.Commit(ctx, g); err != nil {
		t.Fatal(err)
	}
	m, err := st.Mark(ctx, "d1")
	if err != nil || m.HighWater != 8 || !m.At.Equal(at.Add(time.Minute)) {
		t.Errorf("mark of d1: %+v, %v; want 8 at %s", m, err, at.Add(time.Minute))
	}
	marks, err := st.Marks(ctx)
	if err != nil || len(marks) != 2 || marks["d1"].HighWater != 8 || marks["d2"].HighWater != 9 {
		t.Errorf("marks: %+v, %v", marks, err)
	}
	for _, tc := range []struct {
		dev      string
		from, to uint64
		want     []uint64
	}{
		{"d1", 1, 8, []uint64{2, 4, 7}},
		{"d1", 3, 6, []uint64{4}},
		{"d1", 4, 4, []uint64{4}},
		{"d1", 8, 100, nil},
		{"d1", 2, ^uint64(0), []uint64{2, 4, 7}},
		{"d2", 0, 10, []uint64{3}},
		{"d", 0, 10, nil}, // a prefix of another device's id is another device
	} {
		rs, err := st.Refused(ctx, tc.dev, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, r := range rs {
			got = append(got, r.Seq)
			if r.Reason != fmt.Sprint("bad ", r.Seq) || r.Code != schema.RejectInvalid {
				t.Errorf("refusal %d read back as %+v", r.Seq, r)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Refused(%s, %d, %d) = %v, want %v", tc.dev, tc.from, tc.to, got, tc.want)
		}
	}
}

func testDevices(t *testing.T, st store.Store) {
	at := time.Unix(1700000000, 0).UTC()
	ds := []store.Device{
		{ID: "b", Name: "乙", Scope: "511802001", Role: store.RoleSite, TokenHash: []byte{1, 2}, Enrolled: at},
		{ID: "a", Name: "甲", Scope: "511802", Role: store.RoleOffice, TokenHash: []byte{3}, Enrolled: at},
	}
	for _, d := range ds {
		if err := st.PutDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Device(ctx, "c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown device: %v, want ErrNotFound", err)
	}
	ds[0].Revoked = true
	if err := st.PutDevice(ctx, ds[0]); err != nil {
		t.Fatal(err)
	}
	got, err := st.Device(ctx, "b")
	if err != nil || !got.Revoked || got.Name != "乙" || !bytes.Equal(got.TokenHash, []byte{1, 2}) || !got.Enrolled.Equal(at) {
		t.Errorf("device b: %+v, %v", got, err)
	}
	list, err := st.Devices(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "a" || list[1].ID != "b" || !list[1].Revoked {
		t.Errorf("devices: %+v, %v; want a then b (revoked)", list, err)
	}
}

func testHealth(t *testing.T, st store.Store) {
	at := time.Unix(1700000000, 0).UTC()
	h1 := store.Health{Report: schema.Health{Waiting: 3, OldestAgeS: 60, LastSeq: 10}, AppVersion: "1.0", At: at}
	h2 := store.Health{Report: schema.Health{Waiting: 0, Parked: 1, LastSeq: 12}, AppVersion: "1.1", At: at.Add(time.Hour)}
	if err := st.PutHealth(ctx, "d1", h1); err != nil {
		t.Fatal(err)
	}
	if err := st.PutHealth(ctx, "d1", h2); err != nil {
		t.Fatal(err)
	}
	if err := st.PutHealth(ctx, "d2", h1); err != nil {
		t.Fatal(err)
	}
	hs, err := st.Healths(ctx)
	if err != nil || len(hs) != 2 || hs["d1"].Report != h2.Report || hs["d1"].AppVersion != "1.1" || !hs["d1"].At.Equal(h2.At) || hs["d2"].Report != h1.Report {
		t.Errorf("healths: %+v, %v", hs, err)
	}
}

func testEnrollCodesOnce(t *testing.T, st store.Store) {
	c := store.EnrollCode{Unit: "511802001", Name: "城关镇", Role: store.RoleSite, Expires: time.Unix(1800000000, 0).UTC()}
	if err := st.PutEnrollCode(ctx, []byte("h1"), c); err != nil {
		t.Fatal(err)
	}
	got, err := st.TakeEnrollCode(ctx, []byte("h1"))
	if err != nil || got.Unit != c.Unit || got.Name != c.Name || !got.Expires.Equal(c.Expires) {
		t.Fatalf("take: %+v, %v", got, err)
	}
	if _, err := st.TakeEnrollCode(ctx, []byte("h1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second take: %v, want ErrNotFound", err)
	}
	// Many takers at once: exactly one gets the code.
	if err := st.PutEnrollCode(ctx, []byte("h2"), c); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.TakeEnrollCode(ctx, []byte("h2"))
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("concurrent take: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d concurrent takes got the code, want 1", won)
	}
}

func testUnits(t *testing.T, st store.Store) {
	us := []schema.Unit{{Code: "5118", Name: "雅安市", Level: schema.LevelCity, Parent: "51"},
		{Code: "511802", Name: "雨城区", Level: schema.LevelCounty, Parent: "5118"}}
	if err := st.PutUnits(ctx, us); err != nil {
		t.Fatal(err)
	}
	var got []schema.Unit
	if err := st.Units(ctx, func(u schema.Unit) error { got = append(got, u); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b schema.Unit) int { return cmpString(string(a.Code), string(b.Code)) })
	if !slices.Equal(got, us) {
		t.Errorf("units: %+v, want %+v", got, us)
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// testLocks: store.Locks finds lock and unlock records through ScanKind.
func testLocks(t *testing.T, st store.Store) {
	set, err := store.Locks(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if set == nil {
		t.Fatal("no lock set")
	}
	// A facility is no lock: a store whose ScanKind leaks other kinds
	// would make Locks fail to read it as one.
	if err := st.Commit(ctx, &store.Group{Records: []*schema.Record{
		record(t, change(schema.KindFacility, "f", "511802001", "d", 1, map[string]string{"name": "x"}))}}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Locks(ctx, st); err != nil {
		t.Errorf("locks with a facility stored: %v", err)
	}
}

// testConcurrentMerge: two writers merge changes into the same record,
// each from the state it read before the other committed; the store keeps
// the merge of both (a shared store re-merges under its commit lock).
func testConcurrentMerge(t *testing.T, st store.Store) {
	base := change(schema.KindFacility, "m", "511802001", "d0", 10, map[string]string{"name": "旧", "status": "operating"})
	if err := st.Commit(ctx, &store.Group{Records: []*schema.Record{record(t, base)}}); err != nil {
		t.Fatal(err)
	}
	cur, err := st.Record(ctx, schema.KindFacility, "m")
	if err != nil {
		t.Fatal(err)
	}
	ch1 := change(schema.KindFacility, "m", "511802001", "d1", 20, map[string]string{"name": "新"})
	ch2 := change(schema.KindFacility, "m", "511802001", "d2", 15, map[string]string{"status": "closed", "name": "更旧"})
	r1, _, _ := schema.Merge(cur, &ch1)
	r2, _, _ := schema.Merge(cur, &ch2)
	for _, r := range []*schema.Record{r1, r2} {
		if err := st.Commit(ctx, &store.Group{Records: []*schema.Record{r}}); err != nil {
			t.Fatal(err)
		}
	}
	want := record(t, base, ch2, ch1)
	got, err := st.Record(ctx, schema.KindFacility, "m")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("after two concurrent merges: %+v, want %+v", got, want)
	}
}

func testBaseConflict(t *testing.T, st store.Store) {
	at := time.Unix(1700000000, 0).UTC()
	ok := &store.Group{Marks: map[string]store.Mark{"server": {HighWater: 3, At: at}}, Basis: &store.Basis{Marks: map[string]uint64{"server": 0}},
		Log: []store.LogEntry{{Seq: 1, Change: change(schema.KindTarget, "t", "5118", "server", 1, map[string]string{"v": "1"})}}}
	if err := st.Commit(ctx, ok); err != nil {
		t.Fatal(err)
	}
	stale := &store.Group{Marks: map[string]store.Mark{"server": {HighWater: 5, At: at}}, Basis: &store.Basis{Marks: map[string]uint64{"server": 0}},
		Log: []store.LogEntry{{Seq: 2, Change: change(schema.KindTarget, "t2", "5118", "server", 1, map[string]string{"v": "2"})}}}
	if err := st.Commit(ctx, stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("group made from a moved mark: %v, want ErrConflict", err)
	}
	if head, _ := st.LogHead(ctx); head != 1 {
		t.Errorf("a refused group wrote to the log: head %d, want 1", head)
	}
	if m, _ := st.Mark(ctx, "server"); m.HighWater != 3 {
		t.Errorf("a refused group moved the mark to %d", m.HighWater)
	}
}

// testLockConflict: a group checked against the locks up to some seq is
// refused once a lock or unlock was logged after it.
func testLockConflict(t *testing.T, st store.Store) {
	head, err := st.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := commitLog(t, st, []schema.Change{change(schema.KindLock, "l1", "511802", "office", 1, map[string]string{"period": "2025-01"})})
	edit := func(locksAt uint64) *store.Group {
		return &store.Group{Basis: &store.Basis{LocksAt: locksAt}, Log: []store.LogEntry{{Seq: lock[0].Seq + 1,
			Change: change(schema.KindCapacity, "c1", "511802001", "d", 5, map[string]string{"beds": "1"})}}}
	}
	if err := st.Commit(ctx, edit(head)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("group checked against locks before a new lock: %v, want ErrConflict", err)
	}
	if err := st.Commit(ctx, edit(lock[0].Seq)); err != nil {
		t.Fatalf("group checked against the new lock: %v", err)
	}
}

// testSeqsAssigned: a shared store numbers log entries itself, after the
// head, whatever the writer guessed, and says which numbers it used.
func testSeqsAssigned(t *testing.T, st store.Store) {
	head, err := st.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := &store.Group{Log: []store.LogEntry{
		{Seq: 1, Change: change(schema.KindFacility, "s1", "511802001", "d", 1, map[string]string{"n": "1"})},
		{Seq: 1, Change: change(schema.KindFacility, "s2", "511802001", "d", 2, map[string]string{"n": "2"})},
	}}
	if err := st.Commit(ctx, g); err != nil {
		t.Fatal(err)
	}
	if g.Log[0].Seq != head+1 || g.Log[1].Seq != head+2 {
		t.Errorf("entries numbered %d, %d; want %d, %d", g.Log[0].Seq, g.Log[1].Seq, head+1, head+2)
	}
}

// testMarksOf: a shared store reads the marks of some devices at once.
func testMarksOf(t *testing.T, st store.Store) {
	at := time.Unix(1700000000, 0).UTC()
	if err := st.Commit(ctx, &store.Group{Marks: map[string]store.Mark{"m1": {HighWater: 4, At: at}, "m2": {HighWater: 6, At: at}}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.(store.Shared).MarksOf(ctx, []string{"m1", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["m1"].HighWater != 4 || !got["m1"].At.Equal(at) || got["nobody"].HighWater != 0 {
		t.Errorf("MarksOf(m1, nobody) = %+v, want only m1 at 4", got)
	}
}
