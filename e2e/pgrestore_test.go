package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"laoxiao/agent"
	"laoxiao/internal/pgtest"
	"laoxiao/schema"
	"laoxiao/syncserver"
)

// TestPostgresRestoredFromDump: the README's PostgreSQL restore — pg_dump
// while the server runs, more changes, pg_restore of the dump with the
// server stopped, then `syncserver restore --new-incarnation-only` — and
// the device finds the new incarnation, offers again what the dump lacks,
// and ends equal to the database, which holds every change once.
func TestPostgresRestoredFromDump(t *testing.T) {
	db := pgCluster.NewDatabase(t)
	dir := t.TempDir()
	dump := filepath.Join(dir, "laoxiao.dump")
	p := startProcServerOn(t, filepath.Join(dir, "server"), freeAddr(t), db)
	tw := testTownships[0]
	a := openSite(t, tw, "site", agent.Options{})
	a.enroll(p.url, p.code(tw))
	villages := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)
	edit := func(round string) {
		for j := range 2 {
			mustPut(t, a, villages[j], sampleFacility(round+string(rune('0'+j))))
		}
		a.mustSync(t)
	}
	edit("转储前")
	runTool(t, "pg_dump", "--format=custom", "--file", dump, db)
	edit("转储后")

	p.kill()
	runTool(t, "pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname", db, dump)
	runServerCLI(t, "restore", "--data", p.dir, "--store", db, "--new-incarnation-only")
	p.start()

	res := a.mustSync(t)
	if res.Refill == nil || !res.Refill.NewIncarnation || res.Refill.Reoffered != 2 {
		t.Fatalf("refill after pg_restore = %+v, want the 2 changes made after the dump offered again", res.Refill)
	}
	a.mustSync(t)
	p.kill()
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: filepath.Join(dir, "check"), Store: db, Logger: quietLog()})
	if err != nil {
		t.Fatalf("open the database: %v", err)
	}
	defer srv.Close()
	checkConvergedStore(t, srv.Store(), []*site{a})
}

// runTool runs a PostgreSQL client program and fails the test unless it
// succeeds.
func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	path, err := pgtest.Tool(name)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(path, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}
