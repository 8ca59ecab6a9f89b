package bench

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for the bench binary when a
// benchmark re-executes itself as a probe child.
func TestMain(m *testing.M) {
	if len(os.Args) == 4 && os.Args[1] == RSSProbeArg {
		n, _ := strconv.Atoi(os.Args[3])
		if err := RSSProbe(os.Args[2], n); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestQuickRunPrintsFigures runs the agent, codec and sync benchmarks on small
// workloads and checks every line is `NAME VALUE UNIT` with a positive
// value, so `make bench` stays readable by scripts.
func TestQuickRunPrintsFigures(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := Env{Ctx: context.Background(), Dir: t.TempDir(), Self: self, Quick: true}
	if err := RunAll(env, regexp.MustCompile(`^(agent_|cbor|sync)`), &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"agent_write_durable_per_s": false, "agent_prefix_read_per_s": false,
		"cbor_encode_change_per_s": false, "cbor_decode_change_per_s": false, "agent_rss_100k_mb": false,
		"sync_e2e_changes_per_s": false, "badger_raw_changes_per_s": false, "sync_vs_raw_ratio": false,
		"badger_log_and_record_changes_per_s": false, "log_and_record_vs_raw_ratio": false,
		"download_records_per_s": false, "sync_200_agents_changes_per_s": false, "sync_200_agents_p99_ack_ms": false,
		"server_rss_200_agents_mb": false, "sync_lossy_8k_changes_per_s": false,
		"sync_e2e_pg_changes_per_s": false, "pg_vs_badger_ratio": false, "sync_200_agents_pg_p99_ack_ms": false}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			t.Fatalf("line %q is not NAME VALUE UNIT", sc.Text())
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || v <= 0 {
			t.Errorf("line %q: value not a positive number", sc.Text())
		}
		want[f[0]] = true
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("no %s line", name)
		}
	}
}
