package agent

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Restamp moves this device's unsynced changes to the time they were
// really made, once the server has told the device how wrong its clock is.
// offset is the correction (server time minus local time). Every outbox
// change with seq >= fromSeq had its stamp made with the correction in
// effect then (the previous one for stamps up to the moment the correction
// last changed, the current one after); it moves by the difference, so an
// edit made offline on a laptop two days ahead lands at its real time and
// loses to an edit someone else made later, as corrected time says it
// should. Stamps never pass the corrected present, keep their seq order,
// and stay above this device's accepted stamps (nothing accepted
// elsewhere is reordered). The local records' field versions that carried
// an old stamp take the new one, in the same transaction.
//
// Moving stamps back can make downloaded values that lost against the old
// stamps win now; the caller re-downloads the scope (ResetCursor) so the
// local state is merged again. It returns how many changes moved.
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
		prevOffset, err := getInt(txn, metaPrevOffset)
		if err != nil {
			return err
		}
		changedAt, err := getUint(txn, metaOffsetAt)
		if err != nil {
			return err
		}
		floor := schema.Stamp(ackedStamp)
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
		now := s.now().Add(offset).UnixMilli()
		last := floor
		for i := range redo {
			ch := &redo[i]
			old := ch.Version()
			stampedWith := oldOffset
			if ch.Stamp <= schema.Stamp(changedAt) {
				stampedWith = time.Duration(prevOffset)
			}
			ms := min(ch.Stamp.Millis()+(offset-stampedWith).Milliseconds(), now)
			ns := max(schema.MakeStamp(ms, ch.Stamp.Counter()), last+1)
			last = ns
			ch.Stamp = ns
			if err := setCBOR(txn, outboxKey(ch.Seq), ch); err != nil {
				return err
			}
			if err := restampRecord(txn, ch, old); err != nil {
				return err
			}
			n++
		}
		// Every unsynced stamp now carries the new correction.
		s.clock.SetOffset(offset)
		s.clock.ResetLast(max(last, schema.Stamp(observed)))
		if err := setCBOR(txn, metaPrevOffset, int64(offset)); err != nil {
			return err
		}
		if err := setCBOR(txn, metaOffsetAt, uint64(0)); err != nil {
			return err
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
	return setRecord(txn, rec)
}
