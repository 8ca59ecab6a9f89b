package badgerstore

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// TestLogAfterScopes: a township reads the log through the scope index of
// its township and its ancestors; the result must be exactly what a full
// scan filtered by the same rule gives, in order, across pages of any size.
func TestLogAfterScopes(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	units := []schema.Code{"51", "5118", "511802", "511802001", "511802001001", "511802001002",
		"511802101", "511802101201", "511803", "511803001", "511803001001"}
	rng := rand.New(rand.NewPCG(7, 7))
	var seq uint64
	for g := 0; g < 20; g++ {
		grp := &store.Group{}
		for i := 0; i < 1+rng.IntN(30); i++ {
			seq++
			kind := schema.KindFacility
			u := units[rng.IntN(len(units))]
			if u.Level() < schema.LevelTownship {
				kind = schema.KindTarget
			}
			grp.Log = append(grp.Log, store.LogEntry{Seq: seq, Received: time.Unix(0, 0),
				Change: schema.Change{Kind: kind, ID: "x", Unit: u, Stamp: 1, Device: "d", Seq: seq}})
		}
		if err := db.Commit(ctx, grp); err != nil {
			t.Fatal(err)
		}
	}
	for _, scope := range []schema.Code{"511802001", "511802001001", "511803001", "511802", "5118", ""} {
		visible := func(e *store.LogEntry) bool {
			u := e.Change.Unit
			return u.Within(scope) || (e.Change.Kind == schema.KindTarget && scope.Within(u))
		}
		var want []uint64
		for s := uint64(1); s <= seq; s++ {
			var e store.LogEntry
			db.db.View(func(txn *badger.Txn) error { return getCBOR(txn, logKey(s), &e) })
			if visible(&e) {
				want = append(want, s)
			}
		}
		for _, limit := range []int{1, 7, 1000} {
			var got []uint64
			cursor := uint64(0)
			for pages := 0; ; pages++ {
				n := 0
				next, err := db.LogAfter(ctx, scope, "", cursor, limit, visible, func(e *store.LogEntry) error {
					got = append(got, e.Seq)
					n++
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if next < cursor {
					t.Fatalf("scope %s: cursor went back from %d to %d", scope, cursor, next)
				}
				cursor = next
				if n == 0 {
					break
				}
				if pages > int(seq)+1 {
					t.Fatalf("scope %s: no progress", scope)
				}
			}
			if cursor != seq {
				t.Errorf("scope %s limit %d: final cursor %d, want the head %d", scope, limit, cursor, seq)
			}
			if !slices.Equal(got, want) {
				t.Errorf("scope %s limit %d: got %v\nwant %v", scope, limit, got, want)
			}
		}
		// The device's own changes are skipped, and the cursor still
		// reaches the head.
		n := 0
		next, err := db.LogAfter(ctx, scope, "d", 0, 1000, visible, func(*store.LogEntry) error { n++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if scope.Level() >= schema.LevelTownship && n != 0 {
			t.Errorf("scope %s: %d of the excluded device's own entries passed", scope, n)
		}
		if next != seq {
			t.Errorf("scope %s excluding: cursor %d, want the head %d", scope, next, seq)
		}
	}
}
