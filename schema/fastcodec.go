package schema

import (
	"cmp"
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// Hand-written encoders for the values sync encodes by the hundred
// thousand: changes, records and the upload and download frames that
// carry them. Marshal uses them; they give exactly the bytes the
// reflective encoder gives (Core Deterministic Encoding, fastcodec_test
// compares the two), so stores and peers see no difference, at a tenth
// of the time and allocations.
//
// Trap: they append field values as they are, without the well-formedness
// check the reflective encoder makes on a RawMessage. Every Fields value
// comes from EncodeFields or from a decoder that checked it, so that
// holds; a new source of field values must keep it so.

// fastMarshal encodes the types above; ok is false for any other value.
func fastMarshal(v any) (b []byte, ok bool) {
	switch x := v.(type) {
	case *Change:
		if x != nil {
			return appendChange(make([]byte, 0, changeCap(x)), x), true
		}
	case *Record:
		if x != nil {
			return appendRecord(make([]byte, 0, recordCap(x)), x), true
		}
	case *Msg:
		if x != nil {
			return appendMsg(nil, x)
		}
	}
	return nil, false
}

// appendHead appends a CBOR head of major type mt (0–7, unshifted) with
// argument n in the shortest form, as deterministic encoding requires.
func appendHead(b []byte, mt byte, n uint64) []byte {
	mt <<= 5
	switch {
	case n < 24:
		return append(b, mt|byte(n))
	case n <= 0xff:
		return append(b, mt|24, byte(n))
	case n <= 0xffff:
		return append(b, mt|25, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return append(b, mt|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, mt|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// cborNull is what an empty field value encodes as (RawMessage's rule).
var cborNull = []byte{0xf6}

func changeCap(ch *Change) int { return ChangeSize(ch) + 32 }

// recordCap estimates a record's encoded size, so encoding it allocates
// once.
func recordCap(r *Record) int {
	n := 64 + len(r.ID) + len(r.Unit) + len(r.Deleted.Device)
	for k, v := range r.Fields {
		n += len(k) + len(v) + 4
	}
	for k, v := range r.Versions {
		n += len(k) + len(v.Device) + 16
	}
	return n
}

func appendText(b []byte, s string) []byte {
	b = appendHead(b, 3, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xf5)
	}
	return append(b, 0xf4)
}

// appendKey appends a small integer map key (keyasint, 1–23).
func appendKey(b []byte, k byte) []byte { return append(b, k) }

// sortNames sorts map names in deterministic key order: shorter first
// (the head holds the length), then bytewise. Maps here hold a dozen
// names or so, where an insertion sort without a comparison callback is
// several times faster than the general sort.
func sortNames(keys []string) {
	if len(keys) > 32 {
		slices.SortFunc(keys, func(a, b string) int {
			if len(a) != len(b) {
				return cmp.Compare(len(a), len(b))
			}
			return strings.Compare(a, b)
		})
		return
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && nameLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

func nameLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// appendMap appends m as a CBOR map, its names in deterministic order,
// each value by appendValue.
func appendMap[V any](b []byte, m map[string]V, appendValue func([]byte, V) []byte) []byte {
	var buf [24]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sortNames(keys)
	b = appendHead(b, 5, uint64(len(m)))
	for _, k := range keys {
		b = appendValue(appendText(b, k), m[k])
	}
	return b
}

// appendFields appends f as a CBOR map of names to raw values.
func appendFields(b []byte, f Fields) []byte { return appendMap(b, f, appendRaw) }

// appendRaw appends a field value as it is; an empty one is null, as
// RawMessage encodes it.
func appendRaw(b []byte, v cbor.RawMessage) []byte {
	if len(v) > 0 {
		return append(b, v...)
	}
	return append(b, cborNull...)
}

func appendVersion(b []byte, v Version) []byte {
	b = append(b, 0xa2)
	b = appendHead(appendKey(b, 1), 0, uint64(v.Stamp))
	return appendText(appendKey(b, 2), v.Device)
}

// appendChange appends ch as Marshal(ch) would: keys 1–8, Set and Delete
// left out when empty (omitempty).
func appendChange(b []byte, ch *Change) []byte {
	n := uint64(6)
	if len(ch.Set) > 0 {
		n++
	}
	if ch.Delete {
		n++
	}
	b = appendHead(b, 5, n)
	b = appendText(appendKey(b, 1), string(ch.Kind))
	b = appendText(appendKey(b, 2), ch.ID)
	b = appendText(appendKey(b, 3), string(ch.Unit))
	if len(ch.Set) > 0 {
		b = appendFields(appendKey(b, 4), ch.Set)
	}
	if ch.Delete {
		b = appendBool(appendKey(b, 5), true)
	}
	b = appendHead(appendKey(b, 6), 0, uint64(ch.Stamp))
	b = appendText(appendKey(b, 7), ch.Device)
	return appendHead(appendKey(b, 8), 0, ch.Seq)
}

// appendRecord appends r as Marshal(r) would.
func appendRecord(b []byte, r *Record) []byte {
	b = append(b, 0xa6)
	b = appendText(appendKey(b, 1), string(r.Kind))
	b = appendText(appendKey(b, 2), r.ID)
	b = appendText(appendKey(b, 3), string(r.Unit))
	b = appendFields(appendKey(b, 4), r.Fields)
	b = appendMap(appendKey(b, 5), r.Versions, appendVersion)
	return appendVersion(appendKey(b, 6), r.Deleted)
}

// appendMsg encodes upload and download frames, the bulk of a sync; ok
// is false for the other messages, which are few and small.
func appendMsg(b []byte, m *Msg) ([]byte, bool) {
	switch {
	case m.Upload != nil && m.Hello == nil && m.Welcome == nil && m.Ack == nil && m.Download == nil && m.Error == nil:
		up := m.Upload
		size := 32
		for i := range up.Changes {
			size += changeCap(&up.Changes[i])
		}
		b = slices.Grow(b, size)
		b = append(b, 0xa2)
		b = appendHead(appendKey(b, 1), 0, uint64(m.Type))
		b = append(appendKey(b, 4), 0xa3)
		b = appendHead(appendKey(b, 1), 0, up.Batch)
		b = appendHead(appendKey(b, 2), 0, up.First)
		b = appendHead(appendKey(b, 3), 4, uint64(len(up.Changes)))
		for i := range up.Changes {
			b = appendChange(b, &up.Changes[i])
		}
		return b, true
	case m.Download != nil && m.Hello == nil && m.Welcome == nil && m.Upload == nil && m.Ack == nil && m.Error == nil:
		d := m.Download
		size := 32
		for i := range d.Entries {
			size += changeCap(&d.Entries[i].Change) + 16
		}
		b = slices.Grow(b, size)
		b = append(b, 0xa2)
		b = appendHead(appendKey(b, 1), 0, uint64(m.Type))
		b = append(appendKey(b, 6), 0xa3)
		b = appendHead(appendKey(b, 1), 4, uint64(len(d.Entries)))
		for i := range d.Entries {
			e := &d.Entries[i]
			b = append(b, 0xa2)
			b = appendHead(appendKey(b, 1), 0, e.Seq)
			b = appendChange(appendKey(b, 2), &e.Change)
		}
		b = appendHead(appendKey(b, 2), 0, d.Cursor)
		return appendBool(appendKey(b, 3), d.CaughtUp), true
	}
	return nil, false
}

// ChangeStamp reads the stamp of an encoded change without decoding the
// rest (its fields above all); ok is false when raw is not a change map
// with a stamp, and the caller then decodes it whole.
func ChangeStamp(raw []byte) (Stamp, bool) {
	n, rest, ok := viewHeader(raw, 5)
	for ; ok && n > 0; n-- {
		var key uint64
		if key, rest, ok = viewUint(rest); !ok {
			break
		}
		if key == 6 {
			s, _, ok := viewUint(rest)
			return Stamp(s), ok
		}
		rest, ok = viewSkip(rest, 1)
	}
	return 0, false
}

// AppendChange appends ch encoded as Marshal(ch) encodes it, for types
// of other packages that embed a change and encode themselves by hand
// (store.LogEntry).
func AppendChange(b []byte, ch *Change) []byte { return appendChange(b, ch) }

// AppendUint appends an unsigned integer in its shortest form.
func AppendUint(b []byte, n uint64) []byte { return appendHead(b, 0, n) }

// AppendText appends a text string.
func AppendText(b []byte, s string) []byte { return appendText(b, s) }

// canonicalScalar reports whether raw is the deterministic encoding of a
// text, bool or integer value of type t, checked in place. False means
// not proven, not invalid: checkFieldValue then decodes and re-encodes it,
// which also says what is wrong. Most fields are text, numbers and flags,
// and the round trip through the reflective codec was most of the cost
// of checking a change.
func canonicalScalar(raw []byte, t reflect.Type) bool {
	if len(raw) == 0 {
		return false
	}
	switch t.Kind() {
	case reflect.String:
		n, rest, ok := viewHeader(raw, 3)
		return ok && n == len(rest) && minimalHead(raw) && utf8.Valid(rest)
	case reflect.Bool:
		return len(raw) == 1 && (raw[0] == 0xf4 || raw[0] == 0xf5)
	case reflect.Int64, reflect.Int:
		if mt := raw[0] >> 5; mt != 0 && mt != 1 {
			return false
		}
		arg, rest, ok := viewArgument(raw)
		// -1-arg must fit too, hence the same bound for both signs.
		return ok && len(rest) == 0 && minimalHead(raw) && arg <= math.MaxInt64 && t.Size() == 8
	}
	return false
}

// minimalHead reports whether an item's head holds its argument in the
// shortest form, as deterministic encoding requires.
func minimalHead(raw []byte) bool {
	arg, _, ok := viewArgument(raw)
	if !ok {
		return false
	}
	switch raw[0] & 0x1f {
	case 24:
		return arg >= 24
	case 25:
		return arg > 0xff
	case 26:
		return arg > 0xffff
	case 27:
		return arg > 0xffffffff
	}
	return true
}
