package agent

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Refill is what the device did when it met a server restored from an
// older copy of its store, kept for Status (the app and `agent status`
// say it).
type Refill struct {
	At time.Time `cbor:"1,keyasint"`
	// ServerMark is the restored server's high-water mark for this
	// device; Acked what the device knew the server had acked before.
	ServerMark uint64 `cbor:"2,keyasint"`
	Acked      uint64 `cbor:"3,keyasint"`
	// NewIncarnation: the server's store has another incarnation id than
	// at the last sync (a restore said so), not only a lower mark.
	NewIncarnation bool `cbor:"4,keyasint,omitempty"`
	// Reoffered counts the kept acked changes queued again; Reparked the
	// refused (parked) ones offered again, since the server forgot its
	// refusals with them.
	Reoffered int `cbor:"5,keyasint,omitempty"`
	Reparked  int `cbor:"6,keyasint,omitempty"`
	// Lost counts the sequence numbers after the server's mark the device
	// could not offer again: acked longer ago than the retention window
	// (or parked and then discarded). The changes after them were
	// renumbered to follow the server's mark.
	//
	// They are not re-derived from the records: a change has one stamp,
	// and what a record still holds of it is only the fields later edits
	// did not replace; offered alone, the first such part of a new record
	// would lack what a new record needs and be refused. The device says
	// how many instead (Zh, String).
	Lost int `cbor:"7,keyasint,omitempty"`
}

// Incarnation returns the server store's incarnation id the device saw at
// its last sync; "" before the first sync with a server that says it.
func (s *Store) Incarnation() (string, error) {
	var id string
	err := s.db.View(func(txn *badger.Txn) (err error) {
		id, err = getString(txn, metaIncarn)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("read server incarnation: %w", err)
	}
	return id, nil
}

// SetIncarnation records the server store's incarnation id.
func (s *Store) SetIncarnation(id string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(metaIncarn, []byte(id)) }); err != nil {
		return fmt.Errorf("save server incarnation: %w", err)
	}
	return nil
}

// RefillPending returns the refill a crash interrupted: the sync client
// finishes it (Refill with the same mark) before anything else. (The last
// refill done is Status's LastRefill.)
func (s *Store) RefillPending() (r Refill, pending bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		pending, err = getCBOR(txn, metaRefilling, &r)
		return err
	})
	if err != nil {
		return Refill{}, false, fmt.Errorf("read refill in progress: %w", err)
	}
	return r, pending, nil
}

// Refill prepares the outbox for a server restored from an older copy
// whose high-water mark for this device is mark: the acked changes the
// device keeps after mark, and the parked ones (the server forgot its
// refusals too), go back into the outbox under their own sequence
// numbers; where some are missing (acked before the retention window) the
// queue is renumbered to follow mark without a hole, since the server
// takes a device's changes only in gapless order. The download cursor
// goes back to 0: the restored log was written anew after its backup, so
// positions in the old one mean nothing. incarnation, when not "", is
// recorded as the server's.
//
// Every step is idempotent and the whole is resumable: a crash midway
// leaves RefillPending set, and calling Refill again with the same mark
// finishes it. Re-offered changes keep their stamps and values, so the
// server merges them exactly as it did before it lost them.
func (s *Store) Refill(mark uint64, incarnation string, newIncarnation bool) (Refill, error) {
	r, err := s.startRefill(mark, incarnation, newIncarnation)
	if err != nil {
		return Refill{}, fmt.Errorf("refill after server mark %d: %w", mark, err)
	}
	if r.Reoffered, err = s.requeue(prefixKept, mark, keptRaw); err != nil {
		return Refill{}, fmt.Errorf("refill after server mark %d: %w", mark, err)
	}
	if r.Reparked, err = s.requeue(prefixParked, mark, func(v []byte) ([]byte, error) {
		var p Parked
		if err := schema.UnmarshalStored(v, &p); err != nil {
			return nil, err
		}
		return schema.Marshal(&p.Change)
	}); err != nil {
		return Refill{}, fmt.Errorf("refill after server mark %d: %w", mark, err)
	}
	if err := s.closeGaps(&r); err != nil {
		return Refill{}, fmt.Errorf("refill after server mark %d: %w", mark, err)
	}
	s.log.Warn("server was restored from an older copy; acked changes offered again",
		"server_mark", r.ServerMark, "acked", r.Acked, "new_incarnation", r.NewIncarnation,
		"reoffered", r.Reoffered, "reparked", r.Reparked, "lost", r.Lost)
	return r, nil
}

// startRefill records the refill in progress (or takes up the one a
// crash left), moves the acked mark back to the server's, and resets the
// download cursor.
func (s *Store) startRefill(mark uint64, incarnation string, newIncarnation bool) (Refill, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var r Refill
	err := s.update(func(txn *badger.Txn) error {
		found, err := getCBOR(txn, metaRefilling, &r)
		if err != nil || found && r.ServerMark == mark {
			return err
		}
		acked, err := getUint(txn, metaAcked)
		if err != nil {
			return err
		}
		r = Refill{At: s.now().UTC(), ServerMark: mark, Acked: acked, NewIncarnation: newIncarnation}
		if err := setCBOR(txn, metaRefilling, r); err != nil {
			return err
		}
		if err := setCBOR(txn, metaAcked, min(acked, mark)); err != nil {
			return err
		}
		// Seqs after the mark are issued again; pruning must find the
		// changes kept under them later.
		pruned, err := getUint(txn, metaPruned)
		if err != nil {
			return err
		}
		if err := setCBOR(txn, metaPruned, min(pruned, mark)); err != nil {
			return err
		}
		if incarnation != "" {
			if err := txn.Set(metaIncarn, []byte(incarnation)); err != nil {
				return err
			}
		}
		return setCBOR(txn, metaCursor, uint64(0))
	})
	return r, err
}

// requeue moves the entries under prefix with seq > mark into the outbox
// at the same seq, value turned into the change's encoding by change, in
// chunks of what fits a transaction (txnBudget); it returns how many
// moved. Each entry moves whole within one chunk (set in the outbox,
// deleted under prefix), so a crash between chunks leaves the rest under
// prefix for the Refill that resumes.
func (s *Store) requeue(prefix string, mark uint64, change func([]byte) ([]byte, error)) (int, error) {
	moved := 0
	for {
		n, full, err := s.requeueChunk(prefix, mark, change)
		moved += n
		if err != nil || !full {
			return moved, err
		}
	}
}

func (s *Store) requeueChunk(prefix string, mark uint64, change func([]byte) ([]byte, error)) (n int, full bool, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.update(func(txn *badger.Txn) error {
		b := s.budget()
		err := scanSeq(txn, prefix, mark+1, func(seq uint64, v []byte) (bool, error) {
			raw, err := change(v)
			if err != nil {
				return false, fmt.Errorf("decode %s%d: %w", prefix, seq, err)
			}
			out, from := outboxKey(seq), seqKey(prefix, seq)
			if !b.take(write{len(out), len(raw)}, write{key: len(from)}) {
				full = true
				return false, nil
			}
			if err := txn.Set(out, raw); err != nil {
				return false, err
			}
			if err := txn.Delete(from); err != nil {
				return false, err
			}
			n++
			return true, nil
		})
		if err == nil && full && n == 0 {
			err = fmt.Errorf("%s entry after %d: %w", prefix, mark, errItemTooBig)
		}
		return err
	})
	if err != nil {
		n = 0
	}
	return n, full, err
}

// closeGaps renumbers the outbox after the server's mark to follow it
// without a hole, keeping order, in chunks of what fits a transaction
// (txnBudget). A chunk that stopped midway leaves a prefix already in
// place, which the next run passes over, so running it again gives the
// same result. The last chunk, under the write lock, sets the device's
// sequence to the last renumbered change (new writes continue after it),
// counts the sequence numbers dropped as lost, and records the refill as
// done.
func (s *Store) closeGaps(r *Refill) error {
	next := r.ServerMark + 1
	for {
		done, err := s.closeGapsChunk(r, &next)
		if err != nil || done {
			return err
		}
	}
}

func (s *Store) closeGapsChunk(r *Refill, next *uint64) (done bool, err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	pos := *next
	err = s.update(func(txn *badger.Txn) error {
		b := s.budget()
		moved, full := 0, false
		err := scanSeq(txn, prefixOutbox, pos, func(seq uint64, raw []byte) (bool, error) {
			if seq != pos {
				ch, err := renumbered(seq, pos, raw)
				if err != nil {
					return false, err
				}
				k := outboxKey(seq)
				if !b.take(write{len(k), len(ch)}, write{key: len(k)}) {
					full = true
					return false, nil
				}
				if err := txn.Set(outboxKey(pos), ch); err != nil {
					return false, err
				}
				if err := txn.Delete(k); err != nil {
					return false, err
				}
				moved++
			}
			pos++
			return true, nil
		})
		if err == nil && full && moved == 0 {
			err = fmt.Errorf("outbox entry %d: %w", pos, errItemTooBig)
		}
		if err != nil || full {
			return err
		}
		done = true
		last := pos - 1
		if s.seq > last {
			r.Lost = int(s.seq - last)
		}
		if err := setCBOR(txn, metaSeq, last); err != nil {
			return err
		}
		if err := txn.Delete(metaRefilling); err != nil {
			return err
		}
		return setCBOR(txn, metaRefill, r)
	})
	if err != nil {
		return false, fmt.Errorf("renumber the outbox after %d: %w", r.ServerMark, err)
	}
	*next = pos
	if done {
		s.seq = pos - 1
	}
	return done, nil
}

// renumbered is the outbox change raw (at seq from) encoded for seq to.
func renumbered(from, to uint64, raw []byte) ([]byte, error) {
	ch, err := Queued{Seq: from, Raw: raw}.Change()
	if err != nil {
		return nil, err
	}
	ch.Seq = to
	b, err := schema.Marshal(&ch)
	if err != nil {
		return nil, fmt.Errorf("encode outbox %d as %d: %w", from, to, err)
	}
	return b, nil
}

// String says in English what the refill did, for logs and `agent status`.
func (r Refill) String() string {
	s := fmt.Sprintf("found %s: server mark %d below acked %d; %d changes offered again",
		r.At.Local().Format(time.DateTime), r.ServerMark, r.Acked, r.Reoffered+r.Reparked)
	if r.NewIncarnation {
		s = fmt.Sprintf("found %s: server store has a new incarnation (mark %d, acked %d); %d changes offered again",
			r.At.Local().Format(time.DateTime), r.ServerMark, r.Acked, r.Reoffered+r.Reparked)
	}
	if r.Reparked > 0 {
		s += fmt.Sprintf(" (%d refused before)", r.Reparked)
	}
	if r.Lost > 0 {
		s += fmt.Sprintf("; %d could not be: acked longer ago than the retention window, or discarded", r.Lost)
	}
	return s
}

// Zh says in Chinese what the refill did, for the app's sync tab.
func (r Refill) Zh() string {
	s := fmt.Sprintf("服务器已从备份恢复（%s 发现），已重新上传 %d 条更改", r.At.Local().Format("2006-01-02 15:04"), r.Reoffered+r.Reparked)
	if r.Lost > 0 {
		s += fmt.Sprintf("；另有 %d 条更改确认时间早于保留期（或已放弃），无法重新上传，请联系区县核对", r.Lost)
	}
	return s
}
