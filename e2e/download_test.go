package e2e

import (
	"context"
	"testing"
	"time"

	"laoxiao/agent"
)

// TestDownloadFullLastBatch: a fresh site downloads exactly two full
// download frames' worth of records (the server sends 500 per frame). The
// server must still tell it that it caught up, or the client waits for
// news until its read times out and reports the sync as failed.
func TestDownloadFullLastBatch(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	tw := testTownships[3]
	a := newSite(t, srv, tw, "uploader", agent.Options{})
	fillSite(t, a, 1000, "整批")
	if res := a.mustSync(t); res.Uploaded != 1000 {
		t.Fatalf("uploaded %d, want 1000", res.Uploaded)
	}
	b := newSite(t, srv, tw, "fresh", agent.Options{})
	b.client.Timeout = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := b.sync(ctx)
	if err != nil {
		t.Fatalf("download of two full frames: %v", err)
	}
	if res.Downloaded != 1000 {
		t.Fatalf("downloaded %d, want 1000", res.Downloaded)
	}
	checkConverged(t, srv, []*site{a, b})
}
