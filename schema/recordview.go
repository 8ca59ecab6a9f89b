package schema

import "errors"

// RecordView reads a record's stored encoding (Marshal of a *Record: a
// CBOR map with integer keys 1 kind, 2 id, 3 unit, 4 fields, 5 versions,
// 6 deleted) in place, without decoding it. A city-wide report reads about
// a million records and needs four or five fields of each; decoding every
// record into maps of fields and versions is what made it slow, so the
// view slices the bytes instead and, for what stores write, allocates
// nothing.
//
// It mirrors the encoding Record's struct tags and Marshal produce; a
// change to either (a new key, another key order, a Version that encodes
// differently) must change the view too, and FuzzRecordView checks that
// the two agree.
//
// Traps: Kind, ID, Unit and the field names and values point into the
// bytes given to Parse (or into a re-encoding Parse made), so they are
// valid only as long as those bytes are: a store's scan callback must not
// keep them. Deleted is settled from the encoding's last bytes, which is
// exact for what stores hold (a delete always carries the device id that
// made it) but may read a delete with no device as live.
type RecordView struct {
	Kind, ID, Unit []byte
	// Deleted is Record.IsDeleted: a delete newer than every field write.
	Deleted bool
	fields  []byte // encoded field pairs, after the map header
	nfields int
}

// ErrNotView is parseInPlace's refusal: the bytes are not laid out as
// Marshal lays out a record. Parse then falls back to the full decoder.
var ErrNotView = errors.New("record encoding the view does not read")

// liveSuffix ends every record without a delete: key 6 (Deleted) comes
// last in deterministic encoding, holding the zero version {1: 0, 2: ""}.
// A delete made by a device ends with that device's id instead, which is
// printable text, so the suffix settles "not deleted" without walking the
// versions map, which is most of a record's bytes.
const liveSuffix = "\x06\xa2\x01\x00\x02\x60"

// Parse fills v from raw, a stored record. The deterministic encoding
// stores write is read in place; anything else (an encoding from before,
// or from another encoder) is decoded in full and read from its
// deterministic re-encoding, correctly but slower. The error is nil unless
// raw is not a record at all.
func (v *RecordView) Parse(raw []byte) error {
	if v.parseInPlace(raw) == nil {
		return nil
	}
	var rec Record
	if err := UnmarshalStored(raw, &rec); err != nil {
		return err
	}
	again, err := Marshal(&rec)
	if err != nil {
		return err
	}
	return v.parseInPlace(again)
}

// parseInPlace is Parse's fast path. A record with a delete on it is
// decoded in full to apply Record.IsDeleted, which weighs the delete
// against every field's version; deletes are rare, so that costs nothing
// overall.
func (v *RecordView) parseInPlace(raw []byte) error {
	*v = RecordView{}
	n, rest, ok := viewHeader(raw, 5)
	if !ok || n != 6 {
		return ErrNotView
	}
	// Keys 1 to 4 come first, in order: kind, id, unit, then the fields.
	for want := uint64(1); want <= 3; want++ {
		var key uint64
		var s []byte
		if key, rest, ok = viewUint(rest); !ok || key != want {
			return ErrNotView
		}
		if s, rest, ok = viewText(rest); !ok {
			return ErrNotView
		}
		switch key {
		case 1:
			v.Kind = s
		case 2:
			v.ID = s
		case 3:
			v.Unit = s
		}
	}
	if key, rest, ok := viewUint(rest); !ok || key != 4 || len(rest) == 0 {
		return ErrNotView
	} else if rest[0] != 0xf6 { // null: no fields
		m, fields, ok := viewHeader(rest, 5)
		if !ok {
			return ErrNotView
		}
		v.fields, v.nfields = fields, m
	}
	if len(raw) >= len(liveSuffix) && string(raw[len(raw)-len(liveSuffix):]) == liveSuffix {
		return nil
	}
	var rec Record
	if err := UnmarshalStored(raw, &rec); err != nil {
		return err
	}
	v.Deleted = rec.IsDeleted()
	return nil
}

// Fields returns an iterator over the record's fields in encoded order
// (sorted by name, for what stores write).
func (v *RecordView) Fields() FieldIter { return FieldIter{rest: v.fields, n: v.nfields} }

// FieldIter walks a record's fields; see RecordView.Fields.
type FieldIter struct {
	// Name and Value are the current field's name and encoded value
	// after Next returned true, valid as long as the record's bytes are.
	// Read values with FieldText, FieldInt, FieldBool, FieldNumber and
	// EachFieldText.
	Name, Value []byte
	rest        []byte
	n           int
}

// Next moves to the next field and reports whether there is one. A field
// map the view cannot read ends the walk early: the fields before it are
// still seen.
func (it *FieldIter) Next() bool {
	if it.n == 0 {
		return false
	}
	it.n--
	name, r, ok := viewText(it.rest)
	if !ok {
		it.n = 0
		return false
	}
	after, ok := viewSkip(r, 0)
	if !ok {
		it.n = 0
		return false
	}
	it.Name, it.Value, it.rest = name, r[:len(r)-len(after)], after
	return true
}
