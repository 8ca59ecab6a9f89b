package agent

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// ErrStop may be returned by a List callback to end the scan early without
// an error.
var ErrStop = errors.New("stop listing")

// Get returns a record by kind and id. A missing or deleted record gives an
// error wrapping ErrNotFound.
func (s *Store) Get(kind schema.Kind, id string) (*schema.Record, error) {
	rec, err := s.GetTombstone(kind, id)
	if err != nil {
		return nil, err
	}
	if rec.IsDeleted() {
		return nil, fmt.Errorf("get %s %s: %w", kind, id, ErrNotFound)
	}
	return rec, nil
}

// GetTyped returns a record decoded into its typed value: *schema.Facility
// for a facility, and so on.
func (s *Store) GetTyped(kind schema.Kind, id string) (*schema.Record, any, error) {
	rec, err := s.Get(kind, id)
	if err != nil {
		return nil, nil, err
	}
	v, err := rec.Typed()
	if err != nil {
		return nil, nil, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	return rec, v, nil
}

// List calls fn for every live record of kind under unit (the unit itself
// and every unit below it; "" for all), in key order: by unit code, then id.
// Returning ErrStop from fn ends the scan without error.
func (s *Store) List(kind schema.Kind, unit schema.Code, fn func(*schema.Record) error) error {
	if !kind.Valid() {
		return fmt.Errorf("list: unknown record kind %q", kind)
	}
	if unit != "" && !unit.Valid() {
		return fmt.Errorf("list %s: invalid unit code %q", kind, unit)
	}
	err := s.db.View(func(txn *badger.Txn) error {
		return scanRecords(txn, recordPrefix(kind, unit), func(rec *schema.Record) error {
			if rec.IsDeleted() {
				return nil
			}
			return fn(rec)
		})
	})
	if errors.Is(err, ErrStop) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list %s under %q: %w", kind, unit, err)
	}
	return nil
}

// Count returns the number of live records of kind under unit.
func (s *Store) Count(kind schema.Kind, unit schema.Code) (int, error) {
	n := 0
	err := s.List(kind, unit, func(*schema.Record) error { n++; return nil })
	return n, err
}

// scanRecords decodes every record under prefix. Callers pass fresh
// decoded records, so fn may keep them.
func scanRecords(txn *badger.Txn, prefix []byte, fn func(*schema.Record) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	opts.PrefetchSize = 16
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		var rec *schema.Record
		if err := item.Value(func(v []byte) (err error) { rec, err = decodeRecord(item.Key(), v); return err }); err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// LatestCapacity returns a facility's capacity report for the latest
// period. Capacity ids are cap:<facility>:<YYYY-MM>, so the reports are one
// prefix of the id index already ordered by period; scanning it backwards
// finds the latest first.
func (s *Store) LatestCapacity(facilityID string) (*schema.Record, error) {
	var found *schema.Record
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := indexPrefix(schema.KindCapacity, schema.CapacityID(facilityID, ""))
		opts := badger.DefaultIteratorOptions
		opts.Reverse = true
		opts.Prefix = prefix
		it := txn.NewIterator(opts)
		defer it.Close()
		// A reverse scan starts at the greatest key <= the seek key, so
		// seek just past the prefix.
		for it.Seek(append(bytes.Clone(prefix), 0xff)); it.ValidForPrefix(prefix); it.Next() {
			id := idFromIndexKey(schema.KindCapacity, it.Item().Key())
			rec, err := loadRecord(txn, schema.KindCapacity, id)
			if err != nil {
				return err
			}
			if rec == nil || rec.IsDeleted() {
				continue
			}
			// Another facility whose id extends this one ("f" and
			// "f:x") shares the prefix; the field says whose it is.
			var c schema.Capacity
			if err := rec.Decode(&c); err != nil {
				return fmt.Errorf("capacity %s: %w", id, err)
			}
			if c.Facility != facilityID {
				continue
			}
			found = rec
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("latest capacity of %s: %w", facilityID, err)
	}
	if found == nil {
		return nil, fmt.Errorf("latest capacity of %s: %w", facilityID, ErrNotFound)
	}
	return found, nil
}

// VisitsOf returns the live visits of a person in visit id order (ids are
// UUIDv7, so roughly the order they were entered).
func (s *Store) VisitsOf(personID string) ([]*schema.Record, error) {
	var out []*schema.Record
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := visitPrefix(personID)
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = prefix
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			visitID := string(it.Item().Key()[len(prefix):])
			rec, err := loadRecord(txn, schema.KindVisit, visitID)
			if err != nil {
				return err
			}
			if rec == nil || rec.IsDeleted() {
				continue
			}
			var v schema.Visit
			if err := rec.Decode(&v); err != nil {
				return fmt.Errorf("visit %s: %w", visitID, err)
			}
			// The index is never cleaned when a download moves a visit to
			// another person, and a person id holding '/' could match a
			// longer one: the record itself decides.
			if v.Person == personID {
				out = append(out, rec)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("visits of %s: %w", personID, err)
	}
	return out, nil
}
