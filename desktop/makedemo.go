package desktop

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"laoxiao/agent"
	"laoxiao/synth"
)

// MakeDemo creates a demo data folder for screenshots (records == 0: one
// realistic township) or probes (records > 0: exactly that many records),
// without opening a window. The folder must not hold a store yet.
func MakeDemo(dir string, records int, out io.Writer, log *slog.Logger) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("make demo: %s is not empty", dir)
	}
	st, err := agent.Open(dir, agent.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("make demo: %w", err)
	}
	cfg := synth.RealisticTownship()
	if records > 0 {
		cfg = synth.TownshipOfSize(records)
	}
	start := time.Now()
	sum, err := synth.FillTownship(st, cfg)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("make demo: %w", err)
	}
	fmt.Fprintf(out, "demo data in %s: %s (%.1f s)\n", dir, sum, time.Since(start).Seconds())
	return nil
}
