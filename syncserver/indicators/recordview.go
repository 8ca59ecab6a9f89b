package indicators

import (
	"encoding/binary"
	"errors"
	"math"

	"laoxiao/schema"
)

// recordView reads a record's stored encoding (schema.Marshal of a
// *schema.Record: a CBOR map with integer keys 1 kind, 2 id, 3 unit,
// 4 fields, 5 versions, 6 deleted) in place. A city-wide report reads
// about a million records and needs four or five fields of each;
// decoding every record into maps of fields and versions is what made it
// slow, so the view slices the bytes instead and allocates nothing.
// Anything it does not expect sends the record to the full decoder.
type recordView struct {
	kind, id, unit []byte
	fields         []byte // encoded field pairs, after the map header
	nfields        int
	deleted        bool
}

var errNotView = errors.New("record encoding the view does not read")

// liveSuffix ends every record without a delete: key 6 (Deleted) comes
// last in deterministic encoding, holding the zero version {1: 0, 2: ""}.
// Any other Deleted ends differently (a non-zero stamp or a non-empty,
// printable device id), so the suffix settles "not deleted" without
// walking the versions map, which is most of a record's bytes.
const liveSuffix = "\x06\xa2\x01\x00\x02\x60"

// parse fills v from raw. A record with a delete on it is decoded in full
// to apply schema.Record.IsDeleted, which weighs the delete against every
// field's version; deletes are rare, so that costs nothing overall.
func (v *recordView) parse(raw []byte) error {
	*v = recordView{}
	n, rest, ok := header(raw, 5)
	if !ok || n != 6 {
		return errNotView
	}
	// Keys 1 to 4 come first, in order: kind, id, unit, then the fields.
	for want := uint64(1); want <= 3; want++ {
		var key uint64
		var s []byte
		if key, rest, ok = uintItem(rest); !ok || key != want {
			return errNotView
		}
		if s, rest, ok = textItem(rest); !ok {
			return errNotView
		}
		switch key {
		case 1:
			v.kind = s
		case 2:
			v.id = s
		case 3:
			v.unit = s
		}
	}
	if key, rest, ok := uintItem(rest); !ok || key != 4 || len(rest) == 0 {
		return errNotView
	} else if rest[0] != 0xf6 { // null: no fields
		m, fields, ok := header(rest, 5)
		if !ok {
			return errNotView
		}
		v.fields, v.nfields = fields, m
	}
	if len(raw) >= len(liveSuffix) && string(raw[len(raw)-len(liveSuffix):]) == liveSuffix {
		return nil
	}
	var rec schema.Record
	if err := schema.UnmarshalStored(raw, &rec); err != nil {
		return err
	}
	v.deleted = rec.IsDeleted()
	return nil
}

// fieldIter walks a record's fields in encoded order.
type fieldIter struct {
	rest      []byte
	n         int
	name, val []byte
}

func (v *recordView) iter() fieldIter { return fieldIter{rest: v.fields, n: v.nfields} }

// next moves to the next field; the field's name and encoded value are
// then in it.name and it.val, valid as long as the record's bytes are.
func (it *fieldIter) next() bool {
	if it.n == 0 {
		return false
	}
	it.n--
	name, r, ok := textItem(it.rest)
	if !ok {
		it.n = 0
		return false
	}
	after, ok := skip(r, 0)
	if !ok {
		it.n = 0
		return false
	}
	it.name, it.val, it.rest = name, r[:len(r)-len(after)], after
	return true
}

// header reads the head of an item of major type mt and returns its
// argument (length or value) and the bytes after the head.
func header(b []byte, mt byte) (int, []byte, bool) {
	if len(b) == 0 || b[0]>>5 != mt {
		return 0, nil, false
	}
	arg, rest, ok := argument(b)
	if !ok || arg > uint64(len(b)) {
		return 0, nil, false
	}
	return int(arg), rest, true
}

// argument decodes the argument of an item's head; indefinite lengths
// (which deterministic encoding never writes) are refused.
func argument(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	ai := b[0] & 0x1f
	switch {
	case ai < 24:
		return uint64(ai), b[1:], true
	case ai == 24 && len(b) >= 2:
		return uint64(b[1]), b[2:], true
	case ai == 25 && len(b) >= 3:
		return uint64(binary.BigEndian.Uint16(b[1:])), b[3:], true
	case ai == 26 && len(b) >= 5:
		return uint64(binary.BigEndian.Uint32(b[1:])), b[5:], true
	case ai == 27 && len(b) >= 9:
		return binary.BigEndian.Uint64(b[1:]), b[9:], true
	}
	return 0, nil, false
}

// skip returns the bytes after one complete item.
func skip(b []byte, depth int) ([]byte, bool) {
	if len(b) == 0 || depth > schema.MaxNesting {
		return nil, false
	}
	mt := b[0] >> 5
	if mt == 7 {
		switch ai := b[0] & 0x1f; {
		case ai < 24:
			return b[1:], true
		case ai == 24 && len(b) >= 2:
			return b[2:], true
		case ai == 25 && len(b) >= 3:
			return b[3:], true
		case ai == 26 && len(b) >= 5:
			return b[5:], true
		case ai == 27 && len(b) >= 9:
			return b[9:], true
		}
		return nil, false
	}
	arg, rest, ok := argument(b)
	if !ok {
		return nil, false
	}
	switch mt {
	case 0, 1:
		return rest, true
	case 2, 3:
		if arg > uint64(len(rest)) {
			return nil, false
		}
		return rest[arg:], true
	case 4, 5:
		if arg > uint64(len(rest)) {
			return nil, false
		}
		items := arg
		if mt == 5 {
			items *= 2
		}
		for range items {
			if rest, ok = skip(rest, depth+1); !ok {
				return nil, false
			}
		}
		return rest, true
	case 6:
		return skip(rest, depth+1)
	}
	return nil, false
}

// textItem reads a text string in place.
func textItem(b []byte) ([]byte, []byte, bool) {
	n, rest, ok := header(b, 3)
	if !ok || n > len(rest) {
		return nil, nil, false
	}
	return rest[:n], rest[n:], true
}

func uintItem(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 || b[0]>>5 != 0 {
		return 0, nil, false
	}
	return argument(b)
}

// text decodes a field holding a string; ok is false for anything else.
func text(val []byte) ([]byte, bool) {
	s, rest, ok := textItem(val)
	return s, ok && len(rest) == 0
}

// integer decodes a field holding an integer.
func integer(val []byte) (int64, bool) {
	if len(val) == 0 {
		return 0, false
	}
	mt := val[0] >> 5
	if mt != 0 && mt != 1 {
		return 0, false
	}
	arg, rest, ok := argument(val)
	if !ok || len(rest) != 0 || arg > math.MaxInt64 {
		return 0, false
	}
	if mt == 1 {
		return -1 - int64(arg), true
	}
	return int64(arg), true
}

// boolean decodes a field holding true or false.
func boolean(val []byte) (bool, bool) {
	if len(val) != 1 {
		return false, false
	}
	switch val[0] {
	case 0xf5:
		return true, true
	case 0xf4:
		return false, true
	}
	return false, false
}

// number decodes a field holding a float (half, single or double
// precision, as deterministic encoding picks the shortest) or an integer.
func number(val []byte) (float64, bool) {
	if i, ok := integer(val); ok {
		return float64(i), true
	}
	switch {
	case len(val) == 3 && val[0] == 0xf9:
		return halfFloat(binary.BigEndian.Uint16(val[1:])), true
	case len(val) == 5 && val[0] == 0xfa:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(val[1:]))), true
	case len(val) == 9 && val[0] == 0xfb:
		return math.Float64frombits(binary.BigEndian.Uint64(val[1:])), true
	}
	return 0, false
}

// halfFloat converts an IEEE 754 half-precision float.
func halfFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

// eachText calls fn with every string of a field holding a list of
// strings.
func eachText(val []byte, fn func([]byte)) bool {
	n, rest, ok := header(val, 4)
	if !ok {
		return val != nil && len(val) == 1 && val[0] == 0xf6 // null: empty list
	}
	for range n {
		var s []byte
		if s, rest, ok = textItem(rest); !ok {
			return false
		}
		fn(s)
	}
	return len(rest) == 0
}

// The field readers below take the fast path for the deterministic
// encoding validation enforces, and fall back to the general decoder for
// anything else a store may hold from before, so an odd record is read
// correctly, only slower. A value of the wrong type reads as zero, as it
// would when decoding the typed record.

func str(val []byte) []byte {
	if s, ok := text(val); ok {
		return s
	}
	var s string
	if schema.UnmarshalStored(val, &s) != nil {
		return nil
	}
	return []byte(s)
}

func i64(val []byte) int64 {
	if n, ok := integer(val); ok {
		return n
	}
	var n int64
	if schema.UnmarshalStored(val, &n) != nil {
		return 0
	}
	return n
}

func flag(val []byte) bool {
	if b, ok := boolean(val); ok {
		return b
	}
	var b bool
	if schema.UnmarshalStored(val, &b) != nil {
		return false
	}
	return b
}

func f64(val []byte) float64 {
	if f, ok := number(val); ok {
		return f
	}
	var f float64
	if schema.UnmarshalStored(val, &f) != nil {
		return 0
	}
	return f
}

// eachStr calls fn with every string of a list field. fn must not mind
// being called again for the same string: a list the fast path gives up
// on halfway is read again by the general decoder.
func eachStr(val []byte, fn func([]byte)) {
	if eachText(val, fn) {
		return
	}
	var ss []string
	if schema.UnmarshalStored(val, &ss) != nil {
		return
	}
	for _, s := range ss {
		fn([]byte(s))
	}
}
