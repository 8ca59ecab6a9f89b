package cli

import (
	"strings"
	"testing"

	"laoxiao/agent"
)

// TestStatusSaysServerRestored: status counts the acked changes kept for
// a restore and, once a sync found the server restored and offered them
// again (agent.Store.Refill, what the sync client calls), says so.
func TestStatusSaysServerRestored(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"东城敬老院", "东城日间照料中心"} {
		mustRun(t, "--data", dir, "add", "facility", "--unit", village, "--name", name, "--kind", "tekun_home", "--ownership", "公办", "--status", "operating")
	}
	st, err := agent.Open(dir, agent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Release(2); err != nil { // the server acked both
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if status := mustRun(t, "--data", dir, "status"); !strings.Contains(status, "acked, kept for a restore: 2") || strings.Contains(status, "server restored") {
		t.Fatalf("status after the acks:\n%s", status)
	}
	if st, err = agent.Open(dir, agent.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Refill(0, "restored", true); err != nil { // and lost both in a restore
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	status := mustRun(t, "--data", dir, "status")
	for _, want := range []string{"server restored", "new incarnation", "2 changes offered again", "outbox, waiting to sync:   2"} {
		if !strings.Contains(status, want) {
			t.Errorf("status after the refill lacks %q:\n%s", want, status)
		}
	}
}
