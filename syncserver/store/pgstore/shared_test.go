package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// openTwo opens two stores, each with its own pool (two server
// processes), on one fresh database.
func openTwo(t *testing.T) (a, b *Store) {
	t.Helper()
	a, url := openNew(t)
	b, err := Open(context.Background(), url, quiet())
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	return a, b
}

// TestLogNeverVisibleOutOfOrder: writers on two pools (two server
// processes) commit at once while readers follow the log; no reader may
// ever see seq N+1 before N, and every entry is there once at the end.
func TestLogNeverVisibleOutOfOrder(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	defer a.Close()
	defer b.Close()
	const writers, groups = 4, 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 64)
	for r := 0; r < 4; r++ {
		st := []*Store{a, b}[r%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cursor uint64
			for {
				select {
				case <-done:
					return
				default:
				}
				next, err := st.LogAfter(ctx, "", "", cursor, 100, func(*store.LogEntry) bool { return true }, func(e *store.LogEntry) error {
					if e.Seq != cursor+1 {
						return fmt.Errorf("reader at %d saw %d next", cursor, e.Seq)
					}
					cursor = e.Seq
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				if next < cursor {
					errs <- fmt.Errorf("cursor went back from %d to %d", cursor, next)
					return
				}
				cursor = next
			}
		}()
	}
	var ww sync.WaitGroup
	for w := 0; w < writers; w++ {
		st := []*Store{a, b}[w%2]
		dev := fmt.Sprint("w", w)
		ww.Add(1)
		go func() {
			defer ww.Done()
			for g := 0; g < groups; g++ {
				grp := &store.Group{}
				for i := 0; i <= g%5; i++ {
					grp.Log = append(grp.Log, store.LogEntry{Seq: 1, Change: schema.Change{Kind: schema.KindFacility,
						ID: fmt.Sprint(dev, "-", g, "-", i), Unit: "511802001", Stamp: 1, Device: dev, Seq: uint64(g)}})
				}
				if err := st.Commit(ctx, grp); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	ww.Wait()
	// Let the readers catch up with the last commit, then stop them.
	time.Sleep(200 * time.Millisecond)
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := uint64(writers * (groups / 5) * (1 + 2 + 3 + 4 + 5))
	head, err := a.LogHead(ctx)
	if err != nil || head != want {
		t.Fatalf("head %d (%v), want %d", head, err, want)
	}
	seen := map[string]bool{}
	if _, err := a.LogAfter(ctx, "", "", 0, int(want)+1, func(*store.LogEntry) bool { return true }, func(e *store.LogEntry) error {
		if seen[e.Change.ID] {
			t.Errorf("%s logged twice", e.Change.ID)
		}
		seen[e.Change.ID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != int(want) {
		t.Errorf("%d distinct entries, want %d", len(seen), want)
	}
}

// TestMigrations: a second open finds the schema done; a database a newer
// build migrated is refused.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	st, url := openNew(t)
	inc, err := st.Incarnation(ctx)
	if err != nil || len(inc) != 32 {
		t.Fatalf("incarnation %q, %v", inc, err)
	}
	st.Close()
	st, err = Open(ctx, url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := st.Incarnation(ctx); again != inc {
		t.Errorf("incarnation changed on reopen: %s, was %s", again, inc)
	}
	next, err := st.NewIncarnation(ctx)
	if err != nil || next == inc {
		t.Errorf("new incarnation %q (%v), was %q", next, err, inc)
	}
	if got, _ := st.Incarnation(ctx); got != next {
		t.Errorf("incarnation reads %s after NewIncarnation made %s", got, next)
	}
	if _, err := st.Pool().Exec(ctx, `INSERT INTO laoxiao_schema_version (version) VALUES ($1)`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err := Open(ctx, url, quiet()); !errors.Is(err, ErrSchemaNewer) {
		if st != nil {
			st.Close()
		}
		t.Errorf("open of a newer schema: %v, want ErrSchemaNewer", err)
	}
}

// TestSessionClaims: a device's session is held by one process; another
// asks it to let go, waits, and gets it once released or gone.
func TestSessionClaims(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	defer a.Close()
	defer b.Close()
	release, err := a.LockSession(ctx, "dev1")
	if err != nil {
		t.Fatal(err)
	}
	// Other devices are free.
	r2, err := b.LockSession(ctx, "dev2")
	if err != nil {
		t.Fatal(err)
	}
	r2()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = b.LockSession(short, "dev1")
	cancel()
	if !errors.Is(err, store.ErrSessionBusy) {
		t.Fatalf("claim of a held device: %v, want ErrSessionBusy", err)
	}
	select {
	case id := <-a.SessionKicks():
		if id != "dev1" {
			t.Errorf("kick for %q, want dev1", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the holder was never asked to end the session")
	}
	// A revoked device: every holder is asked to end its session.
	if err := b.EndSession(ctx, "dev1"); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-a.SessionKicks():
		if id != "dev1" {
			t.Errorf("end request for %q, want dev1", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the holder was never asked to end the revoked device's session")
	}
	release()
	rb, err := b.LockSession(ctx, "dev1")
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	// b's process dies: its claims go with its connection.
	b.Close()
	_ = rb
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ra, err := a.LockSession(wait, "dev1")
	if err != nil {
		t.Fatalf("claim after the holder closed: %v", err)
	}
	ra()
}
