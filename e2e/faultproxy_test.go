package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/internal/faultproxy"
	"laoxiao/schema"
)

// startProxy starts a fault proxy to target, closed when the test ends.
func startProxy(t testing.TB, target string, plan faultproxy.Plan) *faultproxy.Proxy {
	t.Helper()
	px, err := faultproxy.Start(target, plan)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.Close)
	return px
}

// randomFault draws a connection's fault: a third pass clean, the rest cut
// in either direction after a random byte count or lose an ack the server
// already made durable; all may be slowed down.
func randomFault(rng *rand.Rand) faultproxy.Fault {
	f := faultproxy.Fault{}
	if rng.IntN(3) == 0 {
		f.MaxDelay = time.Duration(rng.IntN(4)) * time.Millisecond
	}
	switch r := rng.IntN(12); {
	case r < 4:
		// clean
	case r < 6:
		f.UpBudget = 1 + rng.Int64N(2500)
	case r < 8:
		f.DownBudget = 1 + rng.Int64N(2500)
	default:
		f.DropAck = 1 + rng.IntN(2)
	}
	return f
}

// TestFaultProxy: sites sync through a proxy that cuts connections at
// random points (in the handshake, in frame headers, mid-payload), delays
// traffic, and swallows acks of batches the server already made durable,
// so clients resend what the server applied. Each site also carries edits
// made before enrolment outside its unit, which the server refuses: their
// refusals travel in acks the proxy may swallow, and must still reach the
// site. Halfway through, the county locks February: the sites' offline
// February reports are refused as locked, through the same faults. After
// many rounds and a clean sync, nothing is lost, nothing is applied twice,
// every refused change is parked on its site, and the server's February is
// what it was at the lock.
func TestFaultProxy(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	rng := rand.New(rand.NewPCG(7, 11))
	var planMu sync.Mutex
	px := startProxy(t, srv.ln.Addr().String(), func(n int) faultproxy.Fault {
		planMu.Lock()
		defer planMu.Unlock()
		if n <= 4 {
			// The first connection of every site loses the ack of its
			// first batch, the one carrying the refusals.
			return faultproxy.Fault{DropAck: 1}
		}
		return randomFault(rng)
	})

	const nSites, outOfScope = 4, 2
	var sites []*site
	for i := 0; i < nSites; i++ {
		tw := testTownships[i%2]
		a := openSite(t, tw, fmt.Sprintf("px%02d", i), agent.Options{})
		// Before enrolment the laptop lets the user enter anything; the
		// entries under another township are refused at the first sync.
		other := schema.BuiltinDivisions().Descendants(testTownships[2+i%2], schema.LevelVillage)
		for k := 0; k < outOfScope; k++ {
			f := schema.Facility{Name: fmt.Sprintf("越界%d-%d", i, k), Kind: schema.FKMealPoint,
				Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating}
			if _, err := a.st.Put(schema.KindFacility, "", other[k%len(other)], f); err != nil {
				t.Fatalf("%s: pre-enrolment edit: %v", a.name, err)
			}
		}
		a.enroll(srv.url, srv.code(tw, "site"))
		a.pointAt(px.URL)
		sites = append(sites, a)
	}

	rounds := 20
	if testing.Short() {
		rounds = 10
	}
	failures := atomic.Int64{}
	var atLock visible
	for round := 0; round < rounds; round++ {
		if round == rounds/2 {
			atLock = lockMidRun(t, srv, sites)
		}
		for i, a := range sites {
			r := rand.New(rand.NewPCG(uint64(round), uint64(i)+100))
			n := 5
			if round%7 == 3 {
				n = 40 // a long day offline: frames of many kilobytes to cut into
			}
			for k := 0; k < n; k++ {
				edit(t, a, r)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(sites))
		for _, a := range sites {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Retry like the Run loop does, without its back-off.
				for attempt := 0; attempt < 60; attempt++ {
					_, err := a.sync(t.Context())
					if err == nil {
						return
					}
					failures.Add(1)
				}
				errs <- fmt.Errorf("%s round %d: sync never got through the proxy", a.name, round)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	px.SetPlan(func(int) faultproxy.Fault { return faultproxy.Fault{} })
	for pass := 0; pass < 2; pass++ {
		for _, a := range sites {
			a.mustSync(t)
		}
	}
	s := &px.Stats
	t.Logf("proxy: %d failed syncs, %s", failures.Load(), s)
	if s.CutUp.Load() == 0 || s.CutDown.Load() == 0 || s.MidFrame.Load() == 0 || s.DroppedAcks.Load() < nSites {
		t.Errorf("the proxy did not inject every kind of fault")
	}
	if s.DupAcks.Load() == 0 {
		t.Errorf("no client resent a batch the server had already applied")
	}
	checkConverged(t, srv, sites)
	checkTurnsReturned(t, srv)
	if d := diffStates(lockedReports(t, srv), atLock); d != "" {
		t.Errorf("the locked month changed on the server:\n%s", d)
	}
	checkParkedAfterProxy(t, sites, outOfScope)
}

// checkParkedAfterProxy: each site parked exactly its out-of-scope edits
// and the February reports refused as locked, and some were.
func checkParkedAfterProxy(t *testing.T, sites []*site, outOfScope int) {
	t.Helper()
	locked := 0
	for _, a := range sites {
		st, err := a.st.Status()
		if err != nil {
			t.Fatal(err)
		}
		parked, err := a.st.Parked()
		if err != nil {
			t.Fatal(err)
		}
		codes := map[schema.RejectCode]int{}
		for _, p := range parked {
			codes[p.Rejection.Code]++
		}
		if st.Parked != len(parked) || codes[schema.RejectOutOfScope] != outOfScope || codes[schema.RejectOutOfScope]+codes[schema.RejectLocked] != len(parked) {
			t.Errorf("%s: parked %v (status says %d), want the %d refused out of scope and those refused as locked", a.name, codes, st.Parked, outOfScope)
			for _, p := range parked {
				t.Logf("parked seq %d %s %s %s: %s", p.Change.Seq, p.Change.Kind, p.Change.ID, p.Rejection.Code, p.Rejection.Reason)
			}
		}
		locked += codes[schema.RejectLocked]
	}
	if locked == 0 {
		t.Error("no February report made before the sites learned of the lock was refused as locked")
	}
}

// The month the fault proxy test locks halfway, on the county of its
// sites (testTownships 0 and 1 are both in 511802).
const proxyLockMonth = "2025-02"

// lockMidRun locks February on the county, then has every site enter a
// February report offline, before it can learn of the lock, and returns
// the server's February reports as locked.
func lockMidRun(t *testing.T, srv *server, sites []*site) visible {
	t.Helper()
	countyLock(t, srv, "511802", proxyLockMonth)
	for _, a := range sites {
		var facs []*schema.Record
		a.st.List(schema.KindFacility, a.unit, func(r *schema.Record) error { facs = append(facs, r); return nil })
		if len(facs) == 0 {
			continue
		}
		c := schema.Capacity{Facility: facs[0].ID, Period: proxyLockMonth, BedsTotal: 999}
		if _, err := a.st.Put(schema.KindCapacity, "", facs[0].Unit, c); err != nil {
			t.Fatalf("%s: offline February report: %v", a.name, err)
		}
	}
	return lockedReports(t, srv)
}

// lockedReports is the server's reports of the locked month.
func lockedReports(t *testing.T, srv *server) visible {
	t.Helper()
	out := visible{}
	err := srv.srv.Store().ScanRecords(context.Background(), "511802", func(r *schema.Record) error {
		if p, ok := schema.LockPeriod(r.Kind, r.Fields); ok && r.Kind == schema.KindCapacity && p == proxyLockMonth {
			out[r.Key()] = recordString(r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTurnsReturned: once every session ended, whether its link broke
// in the handshake, mid-upload or not at all, nothing stays granted; a
// grant kept by a dead session would shrink every later device's turn.
func checkTurnsReturned(t *testing.T, srv *server) {
	t.Helper()
	turns := srv.srv.Ingest().Turns()
	deadline := time.Now().Add(10 * time.Second)
	for turns.Held() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d changes still granted after every session ended", turns.Held())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
