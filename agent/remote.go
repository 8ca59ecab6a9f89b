package agent

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// applyChunk bounds the entries merged in one transaction. A download batch
// (up to schema.MaxBatchChanges) of large records could exceed Badger's
// transaction size; committing in parts is safe because merge is
// idempotent and the cursor is stored only with the last part, so a crash
// in between makes the client download and re-apply the same entries.
const applyChunk = 250

// ApplyRemote merges changes downloaded from the server into the local
// records and stores cursor, the server log sequence they bring the device
// up to, with the last of them. Every stamp is observed by the clock, so
// later local edits are stamped after anything seen. It returns how many
// entries changed a record; applying the same entries again changes nothing
// and returns 0.
func (s *Store) ApplyRemote(entries []schema.LogEntry, cursor uint64) (applied int, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for start := 0; start == 0 || start < len(entries); start += applyChunk {
		end := min(start+applyChunk, len(entries))
		last := end == len(entries)
		n, err := s.applyPart(entries[start:end], cursor, last)
		if err != nil {
			return applied, fmt.Errorf("apply downloaded changes: %w", err)
		}
		applied += n
	}
	return applied, nil
}

func (s *Store) applyPart(entries []schema.LogEntry, cursor uint64, last bool) (int, error) {
	applied := 0
	err := s.update(func(txn *badger.Txn) error {
		observed, err := getUint(txn, metaObserved)
		if err != nil {
			return err
		}
		for i := range entries {
			ch := &entries[i].Change
			if err := checkRemote(ch); err != nil {
				return fmt.Errorf("log entry %d: %w", entries[i].Seq, err)
			}
			s.clock.Observe(ch.Stamp)
			if ch.Device != s.device {
				observed = max(observed, uint64(ch.Stamp))
			}
			cur, err := loadRecord(txn, ch.Kind, ch.ID)
			if err != nil {
				return err
			}
			rec, changed, err := schema.Merge(cur, ch)
			if err != nil {
				return fmt.Errorf("log entry %d: %w", entries[i].Seq, err)
			}
			if !changed {
				continue
			}
			if err := putRecord(txn, cur, rec, ch); err != nil {
				return fmt.Errorf("log entry %d: %w", entries[i].Seq, err)
			}
			if erasesIdentity(ch) {
				if err := forgetIdentity(txn, ch.ID); err != nil {
					return err
				}
			}
			applied++
		}
		if err := setCBOR(txn, metaObserved, observed); err != nil {
			return err
		}
		if err := setCBOR(txn, metaClock, uint64(s.clock.Last())); err != nil {
			return err
		}
		if last {
			return setCBOR(txn, metaCursor, cursor)
		}
		return nil
	})
	if err != nil {
		// The clock keeps what it observed: a clock that ran further
		// ahead than needed costs nothing, one that went back could
		// break causality.
		return 0, err
	}
	return applied, nil
}

// checkRemote refuses entries that could not be stored under a sound key.
// The server validated them; this guards the store's layout, not the
// rules.
func checkRemote(ch *schema.Change) error {
	if !ch.Kind.Valid() {
		return fmt.Errorf("unknown record kind %q", ch.Kind)
	}
	if !ch.Unit.Valid() {
		return fmt.Errorf("%s %s: invalid unit code %q", ch.Kind, ch.ID, ch.Unit)
	}
	return checkID(ch.ID)
}
