package cli

import (
	"strings"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// receiveLock puts a county office's lock into the store in dir, as a
// download would.
func receiveLock(t *testing.T, dir string, unit schema.Code, period string) {
	t.Helper()
	s, err := agent.Open(dir, agent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	set, err := schema.EncodeFields(schema.Lock{Period: period, By: "雨城区民政局", At: "2025-04-02T10:00:00+08:00", Reason: "已审核"})
	if err != nil {
		t.Fatal(err)
	}
	ch := schema.Change{Kind: schema.KindLock, ID: "lock-" + period, Unit: unit, Set: set,
		Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: "server", Seq: 1}
	if _, err := s.ApplyRemote([]schema.LogEntry{{Seq: 1, Change: ch}}, 1); err != nil {
		t.Fatal(err)
	}
}

// TestLockedPeriod: add into a locked month exits non-zero and says which
// lock; an import writes its other rows and names the locked ones.
func TestLockedPeriod(t *testing.T) {
	dir := t.TempDir()
	facID := strings.TrimSpace(mustRun(t, "--data", dir, "add", "facility", "--unit", village,
		"--name", "东城敬老院", "--kind", "tekun_home", "--ownership", "public", "--status", "operating"))
	receiveLock(t, dir, "511802", "2025-02")

	code, _, errOut := run(t, "--data", dir, "add", "capacity", "--unit", village, "--facility", facID,
		"--period", "2025-02", "--beds_total", "40")
	if code != 1 || !strings.Contains(errOut, "capacity.period") || !strings.Contains(errOut, "雨城区民政局") {
		t.Fatalf("add into a locked month: exit %d\n%s", code, errOut)
	}

	csvText := "kind,unit,id,facility,period,beds_total\n" +
		"capacity,511802001001,," + facID + ",2025-01,40\n" +
		"capacity,511802001001,," + facID + ",2025-02,41\n" +
		"capacity,511802001001,," + facID + ",2025-03,42\n"
	code, out, errOut := run(t, "--data", dir, "import", writeFile(t, t.TempDir(), "caps.csv", csvText))
	if code != 1 || !strings.Contains(out, "imported 2 row(s)") || !strings.Contains(errOut, "row 3") ||
		strings.Contains(errOut, "row 2") || !strings.Contains(errOut, "锁定") {
		t.Fatalf("import with a locked row: exit %d\n%s%s", code, out, errOut)
	}
	caps := listJSON(t, dir, "capacity")
	if len(caps) != 2 || caps[0].Fields["period"] != "2025-01" || caps[1].Fields["period"] != "2025-03" {
		t.Fatalf("capacity after the import: %+v", caps)
	}
}
