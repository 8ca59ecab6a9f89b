package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store/badgerstore"
)

// TestCloseAnswersEveryEnqueued: a batch Enqueue accepted while Close runs
// must still be answered (committed or ErrClosed); one left in the queue
// after the writer stopped would make its session wait forever.
func TestCloseAnswersEveryEnqueued(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	// A change naming another device than the account is a protocol
	// error: answered without touching the store, so the loop is fast.
	up := &schema.Upload{First: 1, Changes: []schema.Change{{Device: "other", Seq: 1}}}
	acct := Account{Device: "dev"}
	for iter := 0; iter < 2000; iter++ {
		in, err := New(ctx, st, Options{Logger: quietLog})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var pend []Pending
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					p, err := in.Enqueue(ctx, acct, up)
					if err != nil {
						if !errors.Is(err, ErrClosed) {
							t.Error(err)
						}
						return
					}
					mu.Lock()
					pend = append(pend, p)
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(iter%5) * 100 * time.Microsecond)
		in.Close()
		wg.Wait()
		for _, p := range pend {
			wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := p.Wait(wctx)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("iteration %d: an enqueued batch was never answered after Close", iter)
			}
		}
	}
}

// quietLog discards what the code under test logs.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// openStore opens a fresh Badger store, closed when the test ends (after
// its deferred calls, so an ingester the test closes is gone by then).
func openStore(t *testing.T) *badgerstore.DB {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
