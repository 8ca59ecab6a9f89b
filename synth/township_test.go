package synth

import (
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

func openAgent(t *testing.T) *agent.Store {
	t.Helper()
	st, err := agent.Open(t.TempDir(), agent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRealisticTownshipLooksLivedIn checks what the screenshots rely on:
// every kind of record, a few changes waiting, one refused.
func TestRealisticTownshipLooksLivedIn(t *testing.T) {
	st := openAgent(t)
	cfg := RealisticTownship()
	cfg.Now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	sum, err := FillTownship(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Facilities == 0 || sum.Capacity == 0 || sum.Persons == 0 || sum.Visits == 0 || sum.Population == 0 || sum.Targets == 0 {
		t.Errorf("a kind is missing: %s", sum)
	}
	status, err := st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if status.Scope != DefaultTownship || status.Outbox == 0 || status.Outbox > 100 || status.Parked != 1 {
		t.Errorf("status %+v: want scope %s, a few dozen changes waiting and one refused", status, DefaultTownship)
	}
	if n, _ := st.Count(schema.KindVisit, ""); n != sum.Visits {
		t.Errorf("%d visits stored, summary says %d", n, sum.Visits)
	}
}

func TestTownshipOfSizeIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 3,000 records")
	}
	sum, err := FillTownship(openAgent(t), TownshipOfSize(3000))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total() != 3000 {
		t.Fatalf("TownshipOfSize(3000) wrote %s", sum)
	}
}
