package pgstore

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"laoxiao/internal/pgtest"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/storetest"
)

// cluster is this test binary's PostgreSQL; each test takes a database.
var cluster *pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &cluster)) }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openNew opens a store on a fresh database.
func openNew(t *testing.T) (*Store, string) {
	t.Helper()
	url := cluster.NewDatabase(t)
	st, err := Open(context.Background(), url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	return st, url
}

// TestConformance runs the store.Store suite that every backend passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st, _ := openNew(t)
		return st
	})
}
