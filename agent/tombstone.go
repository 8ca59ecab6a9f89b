package agent

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// GetTombstone returns a record even when it is deleted: a delete keeps
// the fields the record last had, so a device can still say what became
// of a record it lost (a person the county moved to another township has
// the pointer to where). ErrNotFound when the store never held it.
func (s *Store) GetTombstone(kind schema.Kind, id string) (*schema.Record, error) {
	var rec *schema.Record
	err := s.db.View(func(txn *badger.Txn) (err error) {
		rec, err = loadRecord(txn, kind, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	if rec == nil {
		return nil, fmt.Errorf("get %s %s: %w", kind, id, ErrNotFound)
	}
	return rec, nil
}
