package agent

import (
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

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

// TestRestampInChunks: on a store whose transactions hold a few hundred
// changes, a Restamp of thousands goes through; one that a crash cut
// after its first chunk is finished by the next Open, to the same stamps
// and record versions as one that ran through, with the correction
// adopted.
func TestRestampInChunks(t *testing.T) {
	const n = 2000
	offset := -72 * time.Hour
	build := func(dir string) (*Store, *fakeClock) {
		clk := newFakeClock(time.Date(2025, 5, 13, 9, 0, 0, 0, time.UTC))
		s := openAt(t, dir, Options{Now: clk.Now, MemTableSize: smallMemTable})
		putSized(t, s, n, 300)
		clk.Advance(time.Minute)
		if err := s.SetClockOffset(offset); err != nil {
			t.Fatal(err)
		}
		return s, clk
	}
	whole, _ := build(t.TempDir())
	if moved, err := whole.Restamp(1, offset); err != nil || moved != n {
		t.Fatalf("restamp of %d changes: moved %d, %v", n, moved, err)
	}

	dir := t.TempDir()
	cut, clk := build(dir)
	r, err := cut.startRestamp(1, offset)
	if err != nil {
		t.Fatal(err)
	}
	cut.wmu.Lock()
	moved, done, err := cut.restampChunk(&r)
	cut.wmu.Unlock()
	if err != nil || done || moved == 0 {
		t.Fatalf("first chunk: moved %d of %d, done %v, %v", moved, n, done, err)
	}
	if err := cut.Close(); err != nil {
		t.Fatal(err)
	}
	cut = openAt(t, dir, Options{Now: clk.Now, MemTableSize: smallMemTable})

	want, got := mustOutbox(t, whole), mustOutbox(t, cut)
	if len(got) != n || len(want) != n {
		t.Fatalf("outbox holds %d after the finished restamp, %d after the whole one; want %d", len(got), len(want), n)
	}
	for i := range got {
		if got[i].Seq != want[i].Seq || got[i].Stamp != want[i].Stamp {
			t.Fatalf("change %d: seq %d stamp %v after the finished restamp, seq %d stamp %v after the whole one",
				i, got[i].Seq, got[i].Stamp, want[i].Seq, want[i].Stamp)
		}
		if got[i].Stamp.Time().After(clk.Now().Add(offset)) || i > 0 && got[i].Stamp <= got[i-1].Stamp {
			t.Fatalf("change %d stamped %v: past the corrected present or out of order", i, got[i].Stamp)
		}
		rec := loadForTest(t, cut, got[i].Kind, got[i].ID)
		for name, v := range rec.Versions {
			if v != got[i].Version() {
				t.Fatalf("record %s field %s at version %v, its change at %v", got[i].ID, name, v, got[i].Version())
			}
		}
	}
	if cut.Clock().Offset() != offset {
		t.Fatalf("offset after the finished restamp: %v", cut.Clock().Offset())
	}
	var pending bool
	if err := cut.db.View(func(txn *badger.Txn) (err error) {
		pending, err = getCBOR(txn, metaRestamping, &restamping{})
		return err
	}); err != nil || pending {
		t.Fatalf("restamp still pending: %v, %v", pending, err)
	}
}

// TestRestampDue: a forward jump of the correction beyond RestampJump
// records that a restamp is due, on disk with the offset (a reopen still
// says so); a smaller or backward jump does not; Restamp and SkipRestamp
// end it.
func TestRestampDue(t *testing.T) {
	for _, tc := range []struct {
		name string
		jump time.Duration
		end  func(*Store) error
		due  bool
	}{
		{"an hour forward", time.Hour, nil, true},
		{"a minute and a second forward", RestampJump + time.Second, nil, true},
		{"half a minute forward", RestampJump / 2, nil, false},
		{"an hour back", -time.Hour, nil, false},
		{"an hour forward, then restamped", time.Hour, func(s *Store) error { _, err := s.Restamp(1, time.Hour); return err }, false},
		{"an hour forward, then skipped", time.Hour, (*Store).SkipRestamp, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openAt(t, dir, Options{})
			mustPut(t, s, schema.KindFacility, "", village, facility("敬老院"))
			if err := s.SetClockOffset(tc.jump); err != nil {
				t.Fatal(err)
			}
			if tc.end != nil {
				if err := tc.end(s); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openAt(t, dir, Options{})
			if due, err := s.RestampDue(); err != nil || due != tc.due {
				t.Errorf("restamp due after a reopen: %v, %v; want %v", due, err, tc.due)
			}
		})
	}
}
