package store

import (
	"context"

	"laoxiao/schema"
)

// RecordsReader is an optional Store capability: reading many records in
// one call. The writer reads the current state of every record a group
// changes before merging; on a database server one query for the group
// costs what one query per change would cost for each change. Badger's
// reads are in-process and lack it.
type RecordsReader interface {
	// Records returns the current states of the records with these keys;
	// a record the store does not have is absent from the map.
	Records(ctx context.Context, keys []schema.Key) (map[schema.Key]*schema.Record, error)
}
