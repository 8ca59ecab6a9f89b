package syncserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// moveSite is a laptop of 草坝镇, where mergeServer's persons live.
var moveSite = ingest.Account{Device: "caoba-1", Scope: "511802101", Role: store.RoleSite}

// TestMoveRefusals: each move an office can get wrong is refused with its
// own error and writes nothing.
func TestMoveRefusals(t *testing.T) {
	s := mergeServer(t)
	ctx := context.Background()
	if _, err := s.Merge(ctx, MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "e", By: "雨城区民政局"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MovePerson(ctx, MoveRequest{Person: "d", To: "511802005001", By: "雨城区民政局"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  MoveRequest
		want error
	}{
		{"unknown person", MoveRequest{Person: "nobody", To: "511802005001"}, ErrMovePerson},
		{"a facility", MoveRequest{Person: "fac", To: "511802005001"}, ErrMovePerson},
		{"to another county", MoveRequest{Person: "s", To: "511803001001"}, ErrMoveCounty},
		{"to the county itself", MoveRequest{Person: "s", To: "511802"}, ErrMoveTarget},
		{"to an unknown village", MoveRequest{Person: "s", To: "511802101999"}, ErrMoveTarget},
		{"to a mistyped code", MoveRequest{Person: "s", To: "51180200500"}, ErrMoveTarget},
		{"to where they are", MoveRequest{Person: "s", To: "511802101200"}, ErrMoveSame},
		{"a merged duplicate", MoveRequest{Person: "e", To: "511802005001"}, ErrMoveMerged},
		{"moved twice", MoveRequest{Person: "d", To: "511802005002"}, ErrMoveLeft},
	} {
		head, err := s.st.LogHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.MovePerson(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if after, _ := s.st.LogHead(ctx); after != head {
			t.Errorf("%s: the refused move wrote %d changes", tc.name, after-head)
		}
	}
}

// TestMovePersonWrites: a move creates the person in the new unit with
// their fields and a link back, and deletes the old record with a link
// forward; the old record's id resolves to the new one.
func TestMovePersonWrites(t *testing.T) {
	s := mergeServer(t)
	ctx := context.Background()
	info, err := s.MovePerson(ctx, MoveRequest{Person: "d", To: "511802005001", Reason: "随女儿迁居", By: "雨城区民政局"})
	if err != nil {
		t.Fatal(err)
	}
	if info.From != "d" || info.FromUnit != "511802101200" || info.To == "" || info.To == "d" ||
		info.ToUnit != "511802005001" || info.ToName != "龙溪社区居委会" || info.By != "雨城区民政局" {
		t.Fatalf("info %+v", info)
	}
	created, err := s.st.Record(ctx, schema.KindPerson, info.To)
	if err != nil {
		t.Fatal(err)
	}
	if created.Unit != info.ToUnit || created.IsDeleted() {
		t.Fatalf("new record in %s, deleted %v", created.Unit, created.IsDeleted())
	}
	p := s.personFor(t, info.To)
	if p.Name != "张桂英" || p.Note != "女儿电话 13800000000" || p.BirthDate != "1945-03-02" || !p.Has(schema.CatTekun) {
		t.Errorf("new record %+v: the person's fields not carried", p)
	}
	if p.MovedFrom != "d" || p.MovedFromUnit != "511802101200" || p.MoveReason != "随女儿迁居" || p.MovedTo != "" {
		t.Errorf("new record's link back %+v", p)
	}
	old, err := s.st.Record(ctx, schema.KindPerson, "d")
	if err != nil {
		t.Fatal(err)
	}
	if !old.IsDeleted() || schema.MovedTo(old) != info.To || schema.MovedUnit(old) != info.ToUnit {
		t.Errorf("old record: deleted %v, moved to %q in %q", old.IsDeleted(), schema.MovedTo(old), schema.MovedUnit(old))
	}
	rd := schema.Redirects{}
	rd.Add(old)
	if got := rd.Resolve("d"); got != info.To {
		t.Errorf("the old id resolves to %q, want %s", got, info.To)
	}
}

// TestMovedPersonEdits: a site may not write the move fields; an edit of
// the old record made offline lands on the new one and leaves the old one
// deleted, whether it was made after the move or before it.
func TestMovedPersonEdits(t *testing.T) {
	s := mergeServer(t)
	ctx := context.Background()
	time.Sleep(5 * time.Millisecond) // after the load, before the move
	before := schema.MakeStamp(time.Now().UnixMilli(), 0)
	time.Sleep(5 * time.Millisecond)
	info, err := s.MovePerson(ctx, MoveRequest{Person: "d", To: "511802005001", By: "雨城区民政局"})
	if err != nil {
		t.Fatal(err)
	}
	text := func(v string) schema.Fields { return schema.Fields{"note": schema.MustMarshal(v)} }
	after := schema.MakeStamp(time.Now().UnixMilli()+1000, 0)
	changes := []schema.Change{
		{Kind: schema.KindPerson, ID: "d", Unit: "511802101200", Set: schema.Fields{"moved_to": schema.MustMarshal("")}, Stamp: after, Device: moveSite.Device, Seq: 1},
		{Kind: schema.KindPerson, ID: "d", Unit: "511802101200", Set: text("改前备注"), Stamp: before, Device: moveSite.Device, Seq: 2},
	}
	ack, err := s.Ingest().Submit(ctx, moveSite, &schema.Upload{Batch: 1, First: 1, Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	if len(ack.Rejected) != 1 || ack.Rejected[0].Seq != 1 || ack.Rejected[0].Code != schema.RejectReadOnly {
		t.Fatalf("rejections %+v, want the move field refused", ack.Rejected)
	}
	if got := s.personFor(t, info.To).Note; got != "改前备注" {
		t.Errorf("an edit made before the move: new record's note %q, want it", got)
	}
	late := schema.Change{Kind: schema.KindPerson, ID: "d", Unit: "511802101200", Set: text("搬家后电话 13900000000"),
		Stamp: after, Device: moveSite.Device, Seq: 3}
	if ack, err := s.Ingest().Submit(ctx, moveSite, &schema.Upload{Batch: 2, First: 3, Changes: []schema.Change{late}}); err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("late edit: %v %+v", err, ack)
	}
	if got := s.personFor(t, info.To).Note; got != "搬家后电话 13900000000" {
		t.Errorf("an edit made after the move: new record's note %q, want it", got)
	}
	old, err := s.st.Record(ctx, schema.KindPerson, "d")
	if err != nil {
		t.Fatal(err)
	}
	if !old.IsDeleted() {
		t.Error("the late edit brought the moved record back in the old township")
	}
}

// TestMergedIntoMovedPerson: an edit of a duplicate merged into a person
// the county has since moved lands on the moved record.
func TestMergedIntoMovedPerson(t *testing.T) {
	s := mergeServer(t)
	ctx := context.Background()
	if _, err := s.Merge(ctx, MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "e", By: "雨城区民政局"}); err != nil {
		t.Fatal(err)
	}
	info, err := s.MovePerson(ctx, MoveRequest{Person: "s", To: "511802005001", By: "雨城区民政局"})
	if err != nil {
		t.Fatal(err)
	}
	edit := schema.Change{Kind: schema.KindPerson, ID: "e", Unit: "511802101200", Set: schema.Fields{"note": schema.MustMarshal("搬家后电话 13900000000")},
		Stamp: schema.MakeStamp(time.Now().UnixMilli()+1000, 0), Device: moveSite.Device, Seq: 1}
	if ack, err := s.Ingest().Submit(ctx, moveSite, &schema.Upload{Batch: 1, First: 1, Changes: []schema.Change{edit}}); err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("edit of the duplicate: %v %+v", err, ack)
	}
	if got := s.personFor(t, info.To).Note; got != "搬家后电话 13900000000" {
		t.Errorf("the moved survivor's note %q, want the edit of its duplicate", got)
	}
	rd := schema.Redirects{}
	for _, id := range []string{"e", "s"} {
		r, err := s.st.Record(ctx, schema.KindPerson, id)
		if err != nil {
			t.Fatal(err)
		}
		rd.Add(r)
	}
	if got := rd.Resolve("e"); got != info.To {
		t.Errorf("the duplicate resolves to %q, want the moved record %s", got, info.To)
	}
}
