package badgerstore

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

var _ store.RawRecordScanner = (*DB)(nil)

// ScanRecordsRaw iterates the records under a unit prefix in their stored
// encoding. Values are read in place rather than prefetched: prefetching
// copies every value, which on a city-wide scan costs more than the read.
func (s *DB) ScanRecordsRaw(ctx context.Context, prefix schema.Code, fn func(raw []byte) error) error {
	p := []byte(pRecord + string(prefix))
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = p
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := it.Item().Value(fn); err != nil {
				return fmt.Errorf("scan record %q: %w", it.Item().Key(), err)
			}
		}
		return nil
	})
}
