package e2e

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// fillSite queues n new facilities on a site in batches of 1,000.
func fillSite(t testing.TB, a *site, n int, tag string) {
	t.Helper()
	vills := schema.BuiltinDivisions().Descendants(a.unit, schema.LevelVillage)
	for i := 0; i < n; {
		var items []agent.Item
		for ; i < n && len(items) < 1000; i++ {
			items = append(items, agent.Item{Kind: schema.KindFacility, Unit: vills[i%len(vills)],
				Value: sampleFacility(fmt.Sprintf("%s%d", tag, i))})
		}
		if _, err := a.st.PutBatch(items); err != nil {
			t.Fatalf("%s: fill: %v", a.name, err)
		}
	}
}

// progress parses a child's "state PHASE sent=N downloaded=N" line.
func progress(line string) (phase string, moved bool) {
	var sent, down int
	if _, err := fmt.Sscanf(line, "state %s sent=%d downloaded=%d", &phase, &sent, &down); err != nil {
		return "", false
	}
	return phase, sent > 0 || down > 0
}

// TestAgentKilledMidSync: a site's store is synced by a child process with
// a large outbox (thousands of changes) and a large download pending; the
// child is killed with SIGKILL in the middle of syncing, several times,
// with more edits made between runs. Releasing acked changes, applying
// downloads and storing the cursor are each cut short somewhere. Reopened
// here and synced cleanly, the site ends with every change accepted exactly
// once and the same records as the server; its reports of a month the
// county locked are all parked as locked.
func TestAgentKilledMidSync(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	tw := testTownships[0]
	neighbour := newSite(t, srv, tw, "neighbour", agent.Options{})
	a := newSite(t, srv, tw, "crashy", agent.Options{})
	outbox, extra, kills := 4000, 300, 5
	if testing.Short() {
		outbox, kills = 2000, 3
	}
	fillSite(t, neighbour, 1500, "邻站")
	neighbour.mustSync(t)
	fillSite(t, a, outbox, "崩溃站")
	// Reports of a month the county locks before the site syncs: refused
	// as locked, their refusals must survive the kills like the rest.
	locked := enterReports(t, a, "2025-01", 50)
	countyLock(t, srv, "511802", "2025-01")

	rng := rand.New(rand.NewPCG(3, 17))
	midSync := 0
	for k := 0; k < kills; k++ {
		a.close() // the child takes the store over
		c := startChild(t, agentChildEnv+"="+a.dir)
		want, seen, last := 1+rng.IntN(8), 0, ""
	wait:
		for seen < want {
			select {
			case line, ok := <-c.lines:
				if !ok {
					t.Fatalf("agent child exited on its own:\n%s", lastLines(c.stderr(), 20))
				}
				last = line
				if strings.HasPrefix(line, "error ") {
					t.Logf("child: %s", line)
				}
				if _, moved := progress(line); moved {
					seen++
				}
				if strings.HasPrefix(line, "done ") {
					break wait // caught up before the chosen point: kill it idle
				}
			case <-time.After(60 * time.Second):
				c.kill()
				t.Fatalf("agent child made no progress in 60 s:\n%s", lastLines(c.stderr(), 20))
			}
		}
		time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond) // land anywhere in the next step
		if !c.kill() {
			t.Fatalf("agent child died on its own (%v):\n%s", c.cmd.ProcessState, lastLines(c.stderr(), 20))
		}
		if phase, _ := progress(last); phase == "sending" || phase == "receiving" {
			midSync++
		}
		// Reopened after the crash the store works, and the user goes on
		// entering data; the neighbour's edits give the next run news.
		a.open()
		if _, err := a.st.Status(); err != nil {
			t.Fatalf("status after kill %d: %v", k+1, err)
		}
		fillSite(t, a, extra, fmt.Sprintf("第%d次后", k+1))
		fillSite(t, neighbour, 200, fmt.Sprintf("邻站第%d次", k+1))
		neighbour.mustSync(t)
	}
	t.Logf("%d kills, %d in the middle of sending or receiving", kills, midSync)
	if midSync < kills/2 {
		t.Fatalf("only %d of %d kills hit a sync in progress", midSync, kills)
	}
	for pass := 0; pass < 2; pass++ {
		a.mustSync(t)
		neighbour.mustSync(t)
	}
	st, err := a.st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(outbox + locked + kills*extra); st.LastSeq != want {
		t.Fatalf("site issued %d changes, want %d", st.LastSeq, want)
	}
	if st.Parked != locked {
		t.Fatalf("%d changes parked, want the %d reports of the locked month", st.Parked, locked)
	}
	checkConverged(t, srv, []*site{a, neighbour})
}
