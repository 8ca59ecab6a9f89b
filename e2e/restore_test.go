package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver/cli"
)

// TestServerRestoredFromBackup: the county backs its server up while it
// serves, three devices (two in one township, so each downloads the
// other's edits) sync more, and the server is restored from the backup
// with `syncserver restore`, which gives it a new incarnation. At their
// next sync the devices see it, offer again the changes the backup lacks,
// and download their scope afresh; one of them edits before the others
// come back, so its new change takes a log position its neighbour in the
// township had passed in the old log. In the end the server holds every change exactly once, its
// records are the merge of its log, and every device equals it.
func TestServerRestoredFromBackup(t *testing.T) {
	dir := t.TempDir()
	data, backup := filepath.Join(dir, "server"), filepath.Join(dir, "server.backup")
	srv := startServer(t, data, nil)
	tw := testTownships[:2]
	sites := []*site{
		newSite(t, srv, tw[0], "site-a", agent.Options{}),
		newSite(t, srv, tw[0], "site-b", agent.Options{}),
		newSite(t, srv, tw[1], "site-c", agent.Options{}),
	}
	village := func(a *site, j int) schema.Code {
		return schema.BuiltinDivisions().Descendants(a.unit, schema.LevelVillage)[j]
	}
	edit := func(round string) {
		for _, a := range sites {
			for j := range 3 {
				mustPut(t, a, village(a, j), sampleFacility(round+a.name+string(rune('0'+j))))
			}
		}
		syncAll(t, sites, 2)
	}
	edit("备份前")
	runServerCLI(t, "backup", "--data", data, "--out", backup) // online: through the running server
	edit("备份后")

	addr := srv.ln.Addr().String()
	srv.stop()
	runServerCLI(t, "restore", "--data", data, "--in", backup, "--force")
	srv.start(addr)

	// site-a edits and syncs first: its refill and new change take the
	// log positions after the backup's head, which site-b, in the same
	// township, had passed; site-b comes back last.
	mustPut(t, sites[0], village(sites[0], 4), sampleFacility("恢复后"))
	for _, a := range []*site{sites[0], sites[2], sites[1]} {
		res := a.mustSync(t)
		if res.Refill == nil || !res.Refill.NewIncarnation || res.Refill.Reoffered != 3 || res.Refill.Lost != 0 {
			t.Fatalf("%s: refill after the restore = %+v, want the 3 changes made after the backup offered again", a.name, res.Refill)
		}
		status, err := a.st.Status()
		if err != nil || status.LastRefill.At.IsZero() {
			t.Fatalf("%s: status does not say the server was restored: %+v %v", a.name, status.LastRefill, err)
		}
	}
	mustPut(t, sites[0], village(sites[0], 5), sampleFacility("恢复后-a"))
	syncAll(t, sites, 2)
	checkConverged(t, srv, sites)
	for _, a := range sites { // nothing more to refill
		if res := a.mustSync(t); res.Refill != nil {
			t.Fatalf("%s: refilled again: %+v", a.name, res.Refill)
		}
	}
}

// TestServerRestoredFromOlderCopy: a county copies its server's directory
// back from an older copy instead of using `syncserver restore`, so the
// incarnation stays the same. The device still finds the server lost
// changes it had acked (the mark is below them) and offers them again.
func TestServerRestoredFromOlderCopy(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, filepath.Join(dir, "server"), nil)
	tw := testTownships[0]
	a := newSite(t, srv, tw, "site", agent.Options{})
	village := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)[0]
	mustPut(t, a, village, sampleFacility("备份前"))
	a.mustSync(t)

	addr := srv.ln.Addr().String()
	srv.stop()
	backup := filepath.Join(dir, "backup")
	if out, err := exec.Command("cp", "-a", filepath.Join(dir, "server"), backup).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	srv.start(addr)
	mustPut(t, a, village, sampleFacility("备份后"))
	a.mustSync(t) // acknowledged by the server, kept by the site

	srv.stop()
	if err := os.RemoveAll(filepath.Join(dir, "server")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(backup, filepath.Join(dir, "server")); err != nil {
		t.Fatal(err)
	}
	srv.start(addr)
	mustPut(t, a, village, sampleFacility("恢复后"))
	res := a.mustSync(t)
	if res.Refill == nil || res.Refill.NewIncarnation || res.Refill.ServerMark != 1 || res.Refill.Reoffered != 1 {
		t.Fatalf("refill = %+v, want the one change after the copy offered again, found by the mark", res.Refill)
	}
	checkConverged(t, srv, []*site{a})
}

// syncAll syncs every site in turn, passes times.
func syncAll(t *testing.T, sites []*site, passes int) {
	t.Helper()
	for range passes {
		for _, a := range sites {
			a.mustSync(t)
		}
	}
}

// runServerCLI runs a syncserver command and fails the test unless it
// succeeds.
func runServerCLI(t *testing.T, args ...string) {
	t.Helper()
	var out bytes.Buffer
	if code := cli.Run(context.Background(), args, &out, &out); code != 0 {
		t.Fatalf("syncserver %v: exit %d: %s", args, code, out.String())
	}
}
