package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"laoxiao/syncserver"
	"laoxiao/syncserver/review"
)

// run runs the command line and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String() + errOut.String()
}

// TestLockCommands: lock, locks list, review and unlock work on a stopped
// server's store and, the same way, through a running server's admin API;
// locks and unlocks land in the audit trail.
func TestLockCommands(t *testing.T) {
	dir := t.TempDir()
	lock := []string{"lock", "--data", dir, "--unit", "511802", "--period", "2025-03", "--reason", "三月已审核", "--by", "雨城区民政局"}
	if code, out := run(t, lock...); code != 0 || !strings.Contains(out, "locked 511802 雨城区 2025-03 by 雨城区民政局") {
		t.Fatalf("lock: exit %d: %s", code, out)
	}
	if code, out := run(t, lock...); code != 1 || !strings.Contains(out, "already locked") {
		t.Fatalf("second lock of the same period: exit %d: %s", code, out)
	}
	if code, out := run(t, "lock", "--data", dir, "--unit", "511802", "--period", "2099-01", "--reason", "r"); code != 1 ||
		!strings.Contains(out, "future") {
		t.Fatalf("lock of a future month: exit %d: %s", code, out)
	}

	// Now with the server running: the commands go through its admin API.
	serveIn(t, dir, nil)

	code, out := run(t, "locks", "list", "--data", dir, "--unit", "511802101", "--json")
	var list []syncserver.LockInfo
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || !list[0].Active || list[0].By != "雨城区民政局" {
		t.Fatalf("locks list for a township of the county: exit %d: %s", code, out)
	}
	code, out = run(t, "review", "--data", dir, "--unit", "511802", "--period", "2025-03", "--json")
	var rv review.Review
	if code != 0 || json.Unmarshal([]byte(out), &rv) != nil || len(rv.Townships) == 0 || rv.Townships[0].Lock != list[0].ID {
		t.Fatalf("review through the admin API: exit %d: %s", code, out)
	}
	unlock := []string{"unlock", "--data", dir, "--unit", "511802", "--period", "2025-03", "--reason", "草坝镇更正床位数", "--by", "雨城区民政局"}
	if code, out := run(t, unlock...); code != 0 || !strings.Contains(out, "unlocked 511802") {
		t.Fatalf("unlock through the admin API: exit %d: %s", code, out)
	}
	if code, out := run(t, unlock...); code != 1 || !strings.Contains(out, "no lock") {
		t.Fatalf("unlock of an unlocked period: exit %d: %s", code, out)
	}
	if code, out := run(t, "locks", "list", "--data", dir); code != 0 || !strings.Contains(out, "lifted") || !strings.Contains(out, "草坝镇更正床位数") {
		t.Fatalf("locks list after the unlock: exit %d: %s", code, out)
	}
	code, out = run(t, "audit", "--data", dir, "--unit", "511802", "--json")
	var trail []syncserver.AuditEntry
	if code != 0 || json.Unmarshal([]byte(out), &trail) != nil || len(trail) != 2 || trail[0].Kind != "lock" || trail[1].Kind != "unlock" {
		t.Fatalf("audit trail: exit %d: %s", code, out)
	}
}

// waitForAdmin waits until the running server has written its admin
// address into the data directory.
func waitForAdmin(t *testing.T, dir string) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if _, err := NewAdminClient(dir); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server never wrote its admin address")
}
