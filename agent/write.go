package agent

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Item is one record to create or edit in PutBatch; the fields mean what
// Put's arguments mean.
type Item struct {
	Kind  schema.Kind
	ID    string
	Unit  schema.Code
	Value any
}

// BatchError tells which item of a PutBatch failed; nothing of the batch
// was written.
type BatchError struct {
	Index int // 0-based position in the batch
	Err   error
}

// Error names the failing item; callers that know what the items were
// (rows of a file) say it better, using Index.
func (e *BatchError) Error() string { return fmt.Sprintf("item %d: %v", e.Index, e.Err) }

// Unwrap lets errors.As find the *schema.ValidationError inside.
func (e *BatchError) Unwrap() error { return e.Err }

// ErrBatchTooLarge is returned when a batch does not fit in one
// transaction (with the default memtable, about 3,300 new records do).
// Splitting it keeps each part atomic. A PutBatch returns it as a
// *BatchTooLargeError, which says how many items fitted.
var ErrBatchTooLarge = errors.New("too many records for one transaction; split the batch (一次导入的记录过多，请拆分后分批导入)")

// BatchTooLargeError is ErrBatchTooLarge from a batch whose first Fit of
// Items fitted one transaction and the next did not; nothing of it was
// written. Trap: Fit is a guide for splitting, not a promise: the items
// after it may be larger.
type BatchTooLargeError struct{ Fit, Items int }

// Error says how many fitted.
func (e *BatchTooLargeError) Error() string {
	return fmt.Sprintf("%v: the first %d of %d fit", ErrBatchTooLarge, e.Fit, e.Items)
}

// Unwrap makes errors.Is(err, ErrBatchTooLarge) hold.
func (e *BatchTooLargeError) Unwrap() error { return ErrBatchTooLarge }

// Put creates or edits a record and queues the change for sync. v is the
// typed record (schema.Facility or *schema.Facility, …). An empty id makes a
// new record with a fresh id, except for capacity, population and reported
// values, whose ids derive from their contents (so two devices entering the
// same month merge instead of duplicating); a given id must then match.
//
// Only the fields that differ from the stored record travel in the change;
// when nothing differs Put writes nothing and returns a nil change. A change
// that fails validation returns the *schema.ValidationError and writes
// nothing. When Put returns nil error, the record, its change and the
// device's sequence are on disk together.
func (s *Store) Put(kind schema.Kind, id string, unit schema.Code, v any) (*schema.Change, error) {
	var ch *schema.Change
	err := s.write(func(w *writer) (err error) {
		ch, err = w.put(Item{Kind: kind, ID: id, Unit: unit, Value: v})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("put %s %s: %w", kind, idOrNew(id), err)
	}
	return ch, nil
}

// PutBatch validates and writes many records in one synced transaction, so
// an import is all or nothing. Items are applied in order and see the ones
// before them: a file may register a facility and then report its
// capacity. The result has one change per item, nil where nothing changed.
// A failing item returns a *BatchError with its index; an item into a
// locked period is such a failure (see PutBatchSkipLocked).
func (s *Store) PutBatch(items []Item) ([]*schema.Change, error) {
	out, _, err := s.putBatch(items, false)
	return out, err
}

// putBatch is PutBatch, leaving out the items a lock refuses when
// skipLocked is set.
func (s *Store) putBatch(items []Item, skipLocked bool) ([]*schema.Change, map[int]*schema.PeriodLockedError, error) {
	out := make([]*schema.Change, len(items))
	var locked map[int]*schema.PeriodLockedError
	err := s.write(func(w *writer) error {
		locked = nil
		for i, it := range items {
			ch, err := w.put(it)
			if le, ok := lockedItem(err); ok && skipLocked {
				// stage refuses before it writes anything: the item
				// leaves no trace in the transaction.
				if locked == nil {
					locked = map[int]*schema.PeriodLockedError{}
				}
				locked[i] = le
				continue
			}
			if err != nil {
				if errors.Is(err, badger.ErrTxnTooBig) {
					return &BatchTooLargeError{Fit: i, Items: len(items)}
				}
				return &BatchError{Index: i, Err: err}
			}
			out[i] = ch
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("put batch of %d: %w", len(items), err)
	}
	return out, locked, nil
}

// AddVisit records a visit (insert-only) and returns its new id.
func (s *Store) AddVisit(unit schema.Code, v schema.Visit) (string, error) {
	id := schema.NewID()
	if _, err := s.Put(schema.KindVisit, id, unit, v); err != nil {
		return "", err
	}
	return id, nil
}

// Delete deletes a record by writing a tombstone change. Visits cannot be
// deleted (a correction supersedes them) and targets are read-only.
func (s *Store) Delete(kind schema.Kind, id string) (*schema.Change, error) {
	var ch *schema.Change
	err := s.write(func(w *writer) (err error) {
		ch, err = w.del(kind, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete %s %s: %w", kind, id, err)
	}
	return ch, nil
}

func idOrNew(id string) string {
	if id == "" {
		return "(new)"
	}
	return id
}

// writer is one local write transaction: it hands out sequence numbers
// after the store's and remembers how far it got, so the store adopts them
// only once the transaction committed and a failed write leaves no gap.
type writer struct {
	s     *Store
	txn   *badger.Txn
	seq   uint64
	scope schema.Code
	n     int             // changes staged
	locks *schema.LockSet // read at the first lockable change; see periodlock.go
}

// write runs fn in one transaction under the write lock and commits it
// (synced) if fn succeeds and staged anything.
func (s *Store) write(fn func(w *writer) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	scope, err := getString(txn, metaScope)
	if err != nil {
		return err
	}
	w := &writer{s: s, txn: txn, seq: s.seq, scope: schema.Code(scope)}
	if err := fn(w); err != nil {
		return err
	}
	if w.n == 0 {
		return nil
	}
	err = setCBOR(txn, metaSeq, w.seq)
	if err == nil {
		err = setCBOR(txn, metaClock, uint64(s.clock.Last()))
	}
	if err == nil {
		err = txn.Commit()
	}
	if errors.Is(err, badger.ErrTxnTooBig) {
		// The changes fitted and the marks after them did not.
		return ErrBatchTooLarge
	}
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.seq = w.seq
	return nil
}

func (w *writer) put(it Item) (*schema.Change, error) {
	if !it.Kind.Valid() {
		return nil, fmt.Errorf("unknown record kind %q (未知的记录类型)", it.Kind)
	}
	if !it.Kind.SiteWritable() {
		return nil, fmt.Errorf("%s (%s): %w", it.Kind, it.Kind.Label(), ErrReadOnly)
	}
	if k, err := schema.KindOf(it.Value); err != nil || k != it.Kind {
		return nil, fmt.Errorf("value of type %T is not a %s record", it.Value, it.Kind)
	}
	id, err := RecordID(it.Kind, it.ID, it.Unit, it.Value)
	if err != nil {
		return nil, err
	}
	fields, err := schema.EncodeFields(it.Value)
	if err != nil {
		return nil, err
	}
	cur, err := loadRecord(w.txn, it.Kind, id)
	if err != nil {
		return nil, err
	}
	if cur != nil && it.Kind == schema.KindVisit {
		return nil, ErrInsertOnly
	}
	if cur != nil && cur.Unit != it.Unit {
		return nil, fmt.Errorf("record is under unit %s, not %s: %w (记录所属单位不能修改)", cur.Unit, it.Unit, schema.ErrUnitMismatch)
	}
	var prev schema.Fields
	if cur != nil && !cur.IsDeleted() {
		prev = cur.Fields
	}
	// Re-creating a deleted record sends every field: the values it had
	// before the delete are not what the user is entering now.
	set := schema.Diff(prev, fields)
	if len(set) == 0 {
		return nil, nil
	}
	refs, err := w.checkReferences(it.Kind, it.Unit, it.Value)
	if err != nil {
		return nil, err
	}
	ch := &schema.Change{Kind: it.Kind, ID: id, Unit: it.Unit, Set: set}
	return ch, w.stage(cur, ch, refs)
}

func (w *writer) del(kind schema.Kind, id string) (*schema.Change, error) {
	if !kind.Valid() {
		return nil, fmt.Errorf("unknown record kind %q (未知的记录类型)", kind)
	}
	if !kind.SiteWritable() {
		return nil, ErrReadOnly
	}
	if kind == schema.KindVisit {
		return nil, ErrInsertOnly
	}
	cur, err := loadRecord(w.txn, kind, id)
	if err != nil {
		return nil, err
	}
	if cur == nil || cur.IsDeleted() {
		return nil, ErrNotFound
	}
	ch := &schema.Change{Kind: kind, ID: id, Unit: cur.Unit, Delete: true}
	return ch, w.stage(cur, ch, nil)
}

// stage stamps and numbers ch, validates it against cur, and writes the
// merged record and the outbox entry into the transaction. extra holds the
// problems the caller found itself, reported together with the schema's so
// the user sees every mistake of a form at once.
func (w *writer) stage(cur *schema.Record, ch *schema.Change, extra schema.Problems) error {
	ch.Device = w.s.device
	ch.Stamp = w.s.clock.Now()
	ch.Seq = w.seq + 1
	if err := append(w.s.validate(cur, ch, w.scope), extra...).Err(); err != nil {
		return err
	}
	if err := w.lockRefusal(cur, ch); err != nil {
		return err
	}
	rec, _, err := schema.Merge(cur, ch)
	if err != nil {
		return err
	}
	if err := putRecord(w.txn, cur, rec, ch); err != nil {
		return err
	}
	if err := setCBOR(w.txn, outboxKey(ch.Seq), ch); err != nil {
		return err
	}
	w.seq = ch.Seq
	w.n++
	return nil
}

// checkReferences finds references to records the site does not have: a
// capacity report for an unknown facility, a visit to an unknown person.
// Only local writes are checked; a download may legitimately bring a
// report before its facility.
func (w *writer) checkReferences(kind schema.Kind, unit schema.Code, v any) (schema.Problems, error) {
	var ps schema.Problems
	add := func(field, en, zh string) {
		ps = append(ps, schema.Problem{Field: string(kind) + "." + field, En: en, Zh: zh})
	}
	switch kind {
	case schema.KindCapacity:
		c := deref[schema.Capacity](v)
		if c.Facility == "" {
			break // the schema reports the missing field
		}
		fac, err := loadRecord(w.txn, schema.KindFacility, c.Facility)
		if err != nil {
			return nil, err
		}
		switch {
		case fac == nil || fac.IsDeleted():
			add("facility", fmt.Sprintf("no facility %q at this site", c.Facility), fmt.Sprintf("本站点没有机构“%s”", c.Facility))
		case fac.Unit != unit:
			add("unit", fmt.Sprintf("the report's unit %s differs from its facility's unit %s", unit, fac.Unit),
				fmt.Sprintf("填报单位%s与机构所属单位%s不一致", unit, fac.Unit))
		}
	case schema.KindVisit:
		vi := deref[schema.Visit](v)
		if vi.Person != "" {
			p, err := loadRecord(w.txn, schema.KindPerson, vi.Person)
			if err != nil {
				return nil, err
			}
			if p == nil || p.IsDeleted() {
				add("person", fmt.Sprintf("no person %q at this site", vi.Person), fmt.Sprintf("本站点没有服务对象“%s”", vi.Person))
			}
		}
		if vi.Supersedes != "" {
			old, err := loadRecord(w.txn, schema.KindVisit, vi.Supersedes)
			if err != nil {
				return nil, err
			}
			if old == nil {
				add("supersedes", fmt.Sprintf("no visit %q to supersede", vi.Supersedes), fmt.Sprintf("要更正的探访记录“%s”不存在", vi.Supersedes))
			}
		}
	}
	return ps, nil
}

// RecordID returns the id a Put of v would write: the derived id for
// capacity, population and reported values (checking a given id agrees),
// the given id otherwise, or a new one when it is empty.
func RecordID(kind schema.Kind, id string, unit schema.Code, v any) (string, error) {
	var derived string
	switch kind {
	case schema.KindCapacity:
		c := deref[schema.Capacity](v)
		derived = schema.CapacityID(c.Facility, c.Period)
	case schema.KindPopulation:
		derived = schema.PopulationID(unit, deref[schema.Population](v).Year)
	case schema.KindReported:
		r := deref[schema.Reported](v)
		derived = schema.ReportedID(unit, r.Indicator, r.Period)
	default:
		if id == "" {
			return schema.NewID(), nil
		}
		return id, checkID(id)
	}
	if id != "" && id != derived {
		return "", &schema.ValidationError{Problems: schema.Problems{{Field: "change.id",
			En: fmt.Sprintf("id %q does not match %q, the id a %s record with these fields has", id, derived, kind),
			Zh: fmt.Sprintf("记录编号“%s”与内容不符，应为“%s”", id, derived)}}}
	}
	return derived, checkID(derived)
}

// deref returns the T that v holds as T or *T (zero when nil).
func deref[T any](v any) T {
	switch x := v.(type) {
	case T:
		return x
	case *T:
		if x != nil {
			return *x
		}
	}
	var zero T
	return zero
}

// loadRecord reads a record by kind and id through the id index; nil when
// the store has never seen it.
func loadRecord(txn *badger.Txn, kind schema.Kind, id string) (*schema.Record, error) {
	if id == "" {
		return nil, nil
	}
	unit, err := getRaw(txn, indexKey(kind, id))
	if err != nil || unit == nil {
		return nil, err
	}
	rec, found, err := getRecord(txn, recordKey(kind, schema.Code(unit), id))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s %s: index names unit %s but the record is missing", kind, id, unit)
	}
	return rec, nil
}

// putRecord writes rec (the result of merging ch into prev) and the index
// entries a new record or a changed visit needs.
func putRecord(txn *badger.Txn, prev, rec *schema.Record, ch *schema.Change) error {
	return putRecordAs(txn, prev, rec, ch, schema.MarshalStoredRecord(rec))
}

// putRecordAs is putRecord with rec already encoded as stored; of rec it
// reads only the kind, id, unit and fields.
func putRecordAs(txn *badger.Txn, prev, rec *schema.Record, ch *schema.Change, stored []byte) error {
	if !rec.Unit.Valid() {
		return fmt.Errorf("%s %s: invalid unit code %q", rec.Kind, rec.ID, rec.Unit)
	}
	if err := checkID(rec.ID); err != nil {
		return err
	}
	if err := setRecordAs(txn, rec, stored); err != nil {
		return err
	}
	if prev == nil {
		if err := txn.Set(indexKey(rec.Kind, rec.ID), []byte(rec.Unit)); err != nil {
			return fmt.Errorf("write index of %s %s: %w", rec.Kind, rec.ID, err)
		}
	}
	if rec.Kind == schema.KindVisit {
		if _, set := ch.Set["person"]; set || prev == nil {
			var person string
			if raw, ok := rec.Fields["person"]; ok {
				if err := schema.UnmarshalStored(raw, &person); err != nil {
					return fmt.Errorf("visit %s: decode person: %w", rec.ID, err)
				}
			}
			if person != "" {
				if err := txn.Set(visitKey(person, rec.ID), nil); err != nil {
					return fmt.Errorf("write visit index of %s: %w", rec.ID, err)
				}
			}
		}
	}
	return nil
}
