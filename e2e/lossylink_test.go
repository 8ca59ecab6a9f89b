package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/internal/faultproxy"
	"laoxiao/schema"
)

// Bounds of TestLossyLink8K: attempts (SyncOnce calls) per site, all
// rounds together, and the rounds of "every site syncs until one attempt
// succeeds". Two rounds converge (the second starts after every upload is
// in); the attempts bound is several times what a run takes, so it fails
// on a sync that stops making progress, not on a slow machine.
const (
	lossyMeanCut   = 8 << 10
	lossyPerSite   = 400
	lossyMaxTries  = 600
	lossyMaxRounds = 2
)

// TestLossyLink8K: four sites of one township, 400 new facilities each,
// sync through a proxy that cuts every connection in both directions
// after an exponentially distributed byte count with a mean of 8 KiB —
// in the upgrade, in frame headers, mid-payload — far less than one
// batch or download page of the sizes a clean link uses. The batches
// shrink, the pages shrink, every acked batch and applied page is kept,
// and every site converges through the faulty link alone, within a
// bounded number of attempts: nothing lost, nothing accepted twice, every
// site equal to the server within its scope.
func TestLossyLink8K(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	px := startProxy(t, srv.ln.Addr().String(), faultproxy.ExpCuts(rand.New(rand.NewPCG(8, 192)), lossyMeanCut))
	const nSites = 4
	tw := testTownships[0]
	vills := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)
	var sites []*site
	for i := 0; i < nSites; i++ {
		a := newSite(t, srv, tw, fmt.Sprintf("lossy%d", i), agent.Options{})
		a.pointAt(px.URL)
		items := make([]agent.Item, lossyPerSite)
		for k := range items {
			items[k] = agent.Item{Kind: schema.KindFacility, Unit: vills[(i+k)%len(vills)], Value: schema.Facility{
				Name: fmt.Sprintf("%s养老服务站%03d", a.name, k), Kind: schema.FKDayCare, Ownership: schema.OwnPublic,
				Filing: schema.FilingFiled, Status: schema.StatusOperating}}
		}
		if _, err := a.st.PutBatch(items); err != nil {
			t.Fatalf("%s: %v", a.name, err)
		}
		sites = append(sites, a)
	}
	start := time.Now()
	tries := make([]int, nSites)
	for round := 0; round < lossyMaxRounds; round++ {
		syncAllThroughLoss(t, sites, tries)
	}
	t.Logf("converged in %s; attempts per site %v; proxy: %s", time.Since(start).Round(time.Millisecond), tries, &px.Stats)
	s := &px.Stats
	if s.CutUp.Load() == 0 || s.CutDown.Load() == 0 || s.MidFrame.Load() == 0 {
		t.Errorf("the proxy did not cut both directions and mid-frame: %s", s)
	}
	checkConverged(t, srv, sites)
	checkTurnsReturned(t, srv)
	for _, a := range sites {
		if n, err := a.st.Count(schema.KindFacility, tw); err != nil || n != nSites*lossyPerSite {
			t.Errorf("%s holds %d facilities (%v), want %d", a.name, n, err, nSites*lossyPerSite)
		}
	}
}

// syncAllThroughLoss has every site retry SyncOnce at once, as the Run
// loop does without its waits, until one attempt succeeds; tries counts
// each site's attempts. A site over lossyMaxTries fails the test.
func syncAllThroughLoss(t *testing.T, sites []*site, tries []int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(sites))
	for i, a := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tries[i] < lossyMaxTries {
				tries[i]++
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := a.sync(ctx)
				cancel()
				if err == nil {
					errs[i] = nil
					return
				}
				errs[i] = fmt.Errorf("%s: no sync got through in %d attempts, last: %w", a.name, lossyMaxTries, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
