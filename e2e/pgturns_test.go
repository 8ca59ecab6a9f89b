package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Devices take turns on a PostgreSQL store as on Badger: a device that
// says it can is told so, devices with more than one turn's worth each
// all upload everything at once, and nothing stays granted once their
// sessions end.
func TestTurnsOnPostgres(t *testing.T) {
	srv := startServerOnStore(t, t.TempDir(), pgCluster.NewDatabase(t))

	id, token := rawDevice(t, srv, testTownships[0])
	ws, _, err := dialRaw(srv.url, token)
	if err != nil {
		t.Fatal(err)
	}
	c := &rawConn{t: t, ws: ws}
	c.send(&schema.Msg{Type: schema.MsgHello, Hello: &schema.Hello{Protocol: schema.ProtocolVersion,
		Schema: schema.SchemaVersion, Device: id, ClockMS: time.Now().UnixMilli(), Features: schema.FeatureTurns}})
	m, err := c.read()
	ws.Close()
	if err != nil || m.Type != schema.MsgWelcome {
		t.Fatalf("hello answered with %v, %v", m, err)
	}
	if !m.Welcome.Turns {
		t.Fatal("a server on PostgreSQL gives a device that asks for turns none")
	}

	const nSites, each = 6, 700 // more than one grant of 500 each
	var sites []*site
	for i := range nSites {
		tw := testTownships[i%len(testTownships)]
		a := newSite(t, srv, tw, fmt.Sprintf("pgturns%d", i), agent.Options{})
		vills := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)
		items := make([]agent.Item, each)
		for k := range items {
			items[k] = agent.Item{Kind: schema.KindFacility, Unit: vills[k%len(vills)], Value: schema.Facility{
				Name: fmt.Sprintf("%s养老服务站%03d", a.name, k), Kind: schema.FKDayCare, Ownership: schema.OwnPublic,
				Filing: schema.FilingFiled, Status: schema.StatusOperating}}
		}
		if _, err := a.st.PutBatch(items); err != nil {
			t.Fatalf("%s: %v", a.name, err)
		}
		sites = append(sites, a)
	}
	var wg sync.WaitGroup
	errs := make([]error, nSites)
	for i, a := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := a.sync(ctx)
			if err == nil && res.Uploaded != each {
				err = fmt.Errorf("uploaded %d, want %d", res.Uploaded, each)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", sites[i].name, err)
		}
	}
	checkTurnsReturned(t, srv)
	for _, a := range sites {
		a.mustSync(t) // the others' records
	}
	checkConverged(t, srv, sites)
}
