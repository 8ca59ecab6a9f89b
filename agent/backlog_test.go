package agent

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// TestBacklogAgreesWithFullWalk: Backlog (and Status) walk the outbox from
// the acked mark on. Through random puts, releases, parks and refills,
// what they report must equal a walk of every outbox key from the start,
// which holds only if no outbox entry ever lies at or below the mark.
func TestBacklogAgreesWithFullWalk(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 9))
			clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
			s := openAt(t, t.TempDir(), Options{Now: clk.Now})
			for step := range 60 {
				op := randomBacklogOp(t, s, r)
				clk.Advance(time.Hour)
				checkBacklog(t, s, fmt.Sprintf("step %d (%s)", step, op))
			}
		})
	}
}

// randomBacklogOp does one thing a device's store goes through and says
// which.
func randomBacklogOp(t *testing.T, s *Store, r *rand.Rand) string {
	t.Helper()
	b, err := s.Backlog()
	if err != nil {
		t.Fatal(err)
	}
	switch op := r.IntN(10); {
	case op < 5 || b.LastSeq == 0:
		mustPut(t, s, schema.KindFacility, "", village, facility(fmt.Sprint("机构", r.IntN(1000))))
		return "put"
	case op < 7:
		upto := b.AckedSeq + uint64(r.IntN(int(b.LastSeq-b.AckedSeq)+1))
		mustRelease(t, s, upto)
		return fmt.Sprint("release up to ", upto)
	case op < 8:
		chs := mustOutbox(t, s)
		if len(chs) == 0 {
			return "nothing to park"
		}
		ch := chs[r.IntN(len(chs))]
		if err := s.Park(ch, schema.Rejection{Seq: ch.Seq, Code: schema.RejectInvalid, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint("park ", ch.Seq)
	default:
		mark := uint64(r.IntN(int(b.AckedSeq) + 1))
		if _, err := s.Refill(mark, "", false); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint("refill after ", mark)
	}
}

// checkBacklog compares Backlog and Status with a walk of the whole
// outbox.
func checkBacklog(t *testing.T, s *Store, when string) {
	t.Helper()
	var want Backlog
	err := s.db.View(func(txn *badger.Txn) (err error) {
		if want.LastSeq, err = getUint(txn, metaSeq); err != nil {
			return err
		}
		if want.AckedSeq, err = getUint(txn, metaAcked); err != nil {
			return err
		}
		err = scanSeq(txn, prefixOutbox, 0, func(seq uint64, raw []byte) (bool, error) {
			if want.Outbox == 0 {
				var ch schema.Change
				if err := schema.UnmarshalStored(raw, &ch); err != nil {
					return false, err
				}
				want.OldestSeq, want.OldestStamp = seq, ch.Stamp
			}
			want.Outbox++
			return true, nil
		})
		if err != nil {
			return err
		}
		want.Parked, err = countPrefix(txn, []byte(prefixParked))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Backlog()
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	if got != want || st.Backlog != want {
		t.Fatalf("after %s: Backlog %+v, Status %+v; the whole outbox says %+v", when, got, st.Backlog, want)
	}
}
