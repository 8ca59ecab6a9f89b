package badgerstore

import (
	"io"
	"log/slog"
	"testing"

	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/storetest"
)

// TestConformance runs the store.Store suite that every backend passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}
