package agent

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Status is what the app and the status command show about a site's sync
// state.
type Status struct {
	DeviceID string
	Scope    schema.Code // "" until enrolled
	LastSeq  uint64      // last sequence number issued
	AckedSeq uint64      // server's durable high-water mark
	Outbox   int         // changes not yet acked
	// OldestSeq and OldestStamp describe the oldest unsynced change; zero
	// when the outbox is empty.
	OldestSeq   uint64
	OldestStamp schema.Stamp
	Parked      int
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
func (st Status) OldestAt() time.Time {
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
		if st.LastSeq, err = getUint(txn, metaSeq); err != nil {
			return err
		}
		if st.AckedSeq, err = getUint(txn, metaAcked); err != nil {
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
		err = scanSeq(txn, prefixOutbox, 0, func(seq uint64, raw []byte) (bool, error) {
			var ch schema.Change
			if err := schema.UnmarshalStored(raw, &ch); err != nil {
				return false, fmt.Errorf("decode outbox %d: %w", seq, err)
			}
			st.OldestSeq, st.OldestStamp = seq, ch.Stamp
			return false, nil
		})
		if err != nil {
			return err
		}
		if st.Outbox, err = countPrefix(txn, []byte(prefixOutbox)); err != nil {
			return err
		}
		if st.Parked, err = countPrefix(txn, []byte(prefixParked)); err != nil {
			return err
		}
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

func countPrefix(txn *badger.Txn, prefix []byte) (int, error) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := txn.NewIterator(opts)
	defer it.Close()
	n := 0
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		n++
	}
	return n, nil
}
