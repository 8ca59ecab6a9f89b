package agent

import (
	"testing"
	"time"

	"laoxiao/schema"
)

func TestRestamp(t *testing.T) {
	server := time.Date(2025, 5, 10, 9, 0, 0, 0, time.UTC)
	clk := newFakeClock(server)
	dir := t.TempDir()
	s := openAt(t, dir, Options{Now: clk.Now})

	// A change from another device, seen before the trouble.
	remote := schema.MakeStamp(server.Add(-time.Hour).UnixMilli(), 3)
	fac := schema.NewID()
	if _, err := s.ApplyRemote([]schema.LogEntry{{Seq: 1, Change: schema.Change{Kind: schema.KindFacility, ID: fac,
		Unit: village, Set: mustFields(t, facility("远程")), Stamp: remote, Device: "other", Seq: 1}}}, 1); err != nil {
		t.Fatal(err)
	}
	// Seq 1 was accepted; then the laptop's clock jumped three days ahead
	// and the server refused 2..4.
	first := mustPut(t, s, schema.KindPerson, "", village, person("一"))
	if err := s.Release(1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(72 * time.Hour)
	edit := facility("本地改名")
	c2 := mustPut(t, s, schema.KindFacility, fac, village, edit)
	c3 := mustPut(t, s, schema.KindPerson, "", village, person("二"))
	c4, err := s.Delete(schema.KindPerson, c3.ID)
	if err != nil {
		t.Fatal(err)
	}

	offset := -72 * time.Hour
	n, err := s.Restamp(2, offset)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("restamped %d, want 3", n)
	}
	ob, err := s.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(ob); len(got) != 3 || got[0] != 2 || got[2] != 4 {
		t.Fatalf("outbox seqs after restamp = %v", got)
	}
	old := map[uint64]schema.Stamp{2: c2.Stamp, 3: c3.Stamp, 4: c4.Stamp}
	var prev schema.Stamp
	for _, ch := range ob {
		if ch.Stamp >= old[ch.Seq] {
			t.Fatalf("seq %d stamp %v not moved back from %v", ch.Seq, ch.Stamp, old[ch.Seq])
		}
		if d := ch.Stamp.Time().Sub(server); d < 0 || d > time.Minute {
			t.Fatalf("seq %d stamped %v, server time is %v", ch.Seq, ch.Stamp, server)
		}
		if ch.Stamp <= prev || ch.Stamp <= remote || ch.Stamp <= first.Stamp {
			t.Fatalf("seq %d stamp %v breaks order", ch.Seq, ch.Stamp)
		}
		prev = ch.Stamp
	}
	// The records carry the new versions, so they equal what the server
	// will hold once it accepts the resent changes.
	rec := loadForTest(t, s, schema.KindFacility, fac)
	for name, v := range rec.Versions {
		if _, edited := c2.Set[name]; edited {
			if v.Stamp != ob[0].Stamp {
				t.Fatalf("field %s version %v, want %v", name, v.Stamp, ob[0].Stamp)
			}
		} else if v.Stamp != remote {
			t.Fatalf("untouched field %s version %v, want remote %v", name, v.Stamp, remote)
		}
	}
	gone := loadForTest(t, s, schema.KindPerson, c3.ID)
	if gone.Deleted.Stamp != ob[2].Stamp || !gone.IsDeleted() {
		t.Fatalf("deleted person: %+v", gone)
	}
	for _, v := range gone.Versions {
		if v.Stamp != ob[1].Stamp {
			t.Fatalf("person field version %v, want %v", v.Stamp, ob[1].Stamp)
		}
	}
	accepted := loadForTest(t, s, schema.KindPerson, first.ID)
	for _, v := range accepted.Versions {
		if v.Stamp != first.Stamp {
			t.Fatal("an accepted change's record was restamped")
		}
	}

	// The correction survives a restart and new stamps use it.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{Now: clk.Now})
	if s.Clock().Offset() != offset {
		t.Fatalf("offset after reopen = %v", s.Clock().Offset())
	}
	next := mustPut(t, s, schema.KindPerson, "", village, person("三"))
	if next.Seq != 5 || next.Stamp <= ob[2].Stamp || next.Stamp.Time().Sub(server) > time.Minute {
		t.Fatalf("next change after restamp: seq %d stamp %v", next.Seq, next.Stamp)
	}
}
