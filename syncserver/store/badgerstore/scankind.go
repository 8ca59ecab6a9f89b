package badgerstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// ScanKind reads the records of one kind through the id index
// (i/<kind>/<id> → unit), so finding the few locks of a province does not
// walk its million records.
func (s *DB) ScanKind(ctx context.Context, kind schema.Kind, fn func(*schema.Record) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(pIndex + string(kind) + "/")
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id := string(it.Item().Key()[len(opts.Prefix):])
			unit, err := it.Item().ValueCopy(nil)
			if err != nil {
				return fmt.Errorf("read index of %s %s: %w", kind, id, err)
			}
			rec := new(schema.Record)
			if err := getCBOR(txn, recordKey(schema.Code(unit), kind, id), rec); err != nil {
				if errors.Is(err, badger.ErrKeyNotFound) {
					return fmt.Errorf("%s %s: index names unit %s but the record is missing", kind, id, unit)
				}
				return fmt.Errorf("read %s %s: %w", kind, id, err)
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
		return nil
	})
}
