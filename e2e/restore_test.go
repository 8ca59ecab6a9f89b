package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
)

// TestServerRestoredFromOlderCopy: a county restores its server from a
// copy older than changes it had acknowledged. The site cannot resend
// what it released, and must say so plainly instead of retrying forever.
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
	a.mustSync(t) // acknowledged by the server, released by the site

	srv.stop()
	if err := os.RemoveAll(filepath.Join(dir, "server")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(backup, filepath.Join(dir, "server")); err != nil {
		t.Fatal(err)
	}
	srv.start(addr)
	mustPut(t, a, village, sampleFacility("恢复后"))
	_, err := a.sync(t.Context())
	if err == nil || !strings.Contains(err.Error(), "lost changes") {
		t.Fatalf("sync against a server that lost acknowledged changes: %v, want a plain error", err)
	}
}
