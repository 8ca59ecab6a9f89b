package township

import (
	"slices"
	"testing"
	"time"

	"laoxiao/schema"
)

// TestMergedOnDevice downloads a merge the way a device gets one and
// checks what the desktop then shows: the duplicate is no longer due for
// a visit and says where it went, its visit counts for the survivor in
// the township's visit rate (once, though both records were visited),
// and the rate returns when the merge is undone.
func TestMergedOnDevice(t *testing.T) {
	st := openStore(t)
	const village schema.Code = "511802101200"
	elder := schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}}
	month := time.Now().In(schema.ChinaTime).Format(schema.MonthLayout)
	day := month + "-01"
	for _, r := range []struct {
		id string
		v  any
	}{
		{"S", elder}, {"D", elder},
		{"X", schema.Person{Name: "王秀兰", Categories: []schema.PersonCategory{schema.CatAlone}}},
		{"v1", schema.Visit{Person: "D", Date: day, Kind: schema.VisitMonthly}},
		{"v2", schema.Visit{Person: "S", Date: day, Kind: schema.VisitMonthly}},
	} {
		kind, _ := schema.KindOf(r.v)
		if _, err := st.Put(kind, r.id, village, r.v); err != nil {
			t.Fatal(err)
		}
	}
	area, err := NewArea(st.Divisions(), town)
	if err != nil {
		t.Fatal(err)
	}
	rate := func() float64 {
		t.Helper()
		snap, err := LoadSnapshot(st, area)
		if err != nil {
			t.Fatal(err)
		}
		ind, _ := schema.IndicatorByID("visit_rate_special")
		return snap.Evaluate(ind, month).Value
	}
	if got := rate(); got < 66.6 || got > 66.7 {
		t.Fatalf("before the merge the rate is %.2f, want 66.67 (S and D visited, X not)", got)
	}
	seq := uint64(0)
	download := func(to string) {
		seq++
		set := schema.Fields{"merged_into": schema.MustMarshal(to), "merged_by": schema.MustMarshal("雨城区民政局")}
		ch := schema.Change{Kind: schema.KindPerson, ID: "D", Unit: village, Set: set,
			Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: "server", Seq: seq}
		if _, err := st.ApplyRemote([]schema.LogEntry{{Seq: seq, Change: ch}}, seq); err != nil {
			t.Fatal(err)
		}
	}
	download("S")
	if got := rate(); got != 50 {
		t.Errorf("after the merge the rate is %.2f, want 50 (S once, X)", got)
	}
	ps, err := LoadPersons(st, town, month)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		switch p.ID {
		case "D":
			to, ok := MergedPersonTarget(st, p)
			if p.Due || !ok || to.ID != "S" || to.Name != "张桂英" {
				t.Errorf("merged D: due %v, target %+v %v; want not due, merged into S 张桂英", p.Due, to, ok)
			}
		case "S":
			if p.LastVisit != day {
				t.Errorf("survivor's last visit %q, want %q", p.LastVisit, day)
			}
		}
	}
	// The survivor's history lists the duplicate's visit too, counted;
	// the duplicate's own history is left as it was.
	for id, want := range map[string][]string{"S": {"v1", "v2"}, "D": {"v1"}} {
		hist, err := VisitHistory(st, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range hist {
			if v.Corrected {
				t.Errorf("%s: visit %s shown as corrected", id, v.ID)
			}
			got = append(got, v.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s's history %v, want %v", id, got, want)
		}
	}
	download("")
	if got := rate(); got < 66.6 || got > 66.7 {
		t.Errorf("after the unmerge the rate is %.2f, want 66.67 again", got)
	}
}

func TestRegisteredAs(t *testing.T) {
	id, err := schema.CompleteIDNumber("51180219450302002")
	if err != nil {
		t.Fatal(err)
	}
	person := func(rid, number, mergedInto string) Person {
		return Person{ID: rid, Person: schema.Person{Name: rid, IDNumber: number, MergedInto: mergedInto}}
	}
	ps := []Person{person("gone", id, "kept"), person("kept", id, ""), person("other", "", "")}
	for _, tc := range []struct {
		number, except, want string
	}{
		{id, "", "kept"}, // not the merged duplicate
		{" " + id[:6] + " " + id[6:] + " ", "", "kept"}, // spaces as typed
		{id, "kept", ""},  // the person being edited is not a second registration
		{id[:17], "", ""}, // incomplete
		{"", "", ""},
	} {
		p, ok := RegisteredAs(ps, tc.number, tc.except)
		if got := map[bool]string{true: p.ID}[ok]; got != tc.want {
			t.Errorf("RegisteredAs(%q, except %q) = %q, want %q", tc.number, tc.except, got, tc.want)
		}
	}
}
