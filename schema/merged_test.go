package schema

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestRedirectsResolve(t *testing.T) {
	rd := Redirects{"a": "b", "b": "c", "x": "y", "y": "x", "p": "q", "q": "r", "r": "p"}
	for id, want := range map[string]string{
		"a": "c", "b": "c", "c": "c", "z": "z",
		// Cycles resolve to their smallest member from every entry.
		"x": "x", "y": "x", "p": "p", "q": "p", "r": "p",
	} {
		if got := rd.Resolve(id); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", id, got, want)
		}
	}
	if !rd.Merged("a") || rd.Merged("c") || rd.Merged("x") || !rd.Merged("y") {
		t.Errorf("Merged disagrees with Resolve")
	}
	var none Redirects
	if none.Resolve("a") != "a" {
		t.Errorf("a nil Redirects must resolve every id to itself")
	}
}

func TestMergedInto(t *testing.T) {
	p := Person{Name: "张桂英", Categories: []PersonCategory{CatTekun}, MergedInto: "s1", MergedBy: "县民政局"}
	r := &Record{Kind: KindPerson, ID: "d1", Fields: mustFields(t, p), Versions: map[string]Version{"merged_into": {Stamp: 5, Device: "server"}}}
	if got := MergedInto(r); got != "s1" {
		t.Fatalf("MergedInto = %q, want s1", got)
	}
	rd := Redirects{}
	if !rd.Add(r) || rd.Resolve("d1") != "s1" {
		t.Fatalf("Redirects.Add did not note d1 → s1: %v", rd)
	}
	// A deleted duplicate points nowhere.
	r.Deleted = Version{Stamp: 9, Device: "server"}
	if got := MergedInto(r); got != "" {
		t.Errorf("a deleted record is merged into %q", got)
	}
	// An unmerged record (merged_into set back to "") is not merged, and
	// a record without the field at all is not either.
	p.MergedInto = ""
	r2 := &Record{Kind: KindPerson, ID: "d2", Fields: mustFields(t, p)}
	r2.Fields["merged_into"] = MustMarshal("")
	if got := MergedInto(r2); got != "" {
		t.Errorf("unmerged record is merged into %q", got)
	}
	v := &Record{Kind: KindVisit, ID: "v", Fields: Fields{"merged_into": MustMarshal("s1")}}
	if MergedInto(v) != "" {
		t.Errorf("a visit cannot be merged")
	}
}

func TestMergeFill(t *testing.T) {
	surv := mustFields(t, Person{Name: "张桂英", Categories: []PersonCategory{CatTekun}, BirthDate: "1950-01-02"})
	dup := mustFields(t, Person{Name: "张 桂英", IDNumber: "511802195001020017", Categories: []PersonCategory{CatAlone},
		Note: "女儿电话 138…", WantsCentralized: true, MergedInto: "x", MergedBy: "某人"})
	got := MergeFill(KindPerson, surv, dup, []string{"wants_centralized"})
	want := []string{"id_number", "note"}
	if names := got.FieldNames(); len(names) != len(want) || names[0] != want[0] || names[1] != want[1] {
		t.Fatalf("MergeFill took %v, want %v (name and categories are the survivor's, wants_centralized kept, merge pointer never copied)", names, want)
	}
	// An empty list on the survivor is empty, however it is encoded.
	surv["categories"] = MustMarshal([]PersonCategory{})
	if _, ok := MergeFill(KindPerson, surv, dup, nil)["categories"]; !ok {
		t.Errorf("an empty category list on the survivor was not filled from the duplicate")
	}
}

// alwaysEncoded counts the fields of kind k that EncodeFields writes even
// when empty: every field but those tagged omitempty (the merge pointer,
// fields added after records were in use).
func alwaysEncoded(k Kind) int {
	v, _ := NewValue(k)
	t := reflect.TypeOf(v).Elem()
	n := 0
	for i := 0; i < t.NumField(); i++ {
		if !strings.Contains(t.Field(i).Tag.Get("cbor"), ",omitempty") {
			n++
		}
	}
	return n
}

func TestResolveLatest(t *testing.T) {
	type rep struct{ from, month string }
	later := func(dup, have rep) bool { return dup.month > have.month }
	rd := Redirects{"d1": "s", "d2": "s", "d3": "d1"}
	m := map[string]rep{"s": {"s", "2025-05"}, "d1": {"d1", "2025-05"}, "d2": {"d2", "2025-04"},
		"d3": {"d3", "2025-06"}, "x": {"x", "2025-01"}}
	ResolveLatest(rd, m, later)
	if len(m) != 2 || m["s"] != (rep{"d3", "2025-06"}) || m["x"] != (rep{"x", "2025-01"}) {
		t.Errorf("resolved %v, want s with d3's later 2025-06 (merged through d1), x untouched", m)
	}
	m = map[string]rep{"s": {"s", "2025-05"}, "d1": {"d1", "2025-05"}}
	ResolveLatest(rd, m, later)
	if len(m) != 1 || m["s"].from != "s" {
		t.Errorf("a tie resolved to %v, want the survivor's own", m)
	}
	m = map[string]rep{"d2": {"d2", "2025-04"}}
	ResolveLatest(rd, m, later)
	if len(m) != 1 || m["s"].from != "d2" {
		t.Errorf("a survivor without a report got %v, want the duplicate's", m)
	}
}

// TestMergePointerOrderDoesNotMatter: merges and unmerges are changes like
// any other, so histories that mix them with edits and deletes, in any
// order and with redeliveries, give the same records and so resolve every
// id to the same survivor on every machine.
func TestMergePointerOrderDoesNotMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	targets := []string{"", "r1", "r2", "r3"}
	resolved := func(state map[Key]*Record) string {
		rd := Redirects{}
		for _, r := range state {
			rd.Add(r) // randomChanges writes facilities, which merge
		}
		return fmt.Sprint(rd.Resolve("r1"), rd.Resolve("r2"), rd.Resolve("r3"))
	}
	for it := 0; it < 500; it++ {
		changes := randomChanges(rng)
		for _, ch := range changes {
			if !ch.Delete && rng.IntN(2) == 0 {
				ch.Set["merged_into"] = MustMarshal(targets[rng.IntN(len(targets))])
			}
		}
		want := mergeAll(t, changes)
		for p := 0; p < 3; p++ {
			perm := make([]*Change, 0, 2*len(changes))
			for _, i := range rng.Perm(len(changes)) {
				perm = append(perm, changes[i])
				if rng.IntN(4) == 0 {
					perm = append(perm, changes[rng.IntN(len(changes))])
				}
			}
			got := mergeAll(t, perm)
			if err := sameState(want, got); err != nil {
				t.Fatalf("iteration %d: %v", it, err)
			}
			if a, b := resolved(want), resolved(got); a != b {
				t.Fatalf("iteration %d: ids resolve to %s in one order and %s in another", it, a, b)
			}
		}
	}
}
