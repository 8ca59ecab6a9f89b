package badgerstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/syncserver/store"
)

// kIncarnation holds the store's incarnation id (see store.Store's
// Incarnation). It lives under the meta prefix with the log head.
const kIncarnation = "m/incarnation"

// Incarnation returns the store's incarnation id, made when the store was
// created (or, for a store made before ids existed, when it was first
// opened by a binary that knows them) and replaced by a restore.
func (s *DB) Incarnation(ctx context.Context) (string, error) {
	var id string
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get([]byte(kIncarnation))
		if err != nil {
			return err
		}
		v, err := it.ValueCopy(nil)
		id = string(v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("read incarnation id: %w", err)
	}
	return id, nil
}

// NewIncarnation gives the store a new incarnation id, durably, and
// returns it. A restore calls it: devices that meet the store afterwards
// see the id change and re-offer what the copy lacks.
func (s *DB) NewIncarnation(ctx context.Context) (string, error) {
	id, err := store.NewIncarnationID()
	if err != nil {
		return "", err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(kIncarnation), []byte(id)) }); err != nil {
		return "", fmt.Errorf("write incarnation id: %w", err)
	}
	return id, nil
}

// ensureIncarnation writes an incarnation id when the store has none: at
// creation. Only one process opens the directory (Badger's lock), so
// nothing races the check and the write.
func (s *DB) ensureIncarnation() error {
	_, err := s.Incarnation(context.Background())
	if err == nil {
		return nil
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	_, err = s.NewIncarnation(context.Background())
	return err
}
