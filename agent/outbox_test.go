package agent

import (
	"errors"
	"testing"
	"time"

	"laoxiao/schema"
)

func TestOutboxReleaseAndStatus(t *testing.T) {
	clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
	s := openAt(t, t.TempDir(), Options{Now: clk.Now})
	for i := range 10 {
		mustPut(t, s, schema.KindFacility, "", village, facility(string(rune('A'+i))))
		clk.Advance(time.Second)
	}
	all, err := s.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 10 {
		t.Fatalf("outbox has %d", len(all))
	}
	for i, ch := range all {
		if ch.Seq != uint64(i+1) {
			t.Fatalf("outbox[%d].Seq = %d", i, ch.Seq)
		}
	}
	page, err := s.Outbox(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 4 || page[0].Seq != 4 || page[3].Seq != 7 {
		t.Fatalf("page after 3 = %v", seqs(page))
	}

	if err := s.Release(6); err != nil {
		t.Fatal(err)
	}
	rest, _ := s.Outbox(0, 0)
	if len(rest) != 4 || rest[0].Seq != 7 {
		t.Fatalf("after release: %v", seqs(rest))
	}
	st, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Outbox != 4 || st.OldestSeq != 7 || st.AckedSeq != 6 || st.LastSeq != 10 {
		t.Fatalf("status = %+v", st)
	}
	if want := time.Date(2025, 4, 1, 8, 0, 6, 0, time.UTC); !st.OldestAt().Equal(want) {
		t.Fatalf("oldest at %v, want %v", st.OldestAt(), want)
	}
	// Releasing again, or less, is harmless, and writes nothing: every
	// sync starts by releasing up to the server's mark, most often where
	// it was, and a write would cost an fsync for nothing.
	version := s.db.MaxVersion()
	for _, upto := range []uint64{3, 6} {
		if err := s.Release(upto); err != nil {
			t.Fatal(err)
		}
	}
	if a, _ := s.Acked(); a != 6 {
		t.Fatalf("acked went back to %d", a)
	}
	if v := s.db.MaxVersion(); v != version {
		t.Errorf("releasing what was released committed a write (version %d, was %d)", v, version)
	}
}

func TestReleaseAheadOfLocalSeq(t *testing.T) {
	s := openTemp(t)
	mustPut(t, s, schema.KindFacility, "", village, facility("a"))
	// As after restoring an old backup: the server has seen seq 50.
	if err := s.Release(50); err != nil {
		t.Fatal(err)
	}
	ch := mustPut(t, s, schema.KindFacility, "", village, facility("b"))
	if ch.Seq != 51 {
		t.Fatalf("seq after server mark 50 = %d", ch.Seq)
	}
}

func seqs(chs []schema.Change) []uint64 {
	out := make([]uint64, len(chs))
	for i, c := range chs {
		out[i] = c.Seq
	}
	return out
}

func TestParkUnparkDiscard(t *testing.T) {
	s := openTemp(t)
	keep := mustPut(t, s, schema.KindFacility, "", village, facility("留下"))
	refused := mustPut(t, s, schema.KindFacility, "", village, facility("被拒绝"))
	edit := facility("被拒绝")
	edit.Address = "新地址"
	edited := mustPut(t, s, schema.KindFacility, refused.ID, village, edit)
	only := mustPut(t, s, schema.KindPerson, "", village, person("只有一次"))

	rej := schema.Rejection{Seq: edited.Seq, Code: schema.RejectInvalid, Reason: "address too short", ReasonZh: "地址过短"}
	if err := s.Park(*edited, rej); err != nil {
		t.Fatal(err)
	}
	if err := s.Park(*only, schema.Rejection{Seq: only.Seq, Code: schema.RejectOutOfScope}); err != nil {
		t.Fatal(err)
	}
	ob, _ := s.Outbox(0, 0)
	if got := seqs(ob); len(got) != 2 || got[0] != keep.Seq || got[1] != refused.Seq {
		t.Fatalf("outbox after park = %v", got)
	}
	parked, err := s.Parked()
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 2 || parked[0].Change.Seq != edited.Seq || parked[0].Rejection.ReasonZh != "地址过短" {
		t.Fatalf("parked = %+v", parked)
	}
	st, _ := s.Status()
	if st.Parked != 2 || st.Outbox != 2 {
		t.Fatalf("status = %+v", st)
	}

	// The user fixes the address, then sends the parked change again: it
	// goes out under a new seq with the corrected value.
	edit.Address = "雨城区东大街二十八号"
	fix := mustPut(t, s, schema.KindFacility, refused.ID, village, edit)
	again, err := s.Unpark(edited.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if again.Seq != fix.Seq+1 || again.ID != refused.ID || again.Stamp <= fix.Stamp {
		t.Fatalf("unparked change = %+v", again)
	}
	var addr string
	if err := schema.UnmarshalStored(again.Set["address"], &addr); err != nil || addr != edit.Address {
		t.Fatalf("unparked address = %q, %v", addr, err)
	}
	if _, err := s.Unpark(edited.Seq); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second unpark: %v", err)
	}

	// Discarding a change that created its record and was never accepted
	// removes the record: no server has it.
	if err := s.Discard(only.Seq); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(schema.KindPerson, only.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("discarded person still there: %v", err)
	}
	if p, _ := s.Parked(); len(p) != 0 {
		t.Fatalf("parked after discard: %+v", p)
	}
	if _, err := s.Get(schema.KindFacility, keep.ID); err != nil {
		t.Fatal(err)
	}
}

func TestUnparkStillInvalidStaysParked(t *testing.T) {
	s := openTemp(t)
	ch := mustPut(t, s, schema.KindFacility, "", village, facility("范围外"))
	edit := mustPut(t, s, schema.KindFacility, ch.ID, village, facility("范围外(改)"))
	if err := s.Park(*edit, schema.Rejection{Seq: edit.Seq, Code: schema.RejectOutOfScope}); err != nil {
		t.Fatal(err)
	}
	// The server's scope for the device does not include the village.
	if err := s.SetScope(township2); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	if _, err := s.Unpark(edit.Seq); !hasProblem(err, "facility.unit") {
		t.Fatalf("unpark out of scope: %v", err)
	}
	if d := diffSnapshots(before, snapshot(t, s)); len(d) > 0 {
		t.Fatalf("failed unpark changed %v", d)
	}
	// Discarding it keeps the record: its creation was not refused.
	if err := s.Discard(edit.Seq); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(schema.KindFacility, ch.ID); err != nil {
		t.Fatalf("record of a discarded edit: %v", err)
	}
	if err := s.Discard(edit.Seq); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second discard: %v", err)
	}
}
