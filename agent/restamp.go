package agent

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Restamp handles the server's refusal of changes stamped too far ahead of
// its clock: it sets the clock offset to offset (server time minus local
// time), lets the clock go back, and gives every outbox change with seq >=
// fromSeq a fresh stamp from the corrected clock, keeping its seq. The local
// records' field versions that carried an old stamp take the new one, so
// the device's state stays what the server will hold once it accepts the
// resent changes. Everything happens in one transaction; it returns how
// many changes were re-stamped.
//
// Going back is safe only for stamps nobody accepted: the clock restarts
// above every stamp this device saw from others, every stamp the server
// acked, and the outbox changes before fromSeq, so causality with anything
// that exists elsewhere holds.
func (s *Store) Restamp(fromSeq uint64, offset time.Duration) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	oldOffset, oldLast := s.clock.Offset(), s.clock.Last()
	n := 0
	err := s.update(func(txn *badger.Txn) error {
		observed, err := getUint(txn, metaObserved)
		if err != nil {
			return err
		}
		ackedStamp, err := getUint(txn, metaAckedStamp)
		if err != nil {
			return err
		}
		floor := schema.Stamp(max(observed, ackedStamp))
		var redo []schema.Change
		err = scanSeq(txn, prefixOutbox, 0, func(seq uint64, raw []byte) (bool, error) {
			var ch schema.Change
			if err := schema.UnmarshalStored(raw, &ch); err != nil {
				return false, fmt.Errorf("decode outbox %d: %w", seq, err)
			}
			if seq < fromSeq {
				floor = max(floor, ch.Stamp)
			} else {
				redo = append(redo, ch)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		s.clock.SetOffset(offset)
		s.clock.ResetLast(floor)
		for i := range redo {
			ch := &redo[i]
			old := ch.Version()
			ch.Stamp = s.clock.Now()
			if err := setCBOR(txn, outboxKey(ch.Seq), ch); err != nil {
				return err
			}
			if err := restampRecord(txn, ch, old); err != nil {
				return err
			}
			n++
		}
		if err := setCBOR(txn, metaOffset, int64(offset)); err != nil {
			return err
		}
		return setCBOR(txn, metaClock, uint64(s.clock.Last()))
	})
	if err != nil {
		s.clock.SetOffset(oldOffset)
		s.clock.ResetLast(oldLast)
		return 0, fmt.Errorf("restamp changes from %d: %w", fromSeq, err)
	}
	return n, nil
}

// restampRecord moves the versions old wrote on ch's record to ch's new
// version. Fields a later write already took keep that write's version.
func restampRecord(txn *badger.Txn, ch *schema.Change, old schema.Version) error {
	rec, err := loadRecord(txn, ch.Kind, ch.ID)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("outbox change %d: record %s %s is missing", ch.Seq, ch.Kind, ch.ID)
	}
	nv := ch.Version()
	touched := false
	for name, v := range rec.Versions {
		if v == old {
			rec.Versions[name] = nv
			touched = true
		}
	}
	if rec.Deleted == old {
		rec.Deleted = nv
		touched = true
	}
	if !touched {
		return nil
	}
	return setCBOR(txn, recordKey(rec.Kind, rec.Unit, rec.ID), rec)
}
