package agent

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// ApplyRemote merges changes downloaded from the server into the local
// records and stores cursor, the server log sequence they bring the device
// up to, with the last of them. Every stamp is observed by the clock, so
// later local edits are stamped after anything seen. It returns how many
// entries changed a record; applying the same entries again changes nothing
// and returns 0.
//
// A page is one synced transaction, so a download costs one flush per
// page. Records go to the value log, so a page counts little against
// Badger's transaction size; one that exceeds it all the same is applied
// in halves (down to single entries), which is safe
// because merge is idempotent and the cursor is stored only with the last
// part: a crash in between makes the client download and re-apply the
// same entries.
func (s *Store) ApplyRemote(entries []schema.LogEntry, cursor uint64) (applied int, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	applied, err = s.applyParts(entries, cursor, true)
	if err != nil {
		return applied, fmt.Errorf("apply downloaded changes: %w", err)
	}
	return applied, nil
}

// applyParts applies entries in one transaction, or in halves when they
// do not fit one; last says the cursor goes with the final part.
func (s *Store) applyParts(entries []schema.LogEntry, cursor uint64, last bool) (int, error) {
	n, err := s.applyPart(entries, cursor, last)
	if !errors.Is(err, badger.ErrTxnTooBig) || len(entries) < 2 {
		return n, err
	}
	h := len(entries) / 2
	a, err := s.applyParts(entries[:h], cursor, false)
	if err != nil {
		return a, err
	}
	b, err := s.applyParts(entries[h:], cursor, last)
	return a + b, err
}

func (s *Store) applyPart(entries []schema.LogEntry, cursor uint64, last bool) (int, error) {
	applied := 0
	err := s.update(func(txn *badger.Txn) error {
		observed, err := getUint(txn, metaObserved)
		if err != nil {
			return err
		}
		erased := map[string]bool{} // persons whose identity the page erases
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
			if cur == nil && !ch.Delete && len(ch.Set) > 0 {
				// A new record, as most of a first download: stored
				// straight from the change, without merging into nothing.
				rec := &schema.Record{Kind: ch.Kind, ID: ch.ID, Unit: ch.Unit, Fields: ch.Set}
				err = putRecordAs(txn, nil, rec, ch, schema.MarshalNewRecord(ch))
			} else {
				err = s.mergeRemote(txn, cur, ch)
			}
			if errors.Is(err, errUnchanged) {
				continue
			}
			if err != nil {
				return fmt.Errorf("log entry %d: %w", entries[i].Seq, err)
			}
			if erasesIdentity(ch) {
				erased[ch.ID] = true
			}
			applied++
		}
		if err := forgetIdentities(txn, erased); err != nil {
			return err
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

// errUnchanged: a downloaded change changed nothing (mergeRemote).
var errUnchanged = errors.New("unchanged")

// mergeRemote merges ch into cur (nil when new) and writes the result, or
// returns errUnchanged.
func (s *Store) mergeRemote(txn *badger.Txn, cur *schema.Record, ch *schema.Change) error {
	rec, changed, err := schema.Merge(cur, ch)
	if err != nil {
		return err
	}
	if !changed {
		return errUnchanged
	}
	return putRecord(txn, cur, rec, ch)
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
