package agent

import (
	"slices"
	"testing"
	"time"

	"laoxiao/schema"
)

// TestRefill: after a server restored from an older copy says its mark is
// below what was acked, the kept acked changes and the parked ones go back
// into the outbox under their own sequence numbers, behind the changes
// still waiting; those acked before the retention window are counted as
// lost and the queue closes over them. Calling it again changes nothing.
func TestRefill(t *testing.T) {
	type want struct {
		outbox                    []uint64
		reoffered, reparked, lost int
		nextSeq                   uint64
	}
	for _, tc := range []struct {
		name string
		// acked 1..6 of 8 changes, seq 3 parked; the first ackOld acked
		// 100 days before the rest.
		ackOld uint64
		mark   uint64
		want   want
	}{
		{"all kept", 0, 2, want{[]uint64{3, 4, 5, 6, 7, 8}, 3, 1, 0, 9}},
		{"nothing lost by the server", 0, 6, want{[]uint64{7, 8}, 0, 0, 0, 9}},
		{"the first four past retention", 4, 0, want{[]uint64{1, 2, 3, 4, 5}, 2, 1, 3, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
			s := openAt(t, t.TempDir(), Options{Now: clk.Now})
			var all []schema.Change
			for i := range 8 {
				all = append(all, *mustPut(t, s, schema.KindFacility, "", village, facility(string(rune('A'+i)))))
			}
			if err := s.Park(all[2], schema.Rejection{Seq: 3, Code: schema.RejectInvalid, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			if tc.ackOld > 0 {
				mustRelease(t, s, tc.ackOld)
				clk.Advance(100 * 24 * time.Hour)
			}
			mustRelease(t, s, 6)
			if err := s.SetIncarnation("old"); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second call finds nothing more to do
				r, err := s.Refill(tc.mark, "new", true)
				if err != nil {
					t.Fatal(err)
				}
				if got := seqs(mustOutbox(t, s)); !slices.Equal(got, tc.want.outbox) {
					t.Fatalf("outbox after refill: %v, want %v", got, tc.want.outbox)
				}
				if r.ServerMark != tc.mark || r.Acked != 6 && r.Acked != tc.mark {
					t.Fatalf("refill report %+v", r)
				}
				if r.Reoffered != tc.want.reoffered || r.Reparked != tc.want.reparked || r.Lost != tc.want.lost {
					t.Fatalf("refill report %+v, want reoffered %d reparked %d lost %d", r, tc.want.reoffered, tc.want.reparked, tc.want.lost)
				}
				tc.want.reoffered, tc.want.reparked, tc.want.lost = 0, 0, 0
			}
			st, err := s.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.AckedSeq != min(6, tc.mark) || st.Cursor != 0 || st.LastRefill.At.IsZero() || st.Parked != 0 && tc.mark < 3 {
				t.Fatalf("status after refill: %+v", st)
			}
			if id, _ := s.Incarnation(); id != "new" {
				t.Fatalf("incarnation after refill: %q", id)
			}
			if ch := mustPut(t, s, schema.KindFacility, "", village, facility("after")); ch.Seq != tc.want.nextSeq {
				t.Fatalf("next change after refill has seq %d, want %d", ch.Seq, tc.want.nextSeq)
			}
			if _, pending, _ := s.RefillPending(); pending {
				t.Fatal("refill still pending")
			}
		})
	}
}

// TestReleaseKeepsWithinRetention: released changes are kept until the
// retention window passes; a negative retention keeps none.
func TestReleaseKeepsWithinRetention(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention time.Duration
		keptNow   int
		keptLater int
	}{
		{"default 90 days", 0, 3, 1},
		{"none kept", -1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
			s := openAt(t, t.TempDir(), Options{Now: clk.Now, Retention: tc.retention})
			for i := range 4 {
				mustPut(t, s, schema.KindFacility, "", village, facility(string(rune('A'+i))))
			}
			mustRelease(t, s, 3)
			if n, err := s.Kept(); err != nil || n != tc.keptNow {
				t.Fatalf("kept after release: %d, %v; want %d", n, err, tc.keptNow)
			}
			clk.Advance(DefaultRetention + time.Hour)
			mustRelease(t, s, 3) // the mark did not move: it prunes all the same
			if n, err := s.Kept(); err != nil || n != 0 {
				t.Fatalf("kept after the window, the mark where it was: %d, %v; want 0", n, err)
			}
			mustRelease(t, s, 4) // prunes what is past the window
			if n, err := s.Kept(); err != nil || n != tc.keptLater {
				t.Fatalf("kept after the window: %d, %v; want %d", n, err, tc.keptLater)
			}
		})
	}
}

func mustRelease(t *testing.T, s *Store, upto uint64) {
	t.Helper()
	if err := s.Release(upto); err != nil {
		t.Fatal(err)
	}
}

func mustOutbox(t *testing.T, s *Store) []schema.Change {
	t.Helper()
	chs, err := s.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return chs
}

// TestPruneAfterRefill: a refill issues sequence numbers again that
// pruning had passed; the changes kept under them are pruned in their
// time all the same.
func TestPruneAfterRefill(t *testing.T) {
	clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
	s := openAt(t, t.TempDir(), Options{Now: clk.Now})
	put := func() uint64 { return mustPut(t, s, schema.KindFacility, "", village, facility("f")).Seq }
	for range 4 {
		put()
	}
	mustRelease(t, s, 4)
	clk.Advance(DefaultRetention + time.Hour)
	mustRelease(t, s, put()) // prunes 1..4
	if _, err := s.Refill(0, "", false); err != nil {
		t.Fatal(err)
	}
	mustRelease(t, s, 1) // seq 5, renumbered to 1, kept again
	clk.Advance(DefaultRetention + time.Hour)
	mustRelease(t, s, put())
	if n, err := s.Kept(); err != nil || n != 1 {
		t.Fatalf("kept after the window passed the refilled change: %d, %v; want 1", n, err)
	}
}

// TestRefillResumes: a refill a crash cut short after its first steps is
// left pending, and the next Refill with the same mark finishes it to the
// same outbox as an uninterrupted one.
func TestRefillResumes(t *testing.T) {
	clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
	s := openAt(t, t.TempDir(), Options{Now: clk.Now})
	for range 6 {
		mustPut(t, s, schema.KindFacility, "", village, facility("f"))
	}
	mustRelease(t, s, 2)
	clk.Advance(DefaultRetention + time.Hour)
	mustRelease(t, s, 5) // prunes 1 and 2
	// The crash: the refill started and requeued the kept changes only.
	if _, err := s.startRefill(0, "new", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.requeue(prefixKept, 0, keptRaw); err != nil {
		t.Fatal(err)
	}
	if r, pending, err := s.RefillPending(); err != nil || !pending || r.ServerMark != 0 || r.Acked != 5 {
		t.Fatalf("pending refill %+v, %v, %v", r, pending, err)
	}
	r, err := s.Refill(0, "new", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(mustOutbox(t, s)); !slices.Equal(got, []uint64{1, 2, 3, 4}) || r.Lost != 2 || r.Acked != 5 {
		t.Fatalf("outbox after the resumed refill %v, report %+v; want 1..4 and 2 lost", got, r)
	}
	if _, pending, _ := s.RefillPending(); pending {
		t.Fatal("refill still pending after it was finished")
	}
}
