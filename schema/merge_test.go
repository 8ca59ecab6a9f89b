package schema

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/quick"
)

// mergeAll applies changes in order to an empty state.
func mergeAll(t testing.TB, changes []*Change) map[Key]*Record {
	t.Helper()
	state := map[Key]*Record{}
	for _, ch := range changes {
		rec, _, err := Merge(state[ch.Key()], ch)
		if err != nil {
			t.Fatalf("merge %+v: %v", ch, err)
		}
		state[ch.Key()] = rec
	}
	return state
}

func sameState(a, b map[Key]*Record) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d records vs %d", len(a), len(b))
	}
	for k, r := range a {
		if !r.Equal(b[k]) {
			return fmt.Errorf("record %v differs:\n%+v\n%+v", k, r, b[k])
		}
	}
	return nil
}

// randomChanges makes a history as several offline devices produce it:
// few records shared by all, few fields, stamps drawn from a narrow range
// so different devices often issue the same stamp, and some deletes.
func randomChanges(rng *rand.Rand) []*Change {
	devices := []string{"dev-a", "dev-b", "dev-c", "dev-d"}
	ids := []string{"r1", "r2", "r3"}
	fields := []string{"name", "address", "status", "medical"}
	n := 1 + rng.IntN(40)
	seq := map[string]uint64{}
	out := make([]*Change, 0, n)
	for i := 0; i < n; i++ {
		dev := devices[rng.IntN(len(devices))]
		seq[dev]++
		ch := &Change{
			Kind:   KindFacility,
			ID:     ids[rng.IntN(len(ids))],
			Unit:   "511802001",
			Stamp:  MakeStamp(1_700_000_000_000+int64(rng.IntN(6)), uint16(rng.IntN(3))),
			Device: dev,
			Seq:    seq[dev],
		}
		if rng.IntN(6) == 0 {
			ch.Delete = true
		} else {
			ch.Set = Fields{}
			for _, f := range fields {
				if rng.IntN(2) == 0 {
					switch f {
					case "medical":
						ch.Set[f] = MustMarshal(rng.IntN(2) == 0)
					default:
						ch.Set[f] = MustMarshal(fmt.Sprintf("v%d", rng.IntN(4)))
					}
				}
			}
			if len(ch.Set) == 0 {
				ch.Set["name"] = MustMarshal("x")
			}
		}
		out = append(out, ch)
	}
	return out
}

// TestMergeOrderAndDuplicatesDoNotMatter is the property the design asks
// for: the same set of changes gives the same state in any order, any
// number of times.
func TestMergeOrderAndDuplicatesDoNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(20250314, 7))
	iterations := 3000
	if testing.Short() {
		iterations = 300
	}
	for it := 0; it < iterations; it++ {
		changes := randomChanges(rng)
		want := mergeAll(t, changes)
		for p := 0; p < 4; p++ {
			// A permutation with random duplicates, as redelivery after a
			// dropped connection produces.
			perm := make([]*Change, 0, 2*len(changes))
			for _, i := range rng.Perm(len(changes)) {
				perm = append(perm, changes[i])
				for rng.IntN(4) == 0 {
					perm = append(perm, changes[rng.IntN(len(changes))])
				}
			}
			rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			if err := sameState(want, mergeAll(t, perm)); err != nil {
				t.Fatalf("iteration %d permutation %d: %v", it, p, err)
			}
		}
		// Merging one state's history into another (two machines that
		// synced with each other) gives the same state too.
		half := len(changes) / 2
		left, right := mergeAll(t, changes[:half]), changes[half:]
		for _, ch := range right {
			rec, _, err := Merge(left[ch.Key()], ch)
			if err != nil {
				t.Fatal(err)
			}
			left[ch.Key()] = rec
		}
		if err := sameState(want, left); err != nil {
			t.Fatalf("iteration %d split merge: %v", it, err)
		}
	}
}

func TestMergeIdempotent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for it := 0; it < 2000; it++ {
		changes := randomChanges(rng)
		state := mergeAll(t, changes)
		for _, ch := range changes {
			before := state[ch.Key()]
			after, changed, err := Merge(before, ch)
			if err != nil {
				t.Fatal(err)
			}
			if changed || !after.Equal(before) {
				t.Fatalf("re-applying %+v changed the record", ch)
			}
		}
	}
}

// TestMergeDoesNotModifyInput guards the promise that a caller's record
// stays as it was, which stores rely on when a transaction aborts.
func TestMergeDoesNotModifyInput(t *testing.T) {
	ch1 := &Change{Kind: KindFacility, ID: "f", Unit: "511802001", Set: Fields{"name": MustMarshal("a")}, Stamp: 10, Device: "d", Seq: 1}
	ch2 := &Change{Kind: KindFacility, ID: "f", Unit: "511802001", Set: Fields{"name": MustMarshal("b")}, Stamp: 20, Device: "d", Seq: 2}
	r1, _, _ := Merge(nil, ch1)
	snapshot, _, _ := Merge(nil, ch1)
	if _, _, err := Merge(r1, ch2); err != nil {
		t.Fatal(err)
	}
	if !r1.Equal(snapshot) {
		t.Error("Merge modified its input record")
	}
}

func TestMergeDeleteAndRevive(t *testing.T) {
	const unit = "511802001"
	set := func(stamp Stamp, dev string, v string) *Change {
		return &Change{Kind: KindFacility, ID: "f1", Unit: unit, Set: Fields{"name": MustMarshal(v)}, Stamp: stamp, Device: dev, Seq: 1}
	}
	del := func(stamp Stamp, dev string) *Change {
		return &Change{Kind: KindFacility, ID: "f1", Unit: unit, Delete: true, Stamp: stamp, Device: dev, Seq: 1}
	}
	for _, tc := range []struct {
		name    string
		changes []*Change
		deleted bool
		name2   string
	}{
		{"delete newer than all writes", []*Change{set(10, "a", "x"), set(20, "b", "y"), del(30, "a")}, true, "y"},
		{"delete arrives before older writes", []*Change{del(30, "a"), set(10, "a", "x"), set(20, "b", "y")}, true, "y"},
		{"later write revives", []*Change{set(10, "a", "x"), del(30, "a"), set(40, "b", "z")}, false, "z"},
		{"later write revives, any order", []*Change{set(40, "b", "z"), del(30, "a"), set(10, "a", "x")}, false, "z"},
		{"same stamp, device breaks the tie: writer wins", []*Change{del(30, "a"), set(30, "b", "w")}, false, "w"},
		{"same stamp, device breaks the tie: delete wins", []*Change{del(30, "b"), set(30, "a", "w")}, true, "w"},
		{"older delete does nothing", []*Change{set(50, "a", "x"), del(30, "b")}, false, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec *Record
			for _, ch := range tc.changes {
				var err error
				if rec, _, err = Merge(rec, ch); err != nil {
					t.Fatal(err)
				}
			}
			if rec.IsDeleted() != tc.deleted {
				t.Errorf("IsDeleted() = %v, want %v", rec.IsDeleted(), tc.deleted)
			}
			var f Facility
			if err := rec.Decode(&f); err != nil || f.Name != tc.name2 {
				t.Errorf("name = %q (%v), want %q", f.Name, err, tc.name2)
			}
		})
	}
}

func TestMergeRefusesOtherRecordAndUnit(t *testing.T) {
	base := &Change{Kind: KindFacility, ID: "f1", Unit: "511802001", Set: Fields{"name": MustMarshal("a")}, Stamp: 1, Device: "d", Seq: 1}
	rec, _, err := Merge(nil, base)
	if err != nil {
		t.Fatal(err)
	}
	other := *base
	other.ID = "f2"
	if _, _, err := Merge(rec, &other); err == nil {
		t.Error("merged a change for another record")
	}
	moved := *base
	moved.Unit = "511802002"
	if _, _, err := Merge(rec, &moved); err == nil {
		t.Error("merged a change that moves the record to another unit")
	}
}

// TestVersionCompareIsAnOrder checks with testing/quick that Compare is
// antisymmetric and consistent with equality, which LWW relies on.
func TestVersionCompareIsAnOrder(t *testing.T) {
	f := func(s1, s2 uint16, d1, d2 uint8) bool {
		a := Version{Stamp: Stamp(s1 % 8), Device: string(rune('a' + d1%3))}
		b := Version{Stamp: Stamp(s2 % 8), Device: string(rune('a' + d2%3))}
		return a.Compare(b) == -b.Compare(a) && (a.Compare(b) == 0) == (a == b)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

func TestEncodeDecodeFieldsAndDiff(t *testing.T) {
	p := Person{Name: "张三", IDNumber: "", BirthDate: "1940-05-06", Categories: []PersonCategory{CatTekun, CatDisabled},
		SupportMode: SupportCentralized, WantsCentralized: true}
	f, err := EncodeFields(&p)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != alwaysEncoded(KindPerson) {
		t.Errorf("EncodeFields gave %d fields, want %d", len(f), alwaysEncoded(KindPerson))
	}
	var back Person
	if err := DecodeFields(f, &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != p.Name || len(back.Categories) != 2 || !back.WantsCentralized {
		t.Errorf("round trip gave %+v", back)
	}
	p2 := p
	p2.Note = "独居"
	f2, _ := EncodeFields(&p2)
	d := Diff(f, f2)
	if len(d) != 1 || d["note"] == nil {
		t.Errorf("Diff = %v, want only note", d.FieldNames())
	}
	// A newer binary's extra field is ignored by DecodeFields.
	f2["future_field"] = MustMarshal(1)
	if err := DecodeFields(f2, &back); err != nil {
		t.Errorf("unknown stored field broke decoding: %v", err)
	}
}
