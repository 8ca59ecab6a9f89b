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
	return s.eachRecord(ctx, prefix, false, func(item *badger.Item) error {
		if err := item.Value(fn); err != nil {
			return fmt.Errorf("scan record %q: %w", item.Key(), err)
		}
		return nil
	})
}
