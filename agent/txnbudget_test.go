package agent

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// smallMemTable gives Badger a transaction limit of about 157 KB and 1,638
// entries: a few hundred outbox entries fill it.
const smallMemTable = 1 << 20

// TestTxnBudgetMirrorsBadger: a transaction takes exactly the writes the
// budget lets through; Badger refuses the first one the budget refuses.
func TestTxnBudgetMirrorsBadger(t *testing.T) {
	s := openAt(t, t.TempDir(), Options{MemTableSize: smallMemTable})
	for _, value := range []int{0, 1, 100, int(s.valueThreshold) - 1, int(s.valueThreshold), 4 << 10} {
		t.Run(fmt.Sprintf("value %d", value), func(t *testing.T) {
			txn := s.db.NewTransaction(true)
			defer txn.Discard()
			b := fullBudget(s.db, s.valueThreshold)
			v := make([]byte, value)
			for i := 0; ; i++ {
				k := outboxKey(uint64(i))
				fits := b.take(write{len(k), value})
				var err error
				if value == 0 {
					err = txn.Delete(k)
				} else {
					err = txn.Set(k, v)
				}
				if fits && err != nil {
					t.Fatalf("write %d: budget says it fits, Badger says %v", i, err)
				}
				if !fits {
					if !errors.Is(err, badger.ErrTxnTooBig) {
						t.Fatalf("write %d: budget says it does not fit, Badger says %v", i, err)
					}
					return
				}
			}
		})
	}
}

// TestChunksFitSmallMemTable: on a store whose transactions hold a few
// hundred changes, releasing a backlog of thousands, pruning the old ones
// kept, and refilling them after a server restore (requeue and renumber)
// all go through, for changes of half the value threshold and of just
// below it (stored inline, so they count whole against the limit).
func TestChunksFitSmallMemTable(t *testing.T) {
	const old, n = 400, 2400 // changes acked before the retention window, all changes
	for _, frac := range []float64{0.6, 0.97} {
		t.Run(fmt.Sprintf("changes of %.2f of the threshold", frac), func(t *testing.T) {
			clk := newFakeClock(time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC))
			s := openAt(t, t.TempDir(), Options{Now: clk.Now, MemTableSize: smallMemTable})
			want := int(frac * float64(s.valueThreshold))
			ids := putSized(t, s, n, want)

			mustRelease(t, s, old)
			clk.Advance(DefaultRetention + time.Hour)
			mustRelease(t, s, n) // releases the rest and prunes the old ones
			if got := mustOutbox(t, s); len(got) != 0 {
				t.Fatalf("%d changes left in the outbox after releasing all", len(got))
			}
			if k, err := s.Kept(); err != nil || k != n-old {
				t.Fatalf("kept %d, %v; want %d", k, err, n-old)
			}

			r, err := s.Refill(0, "restored", true)
			if err != nil {
				t.Fatal(err)
			}
			if r.Reoffered != n-old || r.Lost != old {
				t.Fatalf("refill %+v; want %d offered again and %d lost", r, n-old, old)
			}
			out := mustOutbox(t, s)
			if len(out) != n-old {
				t.Fatalf("outbox after refill holds %d changes, want %d", len(out), n-old)
			}
			for i, ch := range out {
				if ch.Seq != uint64(i+1) || ch.ID != ids[old+i] {
					t.Fatalf("outbox entry %d: seq %d id %s; want seq %d id %s", i, ch.Seq, ch.ID, i+1, ids[old+i])
				}
			}
			if ch := mustPut(t, s, schema.KindFacility, "", village, facility("after")); ch.Seq != uint64(n-old+1) {
				t.Fatalf("next change has seq %d, want %d", ch.Seq, n-old+1)
			}
		})
	}
}

// putSized queues n new facilities whose outbox entries are size bytes
// (give or take a few) and returns their ids in seq order.
func putSized(t *testing.T, s *Store, n, size int) []string {
	t.Helper()
	// The length of the shortest one's change, from a write abandoned
	// before its commit.
	var base int
	errAbandon := errors.New("abandoned")
	err := s.write(func(w *writer) error {
		ch, err := w.put(Item{Kind: schema.KindFacility, ID: schema.NewID(), Unit: village, Value: sizedFacility(0, 0)})
		if err != nil {
			return err
		}
		raw, err := schema.Marshal(ch)
		base = len(raw)
		return errors.Join(err, errAbandon)
	})
	if !errors.Is(err, errAbandon) {
		t.Fatal(err)
	}
	var ids []string
	for len(ids) < n {
		var items []Item
		for i := len(ids); i < n && len(items) < 100; i++ {
			items = append(items, Item{Kind: schema.KindFacility, ID: schema.NewID(), Unit: village, Value: sizedFacility(i, size-base)})
		}
		chs, err := s.PutBatch(items)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range chs {
			ids = append(ids, ch.ID)
		}
	}
	if got := outboxLen(t, s, 2); got < size-8 || got > size+8 || got >= int(s.valueThreshold) {
		t.Fatalf("outbox entry of %d bytes, want about %d (below the threshold %d)", got, size, s.valueThreshold)
	}
	return ids
}

// sizedFacility is a facility whose address is pad bytes longer than the
// shortest.
func sizedFacility(i, pad int) schema.Facility {
	f := facility(fmt.Sprintf("幸福院%05d", i))
	f.Address = "东大街1号" + strings.Repeat("x", max(pad, 0))
	return f
}

func outboxLen(t *testing.T, s *Store, seq uint64) int {
	t.Helper()
	var n int
	err := s.db.View(func(txn *badger.Txn) error {
		raw, err := getRaw(txn, outboxKey(seq))
		n = len(raw)
		return err
	})
	if err != nil || n == 0 {
		t.Fatalf("outbox entry %d: %d bytes, %v", seq, n, err)
	}
	return n
}
