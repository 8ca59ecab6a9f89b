package agent

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Outbox returns up to limit queued changes with seq > afterSeq, in seq
// order. limit <= 0 means all.
func (s *Store) Outbox(afterSeq uint64, limit int) ([]schema.Change, error) {
	qs, err := s.Queue(afterSeq, limit)
	if err != nil {
		return nil, err
	}
	out := make([]schema.Change, len(qs))
	for i, q := range qs {
		if out[i], err = q.Change(); err != nil {
			return nil, fmt.Errorf("read outbox after %d: %w", afterSeq, err)
		}
	}
	return out, nil
}

// Queued is an outbox entry as stored: its seq and its change encoded as
// schema.Marshal encodes it, which an upload frame carries as it is
// (schema.Upload.Encoded).
type Queued struct {
	Seq uint64
	Raw []byte
}

// Change decodes the entry.
func (q Queued) Change() (schema.Change, error) {
	var ch schema.Change
	if err := schema.UnmarshalStored(q.Raw, &ch); err != nil {
		return schema.Change{}, fmt.Errorf("decode outbox %d: %w", q.Seq, err)
	}
	return ch, nil
}

// Stamp reads the change's stamp, without decoding its fields when it
// can.
func (q Queued) Stamp() (schema.Stamp, error) {
	if stamp, ok := schema.ChangeStamp(q.Raw); ok {
		return stamp, nil
	}
	ch, err := q.Change()
	return ch.Stamp, err
}

// Queue is Outbox without decoding the changes: what a sync sends.
func (s *Store) Queue(afterSeq uint64, limit int) ([]Queued, error) {
	var out []Queued
	err := s.db.View(func(txn *badger.Txn) error {
		return scanSeq(txn, prefixOutbox, afterSeq+1, func(seq uint64, raw []byte) (bool, error) {
			out = append(out, Queued{Seq: seq, Raw: raw})
			return limit <= 0 || len(out) < limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox after %d: %w", afterSeq, err)
	}
	return out, nil
}

// scanSeq walks o/ or p/ entries from seq from, until fn says stop.
func scanSeq(txn *badger.Txn, prefix string, from uint64, fn func(seq uint64, raw []byte) (more bool, err error)) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = []byte(prefix)
	opts.PrefetchSize = 32
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(seqKey(prefix, from)); it.ValidForPrefix(opts.Prefix); it.Next() {
		seq, err := seqFromKey(it.Item().Key())
		if err != nil {
			return err
		}
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("read %s%d: %w", prefix, seq, err)
		}
		more, err := fn(seq, raw)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Release takes the outbox entries up to uptoSeq out of the outbox once the
// server has said they are durable, and records that high-water mark. Call
// it only after the server's ack: a released change is not sent again,
// unless the server turns out to have lost it (restored from an older
// backup, see Refill), which is why released changes are kept on disk for
// the retention window (kept.go).
//
// A long backlog is released in several transactions, each as many entries
// as fit Badger's limit (txnBudget). That is safe at every boundary: every
// entry deleted was acked, and each is kept in the same transaction that
// deletes it; the acked mark moves only with the last chunk, so a crash
// before it makes the next Release (or the next sync's) do the rest.
func (s *Store) Release(uptoSeq uint64) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if uptoSeq > s.seq {
		// The server holds changes this device no longer remembers issuing:
		// the store was restored from a backup or copied. Issuing those
		// numbers again would make the server drop the new changes as
		// duplicates, so continue after the server's mark.
		s.log.Warn("server high-water mark is ahead of the local sequence; continuing after it",
			"local_seq", s.seq, "server_high_water", uptoSeq)
		if err := s.update(func(txn *badger.Txn) error { return setCBOR(txn, metaSeq, uptoSeq) }); err != nil {
			return fmt.Errorf("release up to %d: %w", uptoSeq, err)
		}
		s.seq = uptoSeq
	}
	// Every entry up to the last released mark is gone already; starting
	// there, and each chunk where the one before stopped, keeps a long sync
	// from walking the deleted keys of earlier batches again (quadratic in
	// the backlog).
	from, err := s.Acked()
	if err != nil {
		return fmt.Errorf("release up to %d: %w", uptoSeq, err)
	}
	if uptoSeq <= from {
		// Released already: every sync starts by releasing up to the
		// server's mark, which most often has not moved, and writing the
		// same marks again would cost an fsync for nothing. Only kept
		// changes past their retention are still to go.
		if due, err := s.pruneDue(); err != nil || !due {
			return err
		}
	}
	for {
		var done bool
		err := s.update(func(txn *badger.Txn) (err error) {
			from, done, err = s.releaseChunk(txn, from, uptoSeq)
			return err
		})
		if err != nil {
			return fmt.Errorf("release up to %d: %w", uptoSeq, err)
		}
		if done {
			return nil
		}
	}
}

// releaseChunk releases in txn the outbox entries after from up to
// uptoSeq that fit one transaction, and prunes kept changes with the room
// left. It returns the last seq it released (from when none) and whether
// it reached uptoSeq (and so set the acked mark).
func (s *Store) releaseChunk(txn *badger.Txn, from, uptoSeq uint64) (last uint64, done bool, err error) {
	b := s.budget()
	var keys [][]byte
	var raws [][]byte
	var maxStamp schema.Stamp
	last = from
	full := false
	err = scanSeq(txn, prefixOutbox, from+1, func(seq uint64, raw []byte) (bool, error) {
		if seq > uptoSeq {
			return false, nil
		}
		k := outboxKey(seq)
		if !b.take(write{key: len(k)}, keepWrite(raw)) {
			full = true
			return false, nil
		}
		stamp, err := Queued{Seq: seq, Raw: raw}.Stamp()
		if err != nil {
			return false, err
		}
		maxStamp = max(maxStamp, stamp)
		keys = append(keys, k)
		raws = append(raws, raw)
		last = seq
		return true, nil
	})
	if err != nil {
		return from, false, err
	}
	if full && len(keys) == 0 {
		return from, false, fmt.Errorf("outbox entry after %d: %w", from, errItemTooBig)
	}
	for i, k := range keys {
		if err := txn.Delete(k); err != nil {
			return from, false, err
		}
		if err := s.keep(txn, k, raws[i]); err != nil {
			return from, false, err
		}
	}
	if err := s.pruneKept(txn, &b); err != nil {
		return from, false, err
	}
	// The stamps of accepted changes bound how far back Restamp may
	// reset the clock.
	prev, err := getUint(txn, metaAckedStamp)
	if err != nil {
		return from, false, err
	}
	if err := setCBOR(txn, metaAckedStamp, max(prev, uint64(maxStamp))); err != nil {
		return from, false, err
	}
	if full {
		return last, false, nil
	}
	acked, err := getUint(txn, metaAcked)
	if err != nil {
		return from, false, err
	}
	return last, true, setCBOR(txn, metaAcked, max(acked, uptoSeq))
}

// Acked returns the server's durable high-water mark for this device, as
// last released.
func (s *Store) Acked() (uint64, error) {
	var n uint64
	err := s.db.View(func(txn *badger.Txn) (err error) {
		n, err = getUint(txn, metaAcked)
		return err
	})
	return n, err
}

// Parked is a change the server refused, kept with its reason until the
// user corrects or discards it.
type Parked struct {
	Change    schema.Change    `cbor:"1,keyasint"`
	Rejection schema.Rejection `cbor:"2,keyasint"`
	ParkedAt  time.Time        `cbor:"3,keyasint"`
}

// Park moves a refused change out of the outbox into the parked list, so it
// never blocks the queue and is never lost. The local record keeps the
// change's values, so the user sees what was refused where they entered it.
func (s *Store) Park(ch schema.Change, rej schema.Rejection) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	p := Parked{Change: ch, Rejection: rej, ParkedAt: s.now().UTC()}
	err := s.update(func(txn *badger.Txn) error {
		if err := txn.Delete(outboxKey(ch.Seq)); err != nil {
			return err
		}
		return setCBOR(txn, parkedKey(ch.Seq), p)
	})
	if err != nil {
		return fmt.Errorf("park change %d: %w", ch.Seq, err)
	}
	return nil
}

// Parked returns the parked changes in seq order.
func (s *Store) Parked() ([]Parked, error) {
	var out []Parked
	err := s.db.View(func(txn *badger.Txn) error {
		return scanSeq(txn, prefixParked, 0, func(seq uint64, raw []byte) (bool, error) {
			var p Parked
			if err := schema.UnmarshalStored(raw, &p); err != nil {
				return false, fmt.Errorf("decode parked %d: %w", seq, err)
			}
			out = append(out, p)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read parked changes: %w", err)
	}
	return out, nil
}

// Unpark sends a parked change again, after the user corrected the record
// or the cause went away (say, the device's scope was widened). The server
// has already counted the old sequence number, so the change is re-issued
// as a new change with a new seq and stamp, carrying the record's current
// values of the fields the parked change set (corrections included). It is
// validated like any local write; if it still fails it stays parked and the
// *schema.ValidationError is returned.
func (s *Store) Unpark(seq uint64) (*schema.Change, error) {
	var ch *schema.Change
	err := s.write(func(w *writer) error {
		var p Parked
		found, err := getCBOR(w.txn, parkedKey(seq), &p)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		cur, err := loadRecord(w.txn, p.Change.Kind, p.Change.ID)
		if err != nil {
			return err
		}
		if cur == nil {
			return fmt.Errorf("record %s %s is gone", p.Change.Kind, p.Change.ID)
		}
		ch = &schema.Change{Kind: cur.Kind, ID: cur.ID, Unit: cur.Unit, Delete: p.Change.Delete}
		if len(p.Change.Set) > 0 {
			ch.Set = schema.Fields{}
			for name := range p.Change.Set {
				if v, ok := cur.Fields[name]; ok {
					ch.Set[name] = v
				}
			}
		}
		if !ch.Delete && len(ch.Set) == 0 {
			// Nothing of it is left to send.
			ch = nil
			w.n++ // commit the removal below
			return w.txn.Delete(parkedKey(seq))
		}
		if err := w.stage(cur, ch, nil); err != nil {
			return err
		}
		return w.txn.Delete(parkedKey(seq))
	})
	if err != nil {
		return nil, fmt.Errorf("unpark change %d: %w", seq, err)
	}
	return ch, nil
}

// Discard drops a parked change for good. When the change created its
// record and nothing else ever touched it (an entry refused outright), the
// record goes too, since no server has it. Otherwise the record keeps the
// refused values until the user edits them; there is no older value to go
// back to, because the store keeps merged state, not history.
func (s *Store) Discard(seq uint64) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.update(func(txn *badger.Txn) error {
		var p Parked
		found, err := getCBOR(txn, parkedKey(seq), &p)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if err := txn.Delete(parkedKey(seq)); err != nil {
			return err
		}
		rec, err := loadRecord(txn, p.Change.Kind, p.Change.ID)
		if err != nil || rec == nil || !onlyVersion(rec, p.Change.Version()) {
			return err
		}
		if err := txn.Delete(recordKey(rec.Kind, rec.Unit, rec.ID)); err != nil {
			return err
		}
		if err := txn.Delete(indexKey(rec.Kind, rec.ID)); err != nil {
			return err
		}
		if rec.Kind == schema.KindVisit {
			var v schema.Visit
			if err := rec.Decode(&v); err == nil && v.Person != "" {
				return txn.Delete(visitKey(v.Person, rec.ID))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("discard parked change %d: %w", seq, err)
	}
	return nil
}

// onlyVersion reports whether every write the record holds is ver.
func onlyVersion(rec *schema.Record, ver schema.Version) bool {
	if !rec.Deleted.IsZero() && rec.Deleted != ver {
		return false
	}
	for _, v := range rec.Versions {
		if v != ver {
			return false
		}
	}
	return true
}
