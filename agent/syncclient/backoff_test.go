package syncclient

import (
	"context"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	type attempt struct {
		failed       bool
		mark, cursor uint64
		wait         time.Duration // before jitter; 0 after a success
	}
	tests := []struct {
		name     string
		attempts []attempt
	}{
		{name: "failures without progress double up to the maximum", attempts: []attempt{
			{failed: true, wait: time.Second}, {failed: true, wait: 2 * time.Second},
			{failed: true, wait: 4 * time.Second}, {failed: true, wait: 8 * time.Second}, {failed: true, wait: 8 * time.Second}}},
		{name: "a failure that advanced the mark waits the minimum", attempts: []attempt{
			{failed: true, mark: 10, wait: time.Second}, {failed: true, mark: 10, wait: 2 * time.Second},
			{failed: true, mark: 10, wait: 4 * time.Second}, {failed: true, mark: 12, wait: time.Second}}},
		{name: "a failure that advanced the cursor waits the minimum", attempts: []attempt{
			{failed: true, cursor: 5, wait: time.Second}, {failed: true, cursor: 5, wait: 2 * time.Second},
			{failed: true, cursor: 9, wait: time.Second}, {failed: true, cursor: 9, wait: 2 * time.Second}}},
		{name: "an attempt that never reached the welcome forgets no progress", attempts: []attempt{
			{failed: true, mark: 10, wait: time.Second}, {failed: true, wait: 2 * time.Second},
			{failed: true, mark: 10, wait: 4 * time.Second}}},
		{name: "a mark gone back (a restored server) is no progress", attempts: []attempt{
			{failed: true, mark: 10, wait: time.Second}, {failed: true, mark: 4, wait: 2 * time.Second}}},
		{name: "a success starts over", attempts: []attempt{
			{failed: true, wait: time.Second}, {failed: true, wait: 2 * time.Second},
			{mark: 3}, {failed: true, mark: 3, wait: time.Second}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackoff(time.Second, 8*time.Second)
			for i, a := range tc.attempts {
				if got := b.after(a.failed, a.mark, a.cursor); got != a.wait {
					t.Errorf("attempt %d: wait %s, want %s", i+1, got, a.wait)
				}
			}
		})
	}
}

func TestJitter(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond, time.Second} {
		for range 100 {
			if j := jitter(d); j < d/2 || j > d {
				t.Fatalf("jitter(%s) = %s, outside [d/2, d]", d, j)
			}
		}
	}
}

// TestRunOnADroppingLink: Run on a link that breaks after 3 KiB of upload
// on every connection gets a few changes through on each, so it keeps
// retrying after the minimum wait and finishes; doubling its wait on each
// of the dozens of failures instead would take hours.
func TestRunOnADroppingLink(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	const n = 150
	putFacilities(t, st, village(t, township, 0), n)
	cutAfter(c, 3<<10)
	c.MinBackoff, c.MaxBackoff = 20*time.Millisecond, time.Hour
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx, time.Hour) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(60 * time.Second)
	for srv.mark(t, st) < n {
		if time.Now().After(deadline) {
			t.Fatalf("server's mark %d after 60 s, want %d; batch size %d", srv.mark(t, st), n, c.link.batchSize(maxUploadBatch))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if b := c.link.batchSize(maxUploadBatch); b >= maxUploadBatch {
		t.Errorf("batch size %d: never shrank on a link that drops", b)
	}
}
