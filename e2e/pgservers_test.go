package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/internal/faultproxy"
	"laoxiao/syncserver"
)

// TestTwoServersOnePostgres runs two `syncserver serve` processes on one
// PostgreSQL database, as behind a load balancer: every site enrols with a
// code made through one process and used through the other, and each sync
// goes to either process at random — to the second also through a fault
// proxy that cuts connections and swallows acks — while the first is
// SIGKILLed in the middle of uploads and restarted, twice. The county locks January
// through the other process after the first kill. In the end (two clean
// passes over both processes) the database holds every change exactly
// once, every site equals it, and nothing got in behind the lock.
func TestTwoServersOnePostgres(t *testing.T) {
	db := pgCluster.NewDatabase(t)
	base := t.TempDir()
	srvs := []*procServer{
		startProcServerOn(t, filepath.Join(base, "a"), freeAddr(t), db),
		startProcServerOn(t, filepath.Join(base, "b"), freeAddr(t), db),
	}
	victim, survivor := srvs[0], srvs[1]
	var pxMu sync.Mutex
	pxRng := rand.New(rand.NewPCG(14, 1))
	px := startProxy(t, survivor.addr, func(int) faultproxy.Fault {
		pxMu.Lock()
		defer pxMu.Unlock()
		return randomFault(pxRng)
	})
	targets := []string{victim.url, survivor.url, px.URL}
	var sites []*site
	for i := 0; i < 6; i++ {
		tw := testTownships[i%3]
		a := openSite(t, tw, fmt.Sprintf("pg%02d", i), agent.Options{})
		a.enroll(srvs[(i+1)%2].url, srvs[i%2].code(tw))
		a.client.Timeout = 5 * time.Second
		sites = append(sites, a)
	}

	// A few hundred changes in all; after its share a site keeps syncing
	// (downloads) until the kills are done.
	const perSite = 50
	ctx, stop := context.WithCancel(context.Background())
	var (
		wg            sync.WaitGroup
		inUpload      atomic.Int64
		behind        atomic.Int64 // sites that have not made their share yet
		errMu         sync.Mutex
		syncErrs      = map[string]int{}
		started       = make(chan struct{}, 1)
		ok, failed    atomic.Int64
		workErr       = make(chan error, len(sites))
		killedMidSync int
	)
	behind.Store(int64(len(sites)))
	for i, a := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 14))
			made, done := 0, false
			for ctx.Err() == nil {
				n := 0
				if made < perSite {
					n = min(perSite-made, 5+rng.IntN(10))
				}
				for k := 0; k < n; k++ {
					if err := editErr(a, rng); err != nil {
						workErr <- err
						return
					}
				}
				made += n
				a.pointAt(targets[rng.IntN(len(targets))])
				var uploading *atomic.Int64 // only syncs that upload are aimed at
				var signal chan<- struct{}
				if n > 0 {
					uploading, signal = &inUpload, started
				}
				if err := syncTracked(ctx, a, uploading, signal); err != nil {
					failed.Add(1)
					errMu.Lock()
					syncErrs[firstWords(err.Error(), 6)]++
					errMu.Unlock()
					time.Sleep(20 * time.Millisecond)
					continue
				}
				ok.Add(1)
				if made >= perSite && !done {
					done = true // its share is made and this sync sent it all
					behind.Add(-1)
				}
			}
		}()
	}

	rng := rand.New(rand.NewPCG(14, 14))
	for k := 0; k < 2; k++ {
		if killMidSync(t, victim, started, 30*time.Millisecond, rng, func() bool { return inUpload.Load() > 0 }, func() { stop(); wg.Wait() }) {
			killedMidSync++
		}
		time.Sleep(time.Duration(50+rng.IntN(150)) * time.Millisecond)
		victim.start()
		if k == 0 {
			survivor.lock("511802", "2025-01")
		}
	}
	// Every site uploads its share through the live processes.
	for deadline := time.Now().Add(60 * time.Second); behind.Load() > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("%d sites still behind after 60 s", behind.Load())
			break
		}
	}
	stop()
	wg.Wait()
	close(workErr)
	for err := range workErr {
		t.Fatal(err)
	}
	t.Logf("2 kills, %d with uploads in flight; %d syncs went through, %d failed: %v", killedMidSync, ok.Load(), failed.Load(), syncErrs)
	if killedMidSync == 0 {
		t.Fatal("no kill hit an upload in flight")
	}
	if st := &px.Stats; st.CutUp.Load()+st.CutDown.Load()+st.DroppedAcks.Load() == 0 {
		t.Errorf("the proxy injected no fault: %s", st)
	}

	for pass := 0; pass < 2; pass++ {
		for i, a := range sites {
			a.pointAt(srvs[(i+pass)%2].url)
			a.mustSync(t)
		}
	}
	for _, p := range srvs {
		p.kill()
	}
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: filepath.Join(base, "check"), Store: db, Logger: quietLog()})
	if err != nil {
		t.Fatalf("open the database: %v", err)
	}
	defer srv.Close()
	checkConvergedStore(t, srv.Store(), sites)
	checkLockHeld(t, srv.Store(), "511802", "2025-01")
}

// firstWords shortens an error to its first n words, to count kinds.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// TestSessionMovesBetweenServers: a device that connects to a second
// process while its session on the first is still open (a laptop whose
// link dropped, routed elsewhere by the load balancer) gets its session
// there, and the first process ends the old one with a retryable error.
func TestSessionMovesBetweenServers(t *testing.T) {
	db := pgCluster.NewDatabase(t)
	base := t.TempDir()
	a := startProcServerOn(t, filepath.Join(base, "a"), freeAddr(t), db)
	b := startProcServerOn(t, filepath.Join(base, "b"), freeAddr(t), db)
	tok := enrollRaw(t, b.url, a.code(testTownships[0]), "mover")
	old, _ := openRaw(t, a.url, tok, "mover", 0)
	start := time.Now()
	openRaw(t, b.url, tok, "mover", 0)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the second process took %s to take the session", d)
	}
	sent, _ := old.expectClosedWith()
	if sent == nil || !sent.Retry {
		t.Fatalf("the old session ended with %+v, want a retryable error", sent)
	}
}
