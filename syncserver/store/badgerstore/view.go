package badgerstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// view is a store.View: one read transaction.
type view struct{ txn *badger.Txn }

// Snapshot opens a read transaction (store.Pipelined). Badger starts it
// after every commit handed to it is written, so it waits for a commit in
// flight.
func (s *DB) Snapshot() (store.View, error) { return view{s.db.NewTransaction(false)}, nil }

// Records reads the records with these keys in the view.
func (v view) Records(ctx context.Context, keys []schema.Key) (map[schema.Key]*schema.Record, error) {
	out := make(map[schema.Key]*schema.Record, len(keys))
	for _, k := range keys {
		if _, seen := out[k]; seen {
			continue
		}
		rec, err := readRecord(v.txn, k.Kind, k.ID)
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read record %s %s: %w", k.Kind, k.ID, err)
		}
		out[k] = rec
	}
	return out, nil
}

// Refused reads a device's refusals in the view.
func (v view) Refused(ctx context.Context, device string, from, to uint64) ([]schema.Rejection, error) {
	out, err := readRefused(v.txn, device, from, to)
	if err != nil {
		return nil, fmt.Errorf("read refusals of %s: %w", device, err)
	}
	return out, nil
}

// Close ends the read transaction.
func (v view) Close() { v.txn.Discard() }
