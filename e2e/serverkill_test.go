package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/syncserver"
)

// TestServerKilledMidSync runs the sync server as a separate process and
// kills it with SIGKILL at random moments while sites sync concurrently,
// restarting it on the same port and data directory each time. Batches the
// server committed but never acked, batches it received but never
// committed, and commits cut short must all end the same way: after a final
// clean sync, the store (opened in this process once the server is gone)
// holds every change exactly once and every site equals it. After the
// first restart the county locks January: from then on no January report
// gets in, whatever the kills cut short.
func TestServerKilledMidSync(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "server")
	ps := startProcServer(t, dir, freeAddr(t))
	var sites []*site
	for i := 0; i < 6; i++ {
		tw := testTownships[i%3]
		a := openSite(t, tw, fmt.Sprintf("sk%02d", i), agent.Options{})
		a.enroll(ps.url, ps.code(tw))
		a.client.Timeout = 5 * time.Second
		sites = append(sites, a)
	}

	ctx, stop := context.WithCancel(context.Background())
	var (
		wg            sync.WaitGroup
		inSync        atomic.Int64             // sites inside SyncOnce right now
		started       = make(chan struct{}, 1) // a sync just started
		ok, failed    atomic.Int64
		workErr       = make(chan error, len(sites))
		killedMidSync int
	)
	for i, a := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			for ctx.Err() == nil {
				for k, n := 0, 5+rng.IntN(30); k < n; k++ {
					if err := editErr(a, rng); err != nil {
						workErr <- err
						return
					}
				}
				if err := syncTracked(ctx, a, &inSync, started); err != nil {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		}()
	}

	kills := 5
	if testing.Short() {
		kills = 3
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond) // let work pile up
		// Kill shortly after some sync started, at a random point in it.
		select {
		case <-started:
		default:
		}
		if killMidSync(t, ps, started, 40*time.Millisecond, rng, func() bool { return inSync.Load() > 0 }, func() { stop(); wg.Wait() }) {
			killedMidSync++
		}
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond) // down for a while: syncs are refused
		ps.start()
		if k == 0 {
			// The county locks January while sites keep editing it.
			ps.lock("511802", "2025-01")
		}
	}
	stop()
	wg.Wait()
	close(workErr)
	for err := range workErr {
		t.Fatal(err)
	}
	t.Logf("%d kills, %d with syncs in flight; %d syncs went through, %d failed", kills, killedMidSync, ok.Load(), failed.Load())
	if killedMidSync < kills/2 || failed.Load() == 0 {
		t.Fatalf("no kill hit a sync in flight (%d kills, %d failed syncs)", kills, failed.Load())
	}

	finishServerKill(t, ps, dir, sites)
}

// syncTracked syncs a with a 20 s timeout; while it runs, inFlight (when
// not nil) counts it, and a signal on started (when not nil and none is
// pending) says one began: what the kill tests aim at.
func syncTracked(ctx context.Context, a *site, inFlight *atomic.Int64, started chan<- struct{}) error {
	if inFlight != nil {
		inFlight.Add(1)
		defer inFlight.Add(-1)
	}
	if started != nil {
		select {
		case started <- struct{}{}:
		default:
		}
	}
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err := a.sync(sctx)
	return err
}

// killMidSync waits until a site starts a sync (a signal on started),
// lets it run for a random time under within, SIGKILLs p and reports
// whether busy said a sync was still in flight then. When no sync starts
// in 20 s it calls abort (which stops the sites) and fails the test.
func killMidSync(t *testing.T, p *procServer, started <-chan struct{}, within time.Duration, rng *rand.Rand, busy func() bool, abort func()) bool {
	t.Helper()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		abort()
		t.Fatal("no site started a sync in 20 s")
	}
	time.Sleep(time.Duration(rng.Int64N(int64(within))))
	hit := busy()
	p.kill()
	return hit
}

// finishServerKill ends the kill test cleanly: two passes so every site
// also gets everyone's changes, then a last kill, and the store, opened
// here, must hold every change once, equal every site and have kept
// January locked.
func finishServerKill(t *testing.T, ps *procServer, dir string, sites []*site) {
	t.Helper()
	for pass := 0; pass < 2; pass++ {
		for _, a := range sites {
			a.mustSync(t)
		}
	}
	ps.kill()
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: dir, Logger: quietLog()})
	if err != nil {
		t.Fatalf("open the killed server's store: %v", err)
	}
	defer srv.Close()
	checkConvergedStore(t, srv.Store(), sites)
	checkLockHeld(t, srv.Store(), "511802", "2025-01")
}
