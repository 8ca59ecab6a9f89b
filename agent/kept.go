package agent

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// DefaultRetention is how long acked changes are kept when Options leave
// it 0: a county restores its server from a backup a few days old at
// worst, and 90 days of a township's changes take a few megabytes.
const DefaultRetention = 90 * 24 * time.Hour

// keep files an acked outbox entry (key o/<seq>, value raw) under k/<seq>
// with the time of the ack, unless keeping is off. The outbox's encoding
// is kept as is: releasing must stay cheap, it runs for every ack.
func (s *Store) keep(txn *badger.Txn, outKey, raw []byte) error {
	if s.retention < 0 {
		return nil
	}
	v := make([]byte, 8, 8+len(raw))
	binary.BigEndian.PutUint64(v, uint64(s.now().UnixMilli()))
	k := keptKey(binary.BigEndian.Uint64(outKey[len(prefixOutbox):]))
	if err := txn.Set(k, append(v, raw...)); err != nil {
		return fmt.Errorf("keep acked change: %w", err)
	}
	return nil
}

// keepWrite is what keep writes for the outbox entry raw, for txnBudget.
func keepWrite(raw []byte) write {
	return write{key: len(prefixKept) + 8, value: 8 + len(raw)}
}

// keptChange splits a k/ value into its ack time and the change's bytes.
func keptChange(v []byte) (ackedAt time.Time, raw []byte, err error) {
	if len(v) < 8 {
		return time.Time{}, nil, fmt.Errorf("kept change of %d bytes", len(v))
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(v))), v[8:], nil
}

// keptRaw is the change's bytes of a k/ value, as the outbox holds them.
func keptRaw(v []byte) ([]byte, error) {
	_, raw, err := keptChange(v)
	return raw, err
}

// pruneKept deletes the kept changes acked longer ago than the retention
// window, as many as b has room for. Acks come in sequence order, so the
// oldest kept changes are the first keys and the walk stops at the first
// young one; a long backlog of old ones goes over several releases. The walk starts
// after the last change pruned (m/pruned), so it does not pass over the
// deleted keys of every earlier prune again.
func (s *Store) pruneKept(txn *badger.Txn, b *txnBudget) error {
	now := s.now()
	from, err := getUint(txn, metaPruned)
	if err != nil {
		return err
	}
	n, last := 0, uint64(0)
	err = scanSeq(txn, prefixKept, from+1, func(seq uint64, raw []byte) (bool, error) {
		at, _, err := keptChange(raw)
		if err != nil || !s.expired(at, now) {
			return false, err
		}
		k := keptKey(seq)
		if !b.take(write{key: len(k)}) {
			return false, nil
		}
		if err := txn.Delete(k); err != nil {
			return false, fmt.Errorf("prune kept change %d: %w", seq, err)
		}
		n, last = n+1, seq
		return true, nil
	})
	if err != nil || n == 0 {
		return err
	}
	return setCBOR(txn, metaPruned, last)
}

// expired reports whether a change kept since at is past the retention
// window at now (every one is, when none are kept).
func (s *Store) expired(at, now time.Time) bool {
	return s.retention < 0 || at.Before(now.Add(-s.retention))
}

// pruneDue reports whether the oldest kept change is past the retention
// window, so that pruneKept has something to delete.
func (s *Store) pruneDue() (due bool, err error) {
	now := s.now()
	err = s.db.View(func(txn *badger.Txn) error {
		from, err := getUint(txn, metaPruned)
		if err != nil {
			return err
		}
		return scanSeq(txn, prefixKept, from+1, func(_ uint64, raw []byte) (bool, error) {
			at, _, err := keptChange(raw)
			due = s.expired(at, now)
			return false, err
		})
	})
	if err != nil {
		return false, fmt.Errorf("kept changes due for pruning: %w", err)
	}
	return due, nil
}

// Kept returns how many acked changes are kept for a server restore.
func (s *Store) Kept() (int, error) {
	var n int
	err := s.db.View(func(txn *badger.Txn) (err error) {
		n, err = countPrefix(txn, []byte(prefixKept))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count kept changes: %w", err)
	}
	return n, nil
}
