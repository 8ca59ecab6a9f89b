package agent

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// loadMeta reads the device identity, sequence and clock, making the
// identity on first open.
func (s *Store) loadMeta() error {
	return s.db.Update(func(txn *badger.Txn) error {
		dev, err := getString(txn, metaDevice)
		if err != nil {
			return err
		}
		if dev == "" {
			dev = schema.NewID()
			if err := txn.Set(metaDevice, []byte(dev)); err != nil {
				return fmt.Errorf("save device id: %w", err)
			}
		}
		s.device = dev
		if s.seq, err = getUint(txn, metaSeq); err != nil {
			return err
		}
		off, err := getInt(txn, metaOffset)
		if err != nil {
			return err
		}
		s.clock.SetOffset(time.Duration(off))
		last, err := getUint(txn, metaClock)
		if err != nil {
			return err
		}
		// The persisted stamp keeps stamps increasing across restarts even
		// when the laptop's clock was set back in between.
		s.clock.Observe(schema.Stamp(last))
		return nil
	})
}

// getRaw returns a copy of the value at k, or nil when absent.
func getRaw(txn *badger.Txn, k []byte) ([]byte, error) {
	it, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", k, err)
	}
	v, err := it.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", k, err)
	}
	return v, nil
}

func getString(txn *badger.Txn, k []byte) (string, error) {
	v, err := getRaw(txn, k)
	return string(v), err
}

// getCBOR decodes the value at k into v; found is false when absent.
func getCBOR(txn *badger.Txn, k []byte, v any) (found bool, err error) {
	raw, err := getRaw(txn, k)
	if err != nil || raw == nil {
		return false, err
	}
	if err := schema.UnmarshalStored(raw, v); err != nil {
		return false, fmt.Errorf("decode %s: %w", k, err)
	}
	return true, nil
}

func getUint(txn *badger.Txn, k []byte) (uint64, error) {
	var n uint64
	_, err := getCBOR(txn, k, &n)
	return n, err
}

func getInt(txn *badger.Txn, k []byte) (int64, error) {
	var n int64
	_, err := getCBOR(txn, k, &n)
	return n, err
}

func setCBOR(txn *badger.Txn, k []byte, v any) error {
	b, err := schema.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k, err)
	}
	if err := txn.Set(k, b); err != nil {
		return fmt.Errorf("write %s: %w", k, err)
	}
	return nil
}

// DeviceID returns the id this device stamps its changes with. It is made
// on first open and never changes, since the server counts the device's
// sequence numbers under it.
func (s *Store) DeviceID() string { return s.device }

// Clock returns the store's hybrid clock. The sync client reads it for
// Hello and sets its offset through Restamp or SetClockOffset, which also
// persist it.
func (s *Store) Clock() *schema.Clock { return s.clock }

// RestampJump is how far forward the correction must move for the
// unsynced changes to be moved with it (Restamp): a clock that was that
// far behind stamped them older than they are, so they would lose to
// edits made elsewhere in the meantime. A clock that was ahead needs no
// restamp at hello: the server refuses such stamps and the client
// restamps what it refused.
const RestampJump = time.Minute

// SetClockOffset records the correction (server time minus local time)
// learned at sync, so stamps use corrected time from now on and after a
// restart. A correction that moves forward by more than RestampJump also
// records, in the same commit, that a Restamp is due (RestampDue): a stop
// between this call and the Restamp must not leave the changes at the old
// time, and the next hello sees no jump any more.
func (s *Store) SetClockOffset(d time.Duration) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	prev := s.clock.Offset()
	if d == prev {
		return nil
	}
	// Stamps up to the clock's last one were made with the previous
	// correction; Restamp needs to know which correction each unsynced
	// change carries to move it to the time it was really made.
	err := s.update(func(txn *badger.Txn) error {
		if err := setCBOR(txn, metaPrevOffset, int64(prev)); err != nil {
			return err
		}
		if err := setCBOR(txn, metaOffsetAt, uint64(s.clock.Last())); err != nil {
			return err
		}
		if d-prev > RestampJump {
			if err := setCBOR(txn, metaRestampDue, uint64(1)); err != nil {
				return err
			}
		}
		return setCBOR(txn, metaOffset, int64(d))
	})
	if err != nil {
		return fmt.Errorf("save clock offset: %w", err)
	}
	s.clock.SetOffset(d)
	return nil
}

// RestampDue reports whether the correction jumped forward (SetClockOffset)
// and neither Restamp nor SkipRestamp has run since.
func (s *Store) RestampDue() (bool, error) {
	var due uint64
	err := s.db.View(func(txn *badger.Txn) (err error) {
		due, err = getUint(txn, metaRestampDue)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read whether a restamp is due: %w", err)
	}
	return due == 1, nil
}

// SkipRestamp says the unsynced changes keep their stamps although the
// correction jumped: used when they are changes the server had accepted
// once (a Refill put them back), whose stamps must not move.
func (s *Store) SkipRestamp() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return txn.Delete(metaRestampDue) }); err != nil {
		return fmt.Errorf("skip restamp: %w", err)
	}
	return nil
}

// ResetCursor makes the next sync download the device's whole scope again.
// After a re-stamp moved this device's unsynced changes back in time,
// downloads merged against the old, too-new stamps may have lost values
// that win now; merging everything again (merge is idempotent) restores
// them.
func (s *Store) ResetCursor() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return setCBOR(txn, metaCursor, uint64(0)) }); err != nil {
		return fmt.Errorf("reset sync cursor: %w", err)
	}
	return nil
}

// Scope returns the unit this device may write, "" until enrolled.
func (s *Store) Scope() (schema.Code, error) {
	var sc string
	err := s.db.View(func(txn *badger.Txn) (err error) {
		sc, err = getString(txn, metaScope)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("read scope: %w", err)
	}
	return schema.Code(sc), nil
}

// SetScope records the unit the server allows this device to write;
// validation refuses local edits outside it from then on.
func (s *Store) SetScope(code schema.Code) error {
	if code != "" {
		if _, ok := s.divs.Lookup(code); !ok {
			return fmt.Errorf("set scope: unknown unit %q (未知的行政区划)", code)
		}
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(metaScope, []byte(code)) }); err != nil {
		return fmt.Errorf("set scope %s: %w", code, err)
	}
	return nil
}

// Cursor returns the server log sequence up to which downloaded changes
// have been applied.
func (s *Store) Cursor() uint64 {
	var c uint64
	if err := s.db.View(func(txn *badger.Txn) (err error) {
		c, err = getUint(txn, metaCursor)
		return err
	}); err != nil {
		// A cursor that cannot be read is a broken store; starting the
		// download from 0 is always safe because merge is idempotent.
		s.log.Error("read sync cursor", "err", err)
		return 0
	}
	return c
}

// Enrollment is what a device keeps after enrolling with a sync server.
type Enrollment struct {
	ServerURL  string    `cbor:"1,keyasint"`
	Token      string    `cbor:"2,keyasint"`
	EnrolledAt time.Time `cbor:"3,keyasint"`
	// CAPEM, when set, is the certificate (PEM) the server's TLS
	// certificate must chain to, for county servers with a self-signed
	// or internal certificate; empty means the system's roots.
	CAPEM []byte `cbor:"4,keyasint,omitempty"`
}

// SetEnrollment stores the server and token. The token is as secret as the
// data it opens; on an encrypted store it is encrypted with it.
func (s *Store) SetEnrollment(e Enrollment) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.update(func(txn *badger.Txn) error { return setCBOR(txn, metaEnroll, e) }); err != nil {
		return fmt.Errorf("save enrollment: %w", err)
	}
	return nil
}

// Enrollment returns the stored enrollment; ok is false before enrolling.
func (s *Store) Enrollment() (e Enrollment, ok bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		ok, err = getCBOR(txn, metaEnroll, &e)
		return err
	})
	if err != nil {
		return Enrollment{}, false, fmt.Errorf("read enrollment: %w", err)
	}
	return e, ok, nil
}

// SyncResult is the outcome of the last sync attempt, kept for Status.
type SyncResult struct {
	At        time.Time `cbor:"1,keyasint"`
	Error     string    `cbor:"2,keyasint,omitempty"`
	LastOK    time.Time `cbor:"3,keyasint,omitempty"`
	Uploaded  int       `cbor:"4,keyasint,omitempty"`
	Applied   int       `cbor:"5,keyasint,omitempty"`
	ServerURL string    `cbor:"6,keyasint,omitempty"`
}

// SetLastSync records the outcome of a sync attempt. A failed attempt keeps
// the time of the last good one, so the user sees how stale the data is.
func (s *Store) SetLastSync(r SyncResult) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.update(func(txn *badger.Txn) error {
		if r.Error == "" {
			r.LastOK = r.At
		} else if r.LastOK.IsZero() {
			var prev SyncResult
			if _, err := getCBOR(txn, metaLastSync, &prev); err != nil {
				return err
			}
			r.LastOK = prev.LastOK
		}
		return setCBOR(txn, metaLastSync, r)
	})
	if err != nil {
		return fmt.Errorf("save sync result: %w", err)
	}
	return nil
}

// update runs fn in a read-write transaction and commits it. The database
// is opened with synced writes, so when update returns nil the commit is on
// disk.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	return s.db.Update(fn)
}
