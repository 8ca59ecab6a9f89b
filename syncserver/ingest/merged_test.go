package ingest

import (
	"context"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

const mergeVillage schema.Code = "511802101200"

var mergeSite = Account{Device: "dev-site", Scope: "511802101", Role: store.RoleSite}

func (f *lockFixture) person(id string, p schema.Person) schema.Change {
	return schema.Change{Kind: schema.KindPerson, ID: id, Unit: mergeVillage, Set: f.fields(p)}
}

func (f *lockFixture) set(kind schema.Kind, id string, fields map[string]string) schema.Change {
	set := schema.Fields{}
	for k, v := range fields {
		set[k] = schema.MustMarshal(v)
	}
	return schema.Change{Kind: kind, ID: id, Unit: mergeVillage, Set: set}
}

func (f *lockFixture) stored(id string) schema.Person {
	f.t.Helper()
	r, err := f.st.Record(context.Background(), schema.KindPerson, id)
	if err != nil {
		f.t.Fatal(err)
	}
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// TestSiteCannotMerge: a site's upload that sets the merge pointer to
// anything the record does not hold is refused as read-only; echoing the
// pointer it holds, or an empty one on a new record, is harmless.
func TestSiteCannotMerge(t *testing.T) {
	f := newLockFixture(t)
	elder := schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}}
	merged := elder
	merged.MergedInto = "p1"
	ack := f.upload(mergeSite, f.person("p1", elder), f.person("p2", elder), f.person("p3", merged),
		f.set(schema.KindPerson, "p1", map[string]string{"merged_into": "p9"}),
		f.set(schema.KindPerson, "p1", map[string]string{"merged_into": ""}))
	got := refusals(ack)
	if len(got) != 2 || got[3].Code != schema.RejectReadOnly || got[4].Code != schema.RejectReadOnly {
		t.Fatalf("refusals %+v, want seq 3 (created merged) and 4 (merged) refused as read-only", got)
	}
	f.server(f.set(schema.KindPerson, "p2", map[string]string{"merged_into": "p1"}))
	// The site echoes the pointer the server set: nothing changes.
	f.now = f.now.Add(time.Second)
	ack = f.upload(mergeSite, f.set(schema.KindPerson, "p2", map[string]string{"merged_into": "p1", "note": "复核"}))
	if len(ack.Rejected) != 0 || f.stored("p2").MergedInto != "p1" {
		t.Fatalf("echoing the pointer: %+v, p2 now %+v", ack.Rejected, f.stored("p2"))
	}
	// And cannot undo it.
	f.now = f.now.Add(time.Second)
	ack = f.upload(mergeSite, f.set(schema.KindPerson, "p2", map[string]string{"merged_into": ""}))
	if got := refusals(ack); len(got) != 1 || f.stored("p2").MergedInto != "p1" {
		t.Fatalf("a site unmerged: %+v", got)
	}
}

// TestEditOfMergedLandsOnSurvivor: a site's edit of a merged duplicate is
// applied to it and, as the server's own change with the site's stamp, to
// the survivor at the end of the chain of merges; an edit the survivor
// cannot take stays on the duplicate; the server's own numbering goes on
// without a gap.
func TestEditOfMergedLandsOnSurvivor(t *testing.T) {
	f := newLockFixture(t)
	id, err := schema.CompleteIDNumber("51180219450302002")
	if err != nil {
		t.Fatal(err)
	}
	elder := schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}}
	withID := elder
	withID.IDNumber = id
	f.upload(mergeSite, f.person("s", withID), f.person("mid", elder), f.person("d", elder))
	f.server(f.set(schema.KindPerson, "d", map[string]string{"merged_into": "mid"}),
		f.set(schema.KindPerson, "mid", map[string]string{"merged_into": "s"}))

	f.now = f.now.Add(time.Second) // the edit is made after the merge
	ack := f.upload(mergeSite, f.set(schema.KindPerson, "d", map[string]string{"note": "已搬到女儿家"}))
	if len(ack.Rejected) != 0 {
		t.Fatalf("edit of a merged record refused: %+v", ack.Rejected)
	}
	if got := f.stored("s").Note; got != "已搬到女儿家" {
		t.Errorf("survivor's note %q, want the edit made on the duplicate", got)
	}
	if got := f.stored("d").Note; got != "已搬到女儿家" {
		t.Errorf("duplicate's note %q: the device's change must apply as sent", got)
	}
	if got := f.stored("mid").Note; got != "" {
		t.Errorf("the middle of the chain got the edit too: %q", got)
	}
	// A birth date the survivor's ID number contradicts stays on the
	// duplicate.
	note := schema.MakeStamp(f.now.UnixMilli(), 0)
	f.now = f.now.Add(time.Second)
	ack = f.upload(mergeSite, f.set(schema.KindPerson, "d", map[string]string{"birth_date": "1950-01-01"}))
	if len(ack.Rejected) != 0 || f.stored("d").BirthDate != "1950-01-01" || f.stored("s").BirthDate != "" {
		t.Errorf("contradicting edit: refused %+v, duplicate %q, survivor %q", ack.Rejected, f.stored("d").BirthDate, f.stored("s").BirthDate)
	}
	var redirected []store.LogEntry
	_, err = f.st.LogAfter(context.Background(), "", "", 0, 1000, func(*store.LogEntry) bool { return true }, func(e *store.LogEntry) error {
		if e.Change.Device == ServerDevice && e.Change.ID == "s" {
			redirected = append(redirected, *e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(redirected) != 1 {
		t.Fatalf("log holds %d server changes of the survivor, want 1", len(redirected))
	}
	if redirected[0].Change.Stamp != note {
		t.Errorf("redirect stamped %v, want the site's own stamp %v", redirected[0].Change.Stamp, note)
	}
	mark, err := f.st.Mark(context.Background(), ServerDevice)
	if err != nil {
		t.Fatal(err)
	}
	if redirected[0].Change.Seq != 3 || mark.HighWater != 3 {
		t.Errorf("redirect numbered %d, server mark %d; want 3 after the two merges", redirected[0].Change.Seq, mark.HighWater)
	}
	f.server(f.set(schema.KindPerson, "d", map[string]string{"merged_by": "雨城区民政局"}))
	if mark, _ := f.st.Mark(context.Background(), ServerDevice); mark.HighWater != 4 {
		t.Errorf("the server's next change numbered up to %d, want 4", mark.HighWater)
	}
}
