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
// page. Records are stored inline and count whole against Badger's
// transaction size: 4,000 new records of 450 bytes fit a 16 MiB memtable's
// limit. A page that exceeds it is applied in halves (down to single
// entries), which is safe
// because merge is idempotent and the cursor is stored only with the last
// part: a crash in between makes the client download and re-apply the
// same entries.
func (s *Store) ApplyRemote(entries []schema.LogEntry, cursor uint64) (applied int, err error) {
	wait, err := s.ApplyRemoteAsync(entries, cursor)
	if err != nil {
		return 0, err
	}
	return wait()
}

// ApplyRemoteAsync is ApplyRemote that returns once the page's transaction
// is handed to the disk, so the caller can take the next page while it is
// written: wait returns what ApplyRemote returns once the transaction is
// durable, or why it failed. Trap: until wait returned nil, nothing of the
// page may be reported as applied.
//
// A page never lands on one that failed: the next ApplyRemoteAsync (or
// ApplyRemote, or any write, which Badger orders after it) first waits for
// this one, and fails with its error; the stored cursor stays that of the
// last page on disk. What needs no transaction (checking the entries,
// encoding the records they create) is done before that wait, so it
// overlaps the write of the page before.
func (s *Store) ApplyRemoteAsync(entries []schema.LogEntry, cursor uint64) (wait func() (int, error), err error) {
	fresh, err := prepareRemote(entries)
	if err != nil {
		return nil, fmt.Errorf("apply downloaded changes: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.waitRemote(); err != nil {
		return nil, fmt.Errorf("apply downloaded changes: the page before failed: %w", err)
	}
	txn := s.db.NewTransaction(true)
	applied, err := s.applyEntries(txn, entries, fresh, cursor, true)
	if errors.Is(err, badger.ErrTxnTooBig) && len(entries) > 1 {
		txn.Discard()
		applied, err = s.applyHalves(entries, fresh, cursor, true)
		if err != nil {
			return nil, fmt.Errorf("apply downloaded changes: %w", err)
		}
		return func() (int, error) { return applied, nil }, nil
	}
	if err != nil {
		txn.Discard()
		return nil, fmt.Errorf("apply downloaded changes: %w", err)
	}
	c := &remoteCommit{done: make(chan struct{})}
	txn.CommitWith(func(err error) {
		c.err = err
		close(c.done)
	})
	s.remoteTail = c
	return func() (int, error) {
		<-c.done
		if c.err != nil {
			return 0, fmt.Errorf("apply downloaded changes: %w", c.err)
		}
		return applied, nil
	}, nil
}

// remoteCommit is a downloaded page's transaction on its way to disk.
type remoteCommit struct {
	done chan struct{}
	err  error // set before done closes
}

// waitRemote waits for the last page ApplyRemoteAsync handed to the disk
// and returns its error, once: the page after a failed one fails with it,
// and a later session starts again from the cursor on disk. The caller
// holds wmu.
func (s *Store) waitRemote() error {
	c := s.remoteTail
	if c == nil {
		return nil
	}
	s.remoteTail = nil
	<-c.done
	return c.err
}

// prepareRemote checks entries and encodes, for each change that can make
// a record from nothing, the record it makes (nil for the others), ahead
// of the transaction that finds out whether the record is new.
func prepareRemote(entries []schema.LogEntry) ([][]byte, error) {
	fresh := make([][]byte, len(entries))
	for i := range entries {
		ch := &entries[i].Change
		if err := checkRemote(ch); err != nil {
			return nil, fmt.Errorf("log entry %d: %w", entries[i].Seq, err)
		}
		if !ch.Delete && len(ch.Set) > 0 {
			fresh[i] = schema.MarshalNewEntry(&entries[i])
		}
	}
	return fresh, nil
}

// applyParts applies entries in synced transactions, one or, when they do
// not fit one, halves; last says the cursor goes with the final part.
func (s *Store) applyParts(entries []schema.LogEntry, fresh [][]byte, cursor uint64, last bool) (int, error) {
	var n int
	err := s.update(func(txn *badger.Txn) (err error) {
		n, err = s.applyEntries(txn, entries, fresh, cursor, last)
		return err
	})
	if err != nil {
		n = 0
	}
	if !errors.Is(err, badger.ErrTxnTooBig) || len(entries) < 2 {
		return n, err
	}
	return s.applyHalves(entries, fresh, cursor, last)
}

// applyHalves is applyParts of each half of entries in turn.
func (s *Store) applyHalves(entries []schema.LogEntry, fresh [][]byte, cursor uint64, last bool) (int, error) {
	h := len(entries) / 2
	a, err := s.applyParts(entries[:h], fresh[:h], cursor, false)
	if err != nil {
		return a, err
	}
	b, err := s.applyParts(entries[h:], fresh[h:], cursor, last)
	return a + b, err
}

// applyEntries merges entries in txn, fresh holding what prepareRemote
// encoded for them. On an error the clock keeps what it observed: a clock
// that ran further ahead than needed costs nothing, one that went back
// could break causality.
func (s *Store) applyEntries(txn *badger.Txn, entries []schema.LogEntry, fresh [][]byte, cursor uint64, last bool) (int, error) {
	observed, err := getUint(txn, metaObserved)
	if err != nil {
		return 0, err
	}
	absent := absentRecords(txn, entries)
	applied := 0
	erased := map[string]bool{} // persons whose identity the page erases
	for i := range entries {
		ch := &entries[i].Change
		s.clock.Observe(ch.Stamp)
		if ch.Device != s.device {
			observed = max(observed, uint64(ch.Stamp))
		}
		var cur *schema.Record
		if !absent[i] {
			if cur, err = loadRecord(txn, ch.Kind, ch.ID); err != nil {
				return 0, err
			}
		}
		if cur == nil && fresh[i] != nil {
			// A new record, as most of a first download: stored as
			// prepareRemote encoded it, without merging into nothing.
			rec := &schema.Record{Kind: ch.Kind, ID: ch.ID, Unit: ch.Unit, Fields: ch.Set}
			err = putRecordAs(txn, nil, rec, ch, fresh[i])
		} else {
			err = s.mergeRemote(txn, cur, ch)
		}
		if errors.Is(err, errUnchanged) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("log entry %d: %w", entries[i].Seq, err)
		}
		if erasesIdentity(ch) {
			erased[ch.ID] = true
		}
		applied++
	}
	if err := forgetIdentities(txn, erased); err != nil {
		return 0, err
	}
	if err := setCBOR(txn, metaObserved, observed); err != nil {
		return 0, err
	}
	if err := setCBOR(txn, metaClock, uint64(s.clock.Last())); err != nil {
		return 0, err
	}
	if last {
		if err := setCBOR(txn, metaCursor, cursor); err != nil {
			return 0, err
		}
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
