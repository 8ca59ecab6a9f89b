package agent

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"laoxiao/schema"
)

// TestAbsentRecords: over random stores and pages (ids old and new,
// repeated within a page, of two kinds, some ranges crowded with records
// the page does not touch), an entry said absent has no record in the
// store and no entry before it in the page with its id; a page of ids
// past everything stored is found absent whole, so the lookups are
// really saved; and applying the pages leaves every record as merging
// its changes in order makes it.
func TestAbsentRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 7))
	kinds := []schema.Kind{schema.KindFacility, schema.KindPopulation}
	set := mustFields(t, facility("机构"))
	stamp := schema.Stamp(0)
	for round := 0; round < 20; round++ {
		s := openTemp(t)
		want := map[string]*schema.Record{} // kind/id → the record merging makes
		seq := uint64(0)
		change := func(kind schema.Kind, id string) schema.LogEntry {
			stamp++
			seq++
			f := schema.Fields{}
			for name, v := range set {
				if rng.IntN(2) == 0 || len(f) == 0 {
					f[name] = v
				}
			}
			return schema.LogEntry{Seq: seq, Change: schema.Change{Kind: kind, ID: id, Unit: village, Set: f,
				Stamp: stamp, Device: "other", Seq: seq}}
		}
		for page := 0; page < 4; page++ {
			var entries []schema.LogEntry
			for range 1 + rng.IntN(120) {
				id := fmt.Sprintf("id-%03d", rng.IntN(200)) // old and new, repeated
				entries = append(entries, change(kinds[rng.IntN(len(kinds))], id))
			}
			if page == 3 { // past everything, enough of each kind to walk
				entries = entries[:0]
				for i := range 2 * absentWalkMin {
					entries = append(entries, change(kinds[i%len(kinds)], fmt.Sprintf("id-%03d", 500+i)))
				}
			}
			checkAbsent(t, s, entries, page == 3)
			if _, err := s.ApplyRemote(entries, seq); err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				k := string(e.Change.Kind) + "/" + e.Change.ID
				r, _, err := schema.Merge(want[k], &e.Change)
				if err != nil {
					t.Fatal(err)
				}
				want[k] = r
			}
		}
		for k, w := range want {
			got, err := s.Get(w.Kind, w.ID)
			if err != nil || !got.Equal(w) {
				t.Fatalf("round %d: %s is %+v, %v; merging its changes makes %+v", round, k, got, err, w)
			}
		}
	}
}

// checkAbsent checks what absentRecords says of entries in s before they
// are applied; all says every entry must be found absent.
func checkAbsent(t *testing.T, s *Store, entries []schema.LogEntry, all bool) {
	t.Helper()
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	absent := absentRecords(txn, entries)
	for i, e := range entries {
		ch := &e.Change
		cur, err := loadRecord(txn, ch.Kind, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		earlier := false
		for _, before := range entries[:i] {
			earlier = earlier || (before.Change.Kind == ch.Kind && before.Change.ID == ch.ID)
		}
		if absent[i] && (cur != nil || earlier) {
			t.Fatalf("entry %d (%s %s) said absent; stored %v, earlier in the page %v", i, ch.Kind, ch.ID, cur != nil, earlier)
		}
		if all && !absent[i] {
			t.Fatalf("entry %d (%s %s) of a page past everything stored not found absent", i, ch.Kind, ch.ID)
		}
	}
}

// TestAbsentRecordsCrowdedRange: a page whose ids lie among many stored
// records it does not touch walks no further than absentWalkMax and looks
// its entries up instead; so does a page with few entries of a kind.
func TestAbsentRecordsCrowdedRange(t *testing.T) {
	s := openTemp(t)
	set := mustFields(t, facility("机构"))
	var stored []schema.LogEntry
	for i := range 100 {
		// ids id-000 … id-099
		stored = append(stored, schema.LogEntry{Seq: uint64(i + 1), Change: schema.Change{Kind: schema.KindFacility,
			ID: fmt.Sprintf("id-%03d", i), Unit: village, Set: set, Stamp: schema.Stamp(i + 1), Device: "other", Seq: uint64(i + 1)}})
	}
	if _, err := s.ApplyRemote(stored, 100); err != nil {
		t.Fatal(err)
	}
	// New ids among the stored ones: id-000a, id-001a, … and, to make
	// the range wide, id-098a.
	var page []schema.LogEntry
	for i := range absentWalkMin {
		id := fmt.Sprintf("id-%03da", i)
		if i == absentWalkMin-1 {
			id = "id-098a"
		}
		page = append(page, schema.LogEntry{Seq: uint64(101 + i), Change: schema.Change{Kind: schema.KindFacility, ID: id,
			Unit: village, Set: set, Stamp: schema.Stamp(101 + i), Device: "other", Seq: uint64(101 + i)}})
	}
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	for i, a := range absentRecords(txn, page) {
		if a {
			t.Errorf("entry %d said absent: a range of 98 records was walked for a page of %d", i, len(page))
		}
	}
	// A page as small as a busy device's is looked up, not walked for.
	few := []schema.LogEntry{{Seq: 200, Change: schema.Change{Kind: schema.KindFacility, ID: "id-900", Unit: village,
		Set: set, Stamp: 200, Device: "other", Seq: 200}}}
	if absentRecords(txn, few)[0] {
		t.Error("a page of one entry walked the index")
	}
}
