package syncserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"laoxiao/syncserver/store"
)

// TestOpenWhileHeld: the admin commands open the data directory
// themselves unless a running server holds it, and they tell the two
// apart by store.ErrLocked.
func TestOpenWhileHeld(t *testing.T) {
	ctx := context.Background()
	cfg := Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	running, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, cfg); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("open while a server holds the store: %v, want store.ErrLocked", err)
	}
	if err := running.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open after the server stopped: %v", err)
	}
	again.Close()
}
