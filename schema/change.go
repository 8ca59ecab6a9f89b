package schema

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/fxamacker/cbor/v2"
	"github.com/google/uuid"
)

// Fields holds a record's field values, each encoded on its own in
// deterministic CBOR. Keeping values as bytes lets merge compare them
// exactly and lets a change carry only the fields it sets.
type Fields map[string]cbor.RawMessage

// Change is one edit, the unit of the change log and of sync: the fields it
// sets on one record, or a delete, stamped by the device that made it. Short
// integer keys keep a batch of thousands of changes small on the wire.
type Change struct {
	Kind   Kind   `cbor:"1,keyasint"`
	ID     string `cbor:"2,keyasint"`
	Unit   Code   `cbor:"3,keyasint"`
	Set    Fields `cbor:"4,keyasint,omitempty"`
	Delete bool   `cbor:"5,keyasint,omitempty"`
	Stamp  Stamp  `cbor:"6,keyasint"`
	Device string `cbor:"7,keyasint"`
	// Seq is the change's number among its device's changes: gapless from 1.
	Seq uint64 `cbor:"8,keyasint"`
}

// Version orders writes: by stamp, then by device id, so two devices that
// happen to issue the same stamp still agree on a winner.
type Version struct {
	Stamp  Stamp  `cbor:"1,keyasint"`
	Device string `cbor:"2,keyasint"`
}

// Version returns the change's version.
func (c *Change) Version() Version { return Version{Stamp: c.Stamp, Device: c.Device} }

// IsZero reports whether v is the zero version (nothing written).
func (v Version) IsZero() bool { return v.Stamp == 0 && v.Device == "" }

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than o.
func (v Version) Compare(o Version) int {
	switch {
	case v.Stamp < o.Stamp:
		return -1
	case v.Stamp > o.Stamp:
		return 1
	case v.Device < o.Device:
		return -1
	case v.Device > o.Device:
		return 1
	}
	return 0
}

// NewID returns a new record id: a UUIDv7, so ids made on different
// devices never collide and sort roughly by creation time.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's randomness does; nothing can
		// be saved safely then.
		panic(fmt.Sprintf("new record id: %v", err))
	}
	return id.String()
}

// EncodeFields turns a typed record (Facility, Capacity, …) into its fields.
func EncodeFields(v any) (Fields, error) {
	b, err := encMode.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	var f Fields
	if err := storeDec.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("split %T into fields: %w", v, err)
	}
	return f, nil
}

// DecodeFields fills the typed record v (a pointer) from fields. Fields the
// type does not know are ignored, so an older binary reads newer records.
func DecodeFields(f Fields, v any) error {
	if fastDecodeFields(f, v) {
		return nil
	}
	if err := storeDec.Unmarshal(marshalFields(f), v); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	return nil
}

// Diff returns the fields of next that differ from prev: what an edit must
// send. A nil prev means everything.
func Diff(prev, next Fields) Fields {
	out := Fields{}
	for k, v := range next {
		if p, ok := prev[k]; !ok || !bytes.Equal(p, v) {
			out[k] = v
		}
	}
	return out
}

// FieldNames returns the field names of f, sorted.
func (f Fields) FieldNames() []string {
	names := make([]string, 0, len(f))
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Record is the merged state of one record: every field's winning value and
// the version that wrote it, and the newest delete. It is the same on every
// machine that has seen the same changes, whatever order they came in.
type Record struct {
	Kind     Kind               `cbor:"1,keyasint"`
	ID       string             `cbor:"2,keyasint"`
	Unit     Code               `cbor:"3,keyasint"`
	Fields   Fields             `cbor:"4,keyasint"`
	Versions map[string]Version `cbor:"5,keyasint"`
	Deleted  Version            `cbor:"6,keyasint"`
}

// IsDeleted reports whether the record's newest delete is newer than every
// field write. An edit made after a delete (by its version) brings the
// record back; one made before it stays buried.
func (r *Record) IsDeleted() bool {
	if r.Deleted.IsZero() {
		return false
	}
	for _, v := range r.Versions {
		if v.Compare(r.Deleted) > 0 {
			return false
		}
	}
	return true
}

// LastVersion returns the newest version that touched the record.
func (r *Record) LastVersion() Version {
	last := r.Deleted
	for _, v := range r.Versions {
		if v.Compare(last) > 0 {
			last = v
		}
	}
	return last
}

// Decode fills the typed record v (a pointer) from the record's fields.
func (r *Record) Decode(v any) error { return DecodeFields(r.Fields, v) }

// Typed decodes the record into a new value of its kind's type (a pointer).
func (r *Record) Typed() (any, error) {
	v, err := NewValue(r.Kind)
	if err != nil {
		return nil, err
	}
	if err := r.Decode(v); err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.Kind, r.ID, err)
	}
	return v, nil
}

// ErrUnitMismatch is returned when a change names a different unit than the
// record it edits. A record's unit is fixed at creation, because stores key
// records by unit; moving one means deleting it and creating it anew.
var ErrUnitMismatch = fmt.Errorf("record unit cannot change")

// Merge applies a change to a record (nil for a record not seen yet) and
// returns the new state and whether anything changed. Merge is per field,
// last writer wins by (stamp, device); equal versions keep the greater value
// bytes so even a device that reused a stamp cannot make two machines
// disagree. The rule is commutative, associative and idempotent. The input
// record is not modified.
func Merge(rec *Record, ch *Change) (*Record, bool, error) {
	if rec == nil {
		rec = &Record{Kind: ch.Kind, ID: ch.ID, Unit: ch.Unit}
	} else {
		if rec.Kind != ch.Kind || rec.ID != ch.ID {
			return nil, false, fmt.Errorf("merge %s %s into %s %s: different record", ch.Kind, ch.ID, rec.Kind, rec.ID)
		}
		if rec.Unit != ch.Unit {
			return nil, false, fmt.Errorf("merge %s %s: unit %s, record has %s: %w", ch.Kind, ch.ID, ch.Unit, rec.Unit, ErrUnitMismatch)
		}
	}
	out := rec.clone(len(ch.Set))
	ver := ch.Version()
	changed := false
	if ch.Delete {
		if ver.Compare(out.Deleted) > 0 {
			out.Deleted = ver
			changed = true
		}
	}
	for name, val := range ch.Set {
		cur, seen := out.Versions[name]
		c := ver.Compare(cur)
		if seen && (c < 0 || (c == 0 && bytes.Compare(val, out.Fields[name]) <= 0)) {
			continue
		}
		out.Fields[name] = val
		out.Versions[name] = ver
		changed = true
	}
	return out, changed, nil
}

// clone copies r with room for extra more fields, so merging a change
// into it never grows (rehashes) its maps.
func (r *Record) clone(extra int) *Record {
	out := &Record{Kind: r.Kind, ID: r.ID, Unit: r.Unit, Deleted: r.Deleted,
		Fields: make(Fields, len(r.Fields)+extra), Versions: make(map[string]Version, len(r.Versions)+extra)}
	for k, v := range r.Fields {
		out.Fields[k] = v
	}
	for k, v := range r.Versions {
		out.Versions[k] = v
	}
	return out
}

// Equal reports whether two records hold the same state.
func (r *Record) Equal(o *Record) bool {
	if r == nil || o == nil {
		return r == o
	}
	if r.Kind != o.Kind || r.ID != o.ID || r.Unit != o.Unit || r.Deleted != o.Deleted ||
		len(r.Fields) != len(o.Fields) || len(r.Versions) != len(o.Versions) {
		return false
	}
	for k, v := range r.Fields {
		ov, ok := o.Fields[k]
		if !ok || !bytes.Equal(v, ov) {
			return false
		}
	}
	// Versions are compared on their own keys: a field could in principle
	// carry a version without a value, and bytes.Equal treats a missing
	// value like an empty one.
	for k, v := range r.Versions {
		if ov, ok := o.Versions[k]; !ok || v != ov {
			return false
		}
	}
	return true
}

// Key identifies a record across kinds.
type Key struct {
	Kind Kind
	ID   string
}

// Key returns the record's key.
func (r *Record) Key() Key { return Key{r.Kind, r.ID} }

// Key returns the key of the record the change edits.
func (c *Change) Key() Key { return Key{c.Kind, c.ID} }
