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
	// With a key, persons' names and ID numbers are encrypted before they
	// reach the database (pgstore's sealed.go).
	return pgstore.OpenWith(ctx, cfg.Store, pgstore.Options{Logger: cfg.Logger, Key: cfg.Key})
}
