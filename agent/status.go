package agent

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Backlog is what waits to be sent, the part of Status a sync reads as it
// starts and ends.
type Backlog struct {
	LastSeq  uint64 // last sequence number issued
	AckedSeq uint64 // server's durable high-water mark
	Outbox   int    // changes not yet acked
	// OldestSeq and OldestStamp describe the oldest unsynced change; zero
	// when the outbox is empty.
	OldestSeq   uint64
	OldestStamp schema.Stamp
	Parked      int
}

// Status is what the app and the status command show about a site's sync
// state.
type Status struct {
	DeviceID string
	Scope    schema.Code // "" until enrolled
	Backlog
	// Kept counts acked changes kept on disk for the retention window,
	// to offer again to a server restored from an older copy.
	Kept int
	// LastRefill is the last time the device met such a server and what
	// it offered again; its At is zero when that never happened.
	LastRefill  Refill
	Cursor      uint64        // server log sequence applied
	ClockOffset time.Duration // server time minus local time, as last learned
	LastSync    SyncResult    // zero until the sync client records one
	Enrolled    bool
	ServerURL   string
}

// OldestAt is when the oldest unsynced change was made (by the corrected
// clock), or the zero time.
func (st Backlog) OldestAt() time.Time {
	if st.OldestSeq == 0 {
		return time.Time{}
	}
	return st.OldestStamp.Time()
}

// Status reports the outbox, parked changes, identity and clock.
func (s *Store) Status() (Status, error) {
	st := Status{DeviceID: s.device, ClockOffset: s.clock.Offset()}
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		sc, err := getString(txn, metaScope)
		if err != nil {
			return err
		}
		st.Scope = schema.Code(sc)
		if st.Backlog, err = readBacklog(txn); err != nil {
			return err
		}
		if st.Cursor, err = getUint(txn, metaCursor); err != nil {
			return err
		}
		if _, err = getCBOR(txn, metaLastSync, &st.LastSync); err != nil {
			return err
		}
		var e Enrollment
		if st.Enrolled, err = getCBOR(txn, metaEnroll, &e); err != nil {
			return err
		}
		st.ServerURL = e.ServerURL
		if st.Kept, err = countPrefix(txn, []byte(prefixKept)); err != nil {
			return err
		}
		_, err = getCBOR(txn, metaRefill, &st.LastRefill)
		return err
	})
	if err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

// Backlog reports what waits to be sent. It is Status without what a sync
// does not need, the count of kept changes above all: after a long upload
// that is a walk of every change just acked.
func (s *Store) Backlog() (Backlog, error) {
	var b Backlog
	err := s.db.View(func(txn *badger.Txn) (err error) {
		b, err = readBacklog(txn)
		return err
	})
	if err != nil {
		return Backlog{}, fmt.Errorf("backlog: %w", err)
	}
	return b, nil
}

// readBacklog reads the backlog in txn. Outbox entries all lie above the
// acked mark (Release deletes up to it before it moves it, and Refill
// moves it back before it re-queues anything), so the walks start there,
// past the deleted keys of every change released, which a walk from the
// start would step over one by one.
func readBacklog(txn *badger.Txn) (b Backlog, err error) {
	if b.LastSeq, err = getUint(txn, metaSeq); err != nil {
		return b, err
	}
	if b.AckedSeq, err = getUint(txn, metaAcked); err != nil {
		return b, err
	}
	err = scanSeq(txn, prefixOutbox, b.AckedSeq+1, func(seq uint64, raw []byte) (bool, error) {
		stamp, err := Queued{Seq: seq, Raw: raw}.Stamp()
		b.OldestSeq, b.OldestStamp = seq, stamp
		return false, err
	})
	if err != nil {
		return b, err
	}
	if b.Outbox, err = countFrom(txn, prefixOutbox, b.AckedSeq+1); err != nil {
		return b, err
	}
	b.Parked, err = countPrefix(txn, []byte(prefixParked))
	return b, err
}

// countFrom counts the entries under prefix with seq from on.
func countFrom(txn *badger.Txn, prefix string, from uint64) (int, error) {
	return countKeys(txn, []byte(prefix), seqKey(prefix, from))
}

func countPrefix(txn *badger.Txn, prefix []byte) (int, error) { return countKeys(txn, prefix, prefix) }

// countKeys counts the keys under prefix from seek on, without reading
// their values.
func countKeys(txn *badger.Txn, prefix, seek []byte) (int, error) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	n := 0
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		n++
	}
	return n, nil
}
