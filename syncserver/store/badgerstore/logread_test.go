package badgerstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// TestLogAfterRawMatchesLogAfter: the raw read yields the entries LogAfter
// yields, page for page and cursor for cursor, each change as Marshal
// encodes it, its head without fields, whether the scope's entries lie
// close together (stepped to) or far apart (sought).
func TestLogAfterRawMatchesLogAfter(t *testing.T) {
	db, err := Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// 511802001 takes most of the log; 511803001 now and then, so its
	// entries lie many sequences apart.
	units := []schema.Code{"511802001001", "511802001002", "511802001", "511802", "511803001001"}
	rng := rand.New(rand.NewPCG(3, 9))
	var seq uint64
	for g := 0; g < 10; g++ {
		grp := &store.Group{}
		for i := 0; i < 50; i++ {
			seq++
			u := units[min(rng.IntN(40), len(units)-1)]
			kind := schema.KindFacility
			if u.Level() < schema.LevelTownship {
				kind = schema.KindTarget
			}
			set, err := schema.EncodeFields(map[string]any{"name": fmt.Sprintf("第%d", seq), "n": seq})
			if err != nil {
				t.Fatal(err)
			}
			grp.Log = append(grp.Log, store.LogEntry{Seq: seq, Received: time.UnixMilli(int64(seq)), Account: "acc",
				Change: schema.Change{Kind: kind, ID: fmt.Sprint("id", seq), Unit: u, Set: set, Stamp: schema.Stamp(seq),
					Device: []string{"d1", "d2"}[rng.IntN(2)], Seq: seq}})
		}
		if err := db.Commit(ctx, grp); err != nil {
			t.Fatal(err)
		}
	}
	type page struct {
		seqs   []uint64
		next   uint64
		errStr string
	}
	for _, scope := range []schema.Code{"511802001", "511803001", "511803", ""} {
		visible := func(e *store.LogEntry) bool {
			u := e.Change.Unit
			return u.Within(scope) || (e.Change.Kind == schema.KindTarget && scope.Within(u))
		}
		for _, limit := range []int{3, 1000} {
			for cursor := uint64(0); cursor < seq; {
				var want, got page
				changes := map[uint64]schema.Change{}
				want.next, err = db.LogAfter(ctx, scope, "d2", cursor, limit, visible, func(e *store.LogEntry) error {
					want.seqs = append(want.seqs, e.Seq)
					changes[e.Seq] = e.Change
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				got.next, err = db.LogAfterRaw(ctx, scope, "d2", cursor, limit, func(e *store.LogEntry) bool {
					if e.Change.Set != nil || e.Change.Device == "" || e.Change.Stamp != schema.Stamp(e.Seq) {
						t.Errorf("entry %d: head %+v, want every key but the fields", e.Seq, e.Change)
					}
					return visible(e)
				}, func(s uint64, raw []byte) error {
					got.seqs = append(got.seqs, s)
					ch := changes[s]
					if wantRaw := schema.MustMarshal(&ch); !bytes.Equal(raw, wantRaw) {
						t.Errorf("entry %d: raw %x, want %x", s, raw, wantRaw)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("scope %q limit %d after %d: raw read %v, LogAfter %v", scope, limit, cursor, got, want)
				}
				if len(want.seqs) == 0 && want.next == cursor {
					break
				}
				cursor = want.next
			}
		}
	}
}
