// Package badgerstore is the sync server's embedded store on Badger, the
// default backend of store.Store.
package badgerstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// DB is a store.Store on Badger.
type DB struct {
	db *badger.DB
	// key is the master key the store was opened with (nil when plain):
	// a backup of an encrypted store is encrypted with it.
	key []byte
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) a plain store in dir: OpenWith with
// only a logger. An encrypted store fails with store.ErrKeyRequired.
func Open(dir string, log *slog.Logger) (*DB, error) {
	return OpenWith(dir, Options{Logger: log})
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Record returns a record by kind and id.
func (s *DB) Record(ctx context.Context, kind schema.Kind, id string) (*schema.Record, error) {
	var rec *schema.Record
	err := s.db.View(func(txn *badger.Txn) (err error) {
		rec, err = readRecord(txn, kind, id)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("record %s %s: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read record %s %s: %w", kind, id, err)
	}
	return rec, nil
}

// readRecord reads a record through its index entry; badger.ErrKeyNotFound
// when there is none.
func readRecord(txn *badger.Txn, kind schema.Kind, id string) (*schema.Record, error) {
	it, err := txn.Get(indexKey(kind, id))
	if err != nil {
		return nil, err
	}
	unit, err := it.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	rec := new(schema.Record)
	return rec, getCBOR(txn, recordKey(schema.Code(unit), kind, id), rec)
}

// ScanRecords iterates the records under a unit prefix.
func (s *DB) ScanRecords(ctx context.Context, prefix schema.Code, fn func(*schema.Record) error) error {
	return s.eachRecord(ctx, prefix, true, func(item *badger.Item) error {
		var rec schema.Record
		if err := item.Value(func(v []byte) error { return schema.UnmarshalStored(v, &rec) }); err != nil {
			return fmt.Errorf("decode record %q: %w", item.Key(), err)
		}
		return fn(&rec)
	})
}

// eachRecord calls fn with the item of every record under a unit prefix,
// in key order, in one read transaction, checking ctx every few thousand
// records so a cancelled report stops early. prefetch has Badger read
// values ahead of the iterator, which pays when every value is decoded
// anyway; a reader that parses values in place does better without (see
// ScanRecordsRaw). An error from fn ends the scan and is returned as is.
func (s *DB) eachRecord(ctx context.Context, prefix schema.Code, prefetch bool, fn func(*badger.Item) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(pRecord + string(prefix))
		opts.PrefetchValues = prefetch
		if prefetch {
			opts.PrefetchSize = 256
		}
		it := txn.NewIterator(opts)
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := fn(it.Item()); err != nil {
				return err
			}
		}
		return nil
	})
}

// LogHead returns the newest log sequence.
func (s *DB) LogHead(ctx context.Context) (uint64, error) {
	var head uint64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		head, err = readHead(txn)
		return err
	})
	return head, err
}

func readHead(txn *badger.Txn) (uint64, error) {
	it, err := txn.Get([]byte(kHead))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read log head: %w", err)
	}
	var head uint64
	err = it.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("log head has %d bytes", len(v))
		}
		head = binary.BigEndian.Uint64(v)
		return nil
	})
	return head, err
}

// Refused returns a device's recorded refusals with seq in [from, to].
func (s *DB) Refused(ctx context.Context, device string, from, to uint64) ([]schema.Rejection, error) {
	var out []schema.Rejection
	err := s.db.View(func(txn *badger.Txn) (err error) {
		out, err = readRefused(txn, device, from, to)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read refusals of %s: %w", device, err)
	}
	return out, nil
}

func readRefused(txn *badger.Txn, device string, from, to uint64) ([]schema.Rejection, error) {
	var out []schema.Rejection
	opts := badger.DefaultIteratorOptions
	opts.Prefix = refusedPrefix(device)
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(refusedKey(device, from)); it.Valid(); it.Next() {
		if seqOf(it.Item().Key()) > to {
			break
		}
		var r schema.Rejection
		if err := it.Item().Value(func(v []byte) error { return schema.UnmarshalStored(v, &r) }); err != nil {
			return nil, fmt.Errorf("decode refusal %q: %w", it.Item().Key(), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Mark returns a device's mark.
func (s *DB) Mark(ctx context.Context, device string) (store.Mark, error) {
	var m store.Mark
	err := s.db.View(func(txn *badger.Txn) error { return getCBOR(txn, []byte(pMark+device), &m) })
	if errors.Is(err, badger.ErrKeyNotFound) {
		return store.Mark{}, nil
	}
	if err != nil {
		return m, fmt.Errorf("read mark of %s: %w", device, err)
	}
	return m, nil
}

// Marks returns every device's mark.
func (s *DB) Marks(ctx context.Context) (map[string]store.Mark, error) {
	out := map[string]store.Mark{}
	err := eachCBOR(s.db, pMark, func(id string, m store.Mark) { out[id] = m })
	return out, err
}

// Device returns a device by id.
func (s *DB) Device(ctx context.Context, id string) (store.Device, error) {
	var d store.Device
	err := s.db.View(func(txn *badger.Txn) error { return getCBOR(txn, []byte(pDevice+id), &d) })
	if errors.Is(err, badger.ErrKeyNotFound) {
		return d, fmt.Errorf("device %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read device %s: %w", id, err)
	}
	return d, nil
}

// PutDevice writes a device, durably.
func (s *DB) PutDevice(ctx context.Context, d store.Device) error {
	return s.db.Update(func(txn *badger.Txn) error { return setCBOR(txn, []byte(pDevice+d.ID), d) })
}

// Devices lists every device ordered by id.
func (s *DB) Devices(ctx context.Context) ([]store.Device, error) {
	var out []store.Device
	err := eachCBOR(s.db, pDevice, func(_ string, d store.Device) { out = append(out, d) })
	return out, err
}

// PutEnrollCode stores a one-time enrolment code.
func (s *DB) PutEnrollCode(ctx context.Context, hash []byte, c store.EnrollCode) error {
	return s.db.Update(func(txn *badger.Txn) error { return setCBOR(txn, codeKey(hash), c) })
}

// TakeEnrollCode reads and deletes a code atomically. Badger's optimistic
// transactions make two concurrent takes of the same code conflict, so only
// one of them succeeds.
func (s *DB) TakeEnrollCode(ctx context.Context, hash []byte) (store.EnrollCode, error) {
	var c store.EnrollCode
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := getCBOR(txn, codeKey(hash), &c); err != nil {
			return err
		}
		return txn.Delete(codeKey(hash))
	})
	if errors.Is(err, badger.ErrKeyNotFound) || errors.Is(err, badger.ErrConflict) {
		return c, fmt.Errorf("enrolment code: %w", store.ErrNotFound)
	}
	return c, err
}

func codeKey(hash []byte) []byte { return []byte(pCode + hex.EncodeToString(hash)) }

// PutUnits writes units in batches.
func (s *DB) PutUnits(ctx context.Context, units []schema.Unit) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, u := range units {
		b, err := schema.Marshal(u)
		if err != nil {
			return fmt.Errorf("encode unit %s: %w", u.Code, err)
		}
		if err := wb.Set([]byte(pUnit+string(u.Code)), b); err != nil {
			return fmt.Errorf("write unit %s: %w", u.Code, err)
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("write %d units: %w", len(units), err)
	}
	return s.db.Sync()
}

// Units iterates the stored units by code.
func (s *DB) Units(ctx context.Context, fn func(schema.Unit) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(pUnit)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var u schema.Unit
			if err := it.Item().Value(func(v []byte) error { return schema.UnmarshalStored(v, &u) }); err != nil {
				return fmt.Errorf("decode unit %q: %w", it.Item().Key(), err)
			}
			if err := fn(u); err != nil {
				return err
			}
		}
		return nil
	})
}

func setCBOR(txn *badger.Txn, key []byte, v any) error {
	b, err := schema.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

func getCBOR(txn *badger.Txn, key []byte, v any) error {
	it, err := txn.Get(key)
	if err != nil {
		return err
	}
	return it.Value(func(b []byte) error { return schema.UnmarshalStored(b, v) })
}

// slogLogger adapts Badger's logger to slog. Badger is chatty at info
// level about compactions; only warnings and errors are worth a line.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Errorf(f string, a ...any)   { s.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...))) }
func (s slogLogger) Warningf(f string, a ...any) { s.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...))) }
func (s slogLogger) Infof(f string, a ...any)    { s.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...))) }
func (s slogLogger) Debugf(f string, a ...any)   {}
