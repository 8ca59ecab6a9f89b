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
// an old stamp take the new one, in the same transaction as their change.
//
// A long backlog is moved in several transactions (txnBudget), in seq
// order, under the write lock throughout. Each but the last records how
// far it got (m/restamping); a crash midway is finished by the next Open,
// from where it stopped and with what it started from, since moving a
// change twice would move it too far. The new correction is adopted with
// the last.
//
// Moving stamps back can make downloaded values that lost against the old
// stamps win now; the caller re-downloads the scope (ResetCursor) so the
// local state is merged again. It returns how many changes moved.
func (s *Store) Restamp(fromSeq uint64, offset time.Duration) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	r, err := s.startRestamp(fromSeq, offset)
	if err != nil {
		return 0, fmt.Errorf("restamp changes from %d: %w", fromSeq, err)
	}
	n, err := s.restampAll(r)
	if err != nil {
		return n, fmt.Errorf("restamp changes from %d: %w", fromSeq, err)
	}
	return n, nil
}

// restamping is a Restamp in progress: what it started from and how far
// it got.
type restamping struct {
	Offset     time.Duration `cbor:"1,keyasint"` // the new correction
	OldOffset  time.Duration `cbor:"2,keyasint"` // the correction when it started
	PrevOffset time.Duration `cbor:"3,keyasint"` // the one before, for stamps up to ChangedAt
	ChangedAt  schema.Stamp  `cbor:"4,keyasint"` // the clock's last stamp when the correction changed
	Next       uint64        `cbor:"5,keyasint"` // the first outbox seq still to move
	Last       schema.Stamp  `cbor:"6,keyasint"` // the stamp of the change moved last, or the floor
}

// startRestamp reads what a Restamp from fromSeq starts from. The floor
// is the greatest stamp of an accepted change: of those released, and of
// those still in the outbox before fromSeq.
func (s *Store) startRestamp(fromSeq uint64, offset time.Duration) (restamping, error) {
	r := restamping{Offset: offset, OldOffset: s.clock.Offset(), Next: fromSeq}
	err := s.db.View(func(txn *badger.Txn) error {
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
		r.PrevOffset, r.ChangedAt, r.Last = time.Duration(prevOffset), schema.Stamp(changedAt), schema.Stamp(ackedStamp)
		return scanSeq(txn, prefixOutbox, 0, func(seq uint64, raw []byte) (bool, error) {
			if seq >= fromSeq {
				return false, nil
			}
			stamp, err := Queued{Seq: seq, Raw: raw}.Stamp()
			r.Last = max(r.Last, stamp)
			return err == nil, err
		})
	})
	return r, err
}

// finishRestamp finishes the Restamp a crash cut short, if any.
func (s *Store) finishRestamp() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var r restamping
	var found bool
	err := s.db.View(func(txn *badger.Txn) (err error) {
		found, err = getCBOR(txn, metaRestamping, &r)
		return err
	})
	if err != nil || !found {
		return err
	}
	n, err := s.restampAll(r)
	if err != nil {
		return fmt.Errorf("finish restamping changes from %d: %w", r.Next, err)
	}
	s.log.Warn("finished moving unsynced changes to corrected time, which a stop had interrupted", "moved", n)
	return nil
}

// restampAll moves the changes from r.Next on in chunks; the caller holds
// wmu.
func (s *Store) restampAll(r restamping) (int, error) {
	moved := 0
	for {
		n, done, err := s.restampChunk(&r)
		moved += n
		if err != nil || done {
			return moved, err
		}
	}
}

// restampChunk moves the changes from r.Next on that fit one transaction
// and advances r; the last chunk adopts the correction.
func (s *Store) restampChunk(r *restamping) (n int, done bool, err error) {
	oldOffset, oldLast := s.clock.Offset(), s.clock.Last()
	next, last := r.Next, r.Last
	err = s.update(func(txn *badger.Txn) error {
		b := s.budget()
		now := s.now().Add(r.Offset).UnixMilli()
		full := false
		err := scanSeq(txn, prefixOutbox, r.Next, func(seq uint64, raw []byte) (bool, error) {
			ch, err := Queued{Seq: seq, Raw: raw}.Change()
			if err != nil {
				return false, err
			}
			old := ch.Version()
			stampedWith := r.OldOffset
			if ch.Stamp <= r.ChangedAt {
				stampedWith = r.PrevOffset
			}
			ms := min(ch.Stamp.Millis()+(r.Offset-stampedWith).Milliseconds(), now)
			ch.Stamp = max(schema.MakeStamp(ms, ch.Stamp.Counter()), last+1)
			enc, err := schema.Marshal(&ch)
			if err != nil {
				return false, fmt.Errorf("encode outbox %d: %w", seq, err)
			}
			k := outboxKey(seq)
			rec := recordKey(ch.Kind, ch.Unit, ch.ID) // a record keeps its unit
			if !b.take(write{len(k), len(enc)}, write{len(rec), anyValue}) {
				full = true
				return false, nil
			}
			if err := txn.Set(k, enc); err != nil {
				return false, fmt.Errorf("write outbox %d: %w", seq, err)
			}
			if err := restampRecord(txn, &ch, old); err != nil {
				return false, err
			}
			next, last = seq+1, ch.Stamp
			n++
			return true, nil
		})
		if err == nil && full && n == 0 {
			err = fmt.Errorf("outbox entry %d: %w", r.Next, errItemTooBig)
		}
		if err != nil {
			return err
		}
		if full {
			p := *r
			p.Next, p.Last = next, last
			return setCBOR(txn, metaRestamping, p)
		}
		done = true
		observed, err := getUint(txn, metaObserved)
		if err != nil {
			return err
		}
		// Every unsynced stamp now carries the new correction.
		s.clock.SetOffset(r.Offset)
		s.clock.ResetLast(max(last, schema.Stamp(observed)))
		if err := setCBOR(txn, metaPrevOffset, int64(r.Offset)); err != nil {
			return err
		}
		if err := setCBOR(txn, metaOffsetAt, uint64(0)); err != nil {
			return err
		}
		if err := setCBOR(txn, metaOffset, int64(r.Offset)); err != nil {
			return err
		}
		if err := setCBOR(txn, metaClock, uint64(s.clock.Last())); err != nil {
			return err
		}
		if err := txn.Delete(metaRestampDue); err != nil {
			return err
		}
		return txn.Delete(metaRestamping)
	})
	if err != nil {
		s.clock.SetOffset(oldOffset)
		s.clock.ResetLast(oldLast)
		return 0, false, err
	}
	r.Next, r.Last = next, last
	return n, done, nil
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
