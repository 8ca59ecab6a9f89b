package badgerstore

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// PutHealth writes a device's latest health report under g/<device id>.
func (s *DB) PutHealth(ctx context.Context, device string, h store.Health) error {
	err := s.db.Update(func(txn *badger.Txn) error { return setCBOR(txn, []byte(pHealth+device), h) })
	if err != nil {
		return fmt.Errorf("write health of %s: %w", device, err)
	}
	return nil
}

// Healths returns every device's latest health report.
func (s *DB) Healths(ctx context.Context) (map[string]store.Health, error) {
	out := map[string]store.Health{}
	if err := eachCBOR(s.db, pHealth, func(id string, h store.Health) { out[id] = h }); err != nil {
		return nil, fmt.Errorf("read device health: %w", err)
	}
	return out, nil
}

// eachCBOR decodes every value under prefix into a T and hands it to fn
// with the rest of its key (a device id), in key order.
func eachCBOR[T any](db *badger.DB, prefix string, fn func(rest string, v T)) error {
	return db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(prefix)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var v T
			if err := it.Item().Value(func(b []byte) error { return schema.UnmarshalStored(b, &v) }); err != nil {
				return fmt.Errorf("decode %q: %w", it.Item().Key(), err)
			}
			fn(string(it.Item().Key()[len(prefix):]), v)
		}
		return nil
	})
}
