package bench

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"time"

	"laoxiao/agent/syncclient"
	"laoxiao/internal/faultproxy"
)

func init() {
	Register(Bench{Name: "sync_lossy_8k", Run: benchSyncLossy8K})
}

// benchSyncLossy8K uploads one agent's 10,000 changes through the fault
// proxy cutting every connection in both directions at an exponentially
// distributed byte count with a mean of 8 KiB, retrying at once as Run
// does after an attempt that made progress (without its minimum wait, so
// the figure is the protocol's, not the wait's). The figure is changes
// per second from the first attempt to the one that succeeds; the number
// of attempts goes beside it.
func benchSyncLossy8K(env Env) ([]Figure, error) {
	n := 10000
	if env.Quick {
		n = 300
	}
	bs, err := startBenchServer(filepath.Join(env.Dir, "server"))
	if err != nil {
		return nil, err
	}
	defer bs.stop()
	u, err := url.Parse(bs.url)
	if err != nil {
		return nil, err
	}
	px, err := faultproxy.Start(u.Host, faultproxy.ExpCuts(rand.New(rand.NewPCG(8, 192)), 8<<10))
	if err != nil {
		return nil, err
	}
	defer px.Close()
	st, err := bs.openAgent(env.Ctx, filepath.Join(env.Dir, "agent"), "bench-lossy", demoTownship)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := fillStoreBatched(st, n); err != nil {
		return nil, err
	}
	e, _, err := st.Enrollment()
	if err != nil {
		return nil, err
	}
	e.ServerURL = px.URL
	if err := st.SetEnrollment(e); err != nil {
		return nil, err
	}
	c := syncclient.New(st, discardLog())
	c.Timeout = 10 * time.Second
	start := time.Now()
	attempts := 0
	for {
		attempts++
		_, err := c.SyncOnce(env.Ctx)
		if err == nil {
			break
		}
		if attempts >= 20*n || env.Ctx.Err() != nil {
			return nil, fmt.Errorf("lossy sync: %d attempts, last: %w", attempts, err)
		}
	}
	d := time.Since(start)
	// The server's mark, not the results' Uploaded: a batch whose ack a
	// cut lost counts on no attempt.
	mark, err := bs.srv.Store().Mark(env.Ctx, st.DeviceID())
	if err != nil {
		return nil, err
	}
	if mark.HighWater != uint64(n) {
		return nil, fmt.Errorf("server's mark after the lossy sync is %d, want %d", mark.HighWater, n)
	}
	return []Figure{Rate("sync_lossy_8k_changes_per_s", n, d, "changes/s"),
		{Name: "sync_lossy_8k_attempts", Value: float64(attempts), Unit: "attempts"}}, nil
}
