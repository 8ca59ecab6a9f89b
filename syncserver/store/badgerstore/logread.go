package badgerstore

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

var _ store.RawLogReader = (*DB)(nil)

// LogAfter streams visible log entries after a cursor. A scope at township
// level or below reads only the scope index of its township and of its
// ancestors (whose targets it sees); a wider scope reads the whole log.
func (s *DB) LogAfter(ctx context.Context, scope schema.Code, exclude string, after uint64, limit int, visible func(*store.LogEntry) bool, fn func(*store.LogEntry) error) (uint64, error) {
	return s.walkLog(scope, after, limit, exclude, func(seq uint64, raw []byte) (bool, error) {
		var e store.LogEntry
		if err := schema.UnmarshalStored(raw, &e); err != nil {
			return false, fmt.Errorf("read log entry %d: %w", seq, err)
		}
		// The whole-log source does not know the device before
		// reading the entry.
		if (exclude != "" && e.Change.Device == exclude) || !visible(&e) {
			return false, nil
		}
		return true, fn(&e)
	})
}

// LogAfterRaw is LogAfter handing out the changes as stored: it reads
// each entry's change head in place and decodes no fields.
func (s *DB) LogAfterRaw(ctx context.Context, scope schema.Code, exclude string, after uint64, limit int, visible func(*store.LogEntry) bool, fn func(seq uint64, change []byte) error) (uint64, error) {
	var heads schema.HeadReader
	// One entry for the walk: visible must not keep it (RawLogReader).
	e := new(store.LogEntry)
	return s.walkLog(scope, after, limit, exclude, func(seq uint64, raw []byte) (bool, error) {
		*e = store.LogEntry{Seq: seq}
		change, head, ok := heads.EntryChange(raw, 2)
		e.Change = head
		if !ok {
			// Not in the shape the encoders write: decode it whole
			// and send it encoded again.
			if err := schema.UnmarshalStored(raw, e); err != nil {
				return false, fmt.Errorf("read log entry %d: %w", seq, err)
			}
			var err error
			if change, err = schema.Marshal(&e.Change); err != nil {
				return false, fmt.Errorf("encode log entry %d: %w", seq, err)
			}
		}
		if (exclude != "" && e.Change.Device == exclude) || !visible(e) {
			return false, nil
		}
		return true, fn(seq, change)
	})
}

// walkLog calls each, in sequence order, with the stored bytes (valid
// only during the call) of the log entries after the cursor that the
// scope's source yields and whose device is not exclude, until each has
// passed limit of them; it returns the cursor to continue from.
func (s *DB) walkLog(scope schema.Code, after uint64, limit int, exclude string, each func(seq uint64, raw []byte) (passed bool, err error)) (uint64, error) {
	cursor := after
	err := s.db.View(func(txn *badger.Txn) error {
		head, err := readHead(txn)
		if err != nil {
			return err
		}
		if head <= after {
			cursor = head
			return nil
		}
		var next seqSource
		if t := scope.Ancestor(schema.LevelTownship); t != "" {
			codes := []schema.Code{t}
			for c := t.Parent(); c != ""; c = c.Parent() {
				codes = append(codes, c)
			}
			next = s.indexedSeqs(txn, codes, after, exclude)
		} else {
			next = s.globalSeqs(txn, after)
		}
		defer next(true)
		log := newLogReader(txn)
		defer log.close()
		passed := 0
		for {
			seq, excluded, ok := next(false)
			if !ok {
				cursor = head
				return nil
			}
			cursor = seq
			if excluded {
				continue
			}
			var p bool
			err := log.value(seq, func(raw []byte) (err error) {
				p, err = each(seq, raw)
				return err
			})
			if err != nil {
				return err
			}
			if p {
				if passed++; passed >= limit {
					return nil
				}
			}
		}
	})
	if err != nil {
		return after, fmt.Errorf("read log after %d: %w", after, err)
	}
	return cursor, nil
}

// logReader reads log entries by sequence through one iterator. The
// sequences asked for only grow and a scope's entries lie close together,
// so stepping forward costs less than a lookup per entry, which searched
// every level and decompressed a block for each.
type logReader struct{ it *badger.Iterator }

// nearSteps is how far logReader steps forward before it seeks instead.
const nearSteps = 8

func newLogReader(txn *badger.Txn) *logReader {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = []byte(pLog)
	return &logReader{it: txn.NewIterator(opts)}
}

func (r *logReader) close() { r.it.Close() }

// value calls fn with the stored entry seq, valid only during the call;
// seq must not be below the one asked for before.
func (r *logReader) value(seq uint64, fn func([]byte) error) error {
	it := r.it
	for i := 0; i < nearSteps && it.Valid() && seqOf(it.Item().Key()) < seq; i++ {
		it.Next()
	}
	if !it.Valid() || seqOf(it.Item().Key()) < seq {
		it.Seek(logKey(seq))
	}
	if !it.Valid() || seqOf(it.Item().Key()) != seq {
		return fmt.Errorf("read log entry %d: %w", seq, badger.ErrKeyNotFound)
	}
	return it.Item().Value(fn)
}

// seqSource yields log sequences in increasing order, and excluded when
// the source knows cheaply that the change is the excluded device's;
// called with true it releases its iterators.
type seqSource func(closeIt bool) (seq uint64, excluded bool, ok bool)

func (s *DB) globalSeqs(txn *badger.Txn, after uint64) seqSource {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = []byte(pLog)
	it := txn.NewIterator(opts)
	it.Seek(logKey(after + 1))
	return func(closeIt bool) (uint64, bool, bool) {
		if closeIt {
			it.Close()
			return 0, false, false
		}
		if !it.Valid() {
			return 0, false, false
		}
		seq := seqOf(it.Item().Key())
		it.Next()
		return seq, false, true
	}
}

// indexedSeqs merges the scope index streams of several codes by
// sequence; an entry is excluded when its index value names exclude.
func (s *DB) indexedSeqs(txn *badger.Txn, codes []schema.Code, after uint64, exclude string) seqSource {
	its := make([]*badger.Iterator, len(codes))
	for i, c := range codes {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = scopePrefix(c)
		its[i] = txn.NewIterator(opts)
		its[i].Seek(scopeKey(c, after+1))
	}
	return func(closeIt bool) (uint64, bool, bool) {
		if closeIt {
			for _, it := range its {
				it.Close()
			}
			return 0, false, false
		}
		best := -1
		var bestSeq uint64
		for i, it := range its {
			if !it.Valid() {
				continue
			}
			if seq := seqOf(it.Item().Key()); best < 0 || seq < bestSeq {
				best, bestSeq = i, seq
			}
		}
		if best < 0 {
			return 0, false, false
		}
		// Index entries written before they named the device have an
		// empty value; those changes are read and filtered as usual.
		excluded := false
		if exclude != "" {
			its[best].Item().Value(func(v []byte) error { excluded = string(v) == exclude; return nil })
		}
		its[best].Next()
		return bestSeq, excluded, true
	}
}
