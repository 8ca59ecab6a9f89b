package agent

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Review locks at a site. Offices lock a unit's period on the server; the
// lock and unlock records reach the site with its downloads (a county's
// locks too), and from then on the store refuses a save into the locked
// period with a *schema.ValidationError whose problem sits on the
// record's month, date or year field and whose cause is a
// *schema.PeriodLockedError: errors.Is(err, schema.ErrPeriodLocked) tells
// a lock refusal from any other, errors.As gives the lock's unit, period,
// who and when. A change made before the site learned of the lock is
// refused by the server instead and parked (Rejection.Code
// schema.RejectLocked); after an unlock, Unpark sends it again.

// loadLocks reads the lock and unlock records the site holds.
func loadLocks(txn *badger.Txn) (*schema.LockSet, error) {
	set := schema.NewLockSet()
	for _, k := range []schema.Kind{schema.KindLock, schema.KindUnlock} {
		if err := scanRecords(txn, recordPrefix(k, ""), set.Add); err != nil {
			return nil, fmt.Errorf("read locks: %w", err)
		}
	}
	return set, nil
}

// lockRefusal returns the lock refusal of writing ch over cur, or nil.
// The locks are read once per write transaction: a batch of a thousand
// reports reads them once, and downloads (which change them) take the
// same write lock, so they cannot change under a transaction.
func (w *writer) lockRefusal(cur *schema.Record, ch *schema.Change) error {
	// A site writes as a site: the kinds only an office may lock
	// (targets) are refused as read-only before they get here.
	if !ch.Kind.Lockable(false) {
		return nil
	}
	if w.locks == nil {
		set, err := loadLocks(w.txn)
		if err != nil {
			return err
		}
		w.locks = set
	}
	if e := w.locks.Refusal(cur, ch, false); e != nil {
		return e.Validation(w.s.divs)
	}
	return nil
}

// Locks returns the locks in force on units within unit or above it (a
// township sees its county's locks), oldest first; unit "" gives all.
func (s *Store) Locks(unit schema.Code) ([]schema.ActiveLock, error) {
	set, err := s.lockSet()
	if err != nil {
		return nil, err
	}
	return set.Active(unit), nil
}

// lockSet reads the locks in a read transaction of their own.
func (s *Store) lockSet() (set *schema.LockSet, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		set, err = loadLocks(txn)
		return err
	})
	return set, err
}

// LockByID returns a lock the site holds, lifted or not, and whether it is
// still in force; ErrNotFound when the site has not received it.
func (s *Store) LockByID(id string) (l schema.ActiveLock, active bool, err error) {
	set, err := s.lockSet()
	if err != nil {
		return l, false, err
	}
	l, active, found := set.Lookup(id)
	if !found {
		return l, false, fmt.Errorf("lock %s: %w", id, ErrNotFound)
	}
	return l, active, nil
}

// PutBatchSkipLocked is PutBatch for imports and grids: an item into a
// locked period is left out, and the rest is written in one synced
// transaction. locked holds the refused items by index, each with its
// lock. Any other failing item still fails the whole batch (a
// *BatchError), as in PutBatch: a lock is the office's doing and the
// user cannot fix it in the file, a mistake in a row they can.
func (s *Store) PutBatchSkipLocked(items []Item) (changes []*schema.Change, locked map[int]*schema.PeriodLockedError, err error) {
	return s.putBatch(items, true)
}

// lockedItem reports whether err is a lock refusal and returns its lock.
func lockedItem(err error) (*schema.PeriodLockedError, bool) {
	var le *schema.PeriodLockedError
	return le, errors.As(err, &le)
}
