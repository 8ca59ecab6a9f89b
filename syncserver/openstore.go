package syncserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
	"laoxiao/syncserver/store/pgstore"
)

// ErrStoreURL is returned by Open for a Config.Store that is no
// PostgreSQL URL.
var ErrStoreURL = errors.New("the store must be a postgres:// or postgresql:// URL (leave it empty for the embedded store under the data directory)")

// openStore opens the store cfg names: Badger under DataDir by default,
// or the PostgreSQL database of cfg.Store.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.Store == "" {
		return badgerstore.OpenWith(storeDir(cfg.DataDir), badgerstore.Options{Key: cfg.Key, Logger: cfg.Logger})
	}
	if !pgstore.IsURL(cfg.Store) {
		scheme, _, _ := strings.Cut(cfg.Store, ":")
		return nil, fmt.Errorf("store %q…: %w", scheme, ErrStoreURL)
	}
	if cfg.Key != nil {
		return nil, fmt.Errorf("a PostgreSQL store: %w (the database's own encryption and access control protect it; see README)", errKeyPostgres)
	}
	return pgstore.Open(ctx, cfg.Store, cfg.Logger)
}

// errKeyPostgres refuses a key for a PostgreSQL store, which does not use
// one: accepting it would let the operator believe the data is encrypted
// by it.
var errKeyPostgres = errors.New("a key is given, but this store does not encrypt with it")
