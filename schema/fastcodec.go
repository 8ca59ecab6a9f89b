package schema

import (
	"cmp"
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

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
		for _, raw := range up.Encoded {
			size += len(raw)
		}
		b = slices.Grow(b, size)
		b = append(b, 0xa2)
		b = appendHead(appendKey(b, 1), 0, uint64(m.Type))
		b = append(appendKey(b, 4), 0xa3)
		b = appendHead(appendKey(b, 1), 0, up.Batch)
		b = appendHead(appendKey(b, 2), 0, up.First)
		b = appendHead(appendKey(b, 3), 4, uint64(up.Len()))
		for i := range up.Changes {
			b = appendChange(b, &up.Changes[i])
		}
		for _, raw := range up.Encoded {
			b = append(b, raw...)
		}
		return b, true
	case m.Download != nil && m.Hello == nil && m.Welcome == nil && m.Upload == nil && m.Ack == nil && m.Error == nil:
		d := m.Download
		size := 32
		for i := range d.Entries {
			size += changeCap(&d.Entries[i].Change) + len(d.Entries[i].Raw) + 16
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
			if len(e.Raw) > 0 {
				b = append(appendKey(b, 2), e.Raw...)
				continue
			}
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

// AppendInt appends a signed integer in its shortest form: major type 1
// with -1-n for a negative n.
func AppendInt(b []byte, n int64) []byte {
	if n < 0 {
		return appendHead(b, 1, uint64(-1-n))
	}
	return appendHead(b, 0, uint64(n))
}

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

// fastUnmarshalStored decodes a change or a record in the exact shape
// the encoders above write (canonical key order, no unknown keys, valid
// UTF-8) into a zero value; ok is false for anything else, and the
// caller then decodes with the reflective decoder, which accepts more
// and says what is wrong. Field values are copied: data may be a
// store's buffer, reused once the read ends.
func fastUnmarshalStored(data []byte, v any) bool {
	switch x := v.(type) {
	case *Change:
		if x == nil || !reflect.ValueOf(x).Elem().IsZero() {
			return false
		}
		ch, rest, ok := viewChange(data)
		if ok && len(rest) == 0 {
			*x = ch
			return true
		}
	case *Record:
		if x == nil || !reflect.ValueOf(x).Elem().IsZero() {
			return false
		}
		r, rest, ok := viewRecord(data)
		if ok && len(rest) == 0 {
			*x = r
			return true
		}
	}
	return false
}

// viewMap reads the head of a map of at most max pairs.
func viewMap(b []byte, max int) (int, []byte, bool) {
	n, rest, ok := viewHeader(b, 5)
	return n, rest, ok && n <= max
}

// viewString reads a text string as a Go string, refusing invalid UTF-8
// as the reflective decoder does.
func viewString(b []byte) (string, []byte, bool) { return viewStringIn(b, texts{}) }

// viewStringIn is viewString making the string as t says.
func viewStringIn(b []byte, t texts) (string, []byte, bool) {
	s, rest, ok := viewText(b)
	if !ok || !utf8.Valid(s) {
		return "", nil, false
	}
	return t.str(s), rest, true
}

// texts says how a decoder makes the Go strings it reads: copies (the
// zero value), or strings that share the input's memory (see
// viewDownloadMsg for what that asks of the input), or one copy of each
// distinct text kept in seen, for texts that repeat (units, devices).
type texts struct {
	shared bool
	seen   map[string]string
}

// maxSeen bounds the texts a texts keeps: past it, new ones are copied
// each time.
const maxSeen = 1024

func (t texts) str(s []byte) string {
	switch {
	case len(s) == 0:
		return ""
	case t.shared:
		return unsafe.String(unsafe.SliceData(s), len(s))
	case t.seen != nil:
		if v, ok := t.seen[string(s)]; ok {
			return v
		}
		v := string(s)
		if len(t.seen) < maxSeen {
			t.seen[v] = v
		}
		return v
	}
	return string(s)
}

// unique is t for texts that do not repeat (ids, names): shared or
// copied.
func (t texts) unique() texts { return texts{shared: t.shared} }

// viewKeys calls fn for each integer key of a struct map, in increasing
// order (so no key twice), with the bytes at its value; fn returns what
// follows the value.
func viewKeys(b []byte, max int, fn func(key uint64, val []byte) ([]byte, bool)) ([]byte, bool) {
	n, rest, ok := viewMap(b, max)
	var prev uint64
	for ; ok && n > 0; n-- {
		var key uint64
		if key, rest, ok = viewUint(rest); !ok || key <= prev {
			return nil, false
		}
		prev = key
		rest, ok = fn(key, rest)
	}
	return rest, ok
}

// viewNames calls fn for each name of a map keyed by text, in
// deterministic order (so no name twice), with the bytes at its value.
func viewNames(b []byte, fn func(name string, val []byte) ([]byte, bool)) (int, []byte, bool) {
	return viewNamesIn(b, texts{}, fn)
}

// viewNamesIn is viewNames making the names as t says.
func viewNamesIn(b []byte, t texts, fn func(name string, val []byte) ([]byte, bool)) (int, []byte, bool) {
	n, rest, ok := viewHeader(b, 5)
	if !ok || n > storedMaxPairs {
		return 0, nil, false
	}
	prev := ""
	for i := 0; ok && i < n; i++ {
		var name string
		if name, rest, ok = viewStringIn(rest, t); !ok || (i > 0 && !nameLess(prev, name)) {
			return 0, nil, false
		}
		prev = name
		rest, ok = fn(name, rest)
	}
	return n, rest, ok
}

// viewFields reads a map of names to raw values. The values are copied,
// all in one allocation.
func viewFields(b []byte) (Fields, []byte, bool) { return viewFieldsIn(b, false, nil) }

// viewFieldsIn is viewFields; shared makes names and values share b's
// memory, copying nothing (texts.shared), and a value not nil is asked
// about each field value, which it must pass.
func viewFieldsIn(b []byte, shared bool, value func([]byte) bool) (Fields, []byte, bool) {
	type span struct {
		name     string
		from, to int // the value's place in b
	}
	var buf [24]span
	spans := buf[:0]
	_, rest, ok := viewNamesIn(b, texts{shared: shared}, func(name string, val []byte) ([]byte, bool) {
		after, ok := skipStrict(val, fieldDepth)
		if ok && value != nil {
			ok = value(val[:len(val)-len(after)])
		}
		if ok {
			at := len(b) - len(val)
			spans = append(spans, span{name, at, at + len(val) - len(after)})
		}
		return after, ok
	})
	if !ok {
		return nil, nil, false
	}
	f := make(Fields, len(spans))
	if len(spans) == 0 {
		return f, rest, true
	}
	if shared {
		for _, sp := range spans {
			f[sp.name] = cbor.RawMessage(b[sp.from:sp.to:sp.to])
		}
		return f, rest, true
	}
	base := spans[0].from
	own := append([]byte(nil), b[base:spans[len(spans)-1].to]...)
	for _, sp := range spans {
		f[sp.name] = cbor.RawMessage(own[sp.from-base : sp.to-base : sp.to-base])
	}
	return f, rest, true
}

func viewVersion(b []byte) (Version, []byte, bool) {
	var v Version
	rest, ok := viewKeys(b, 2, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1:
			var s uint64
			s, rest, ok = viewUint(val)
			v.Stamp = Stamp(s)
		case 2:
			v.Device, rest, ok = viewString(val)
		}
		return rest, ok
	})
	return v, rest, ok
}

// viewIdentity reads keys 1–3, which a change and a record share: the
// kind, the id and the unit.
func viewIdentity(key uint64, val []byte, kind *Kind, id *string, unit *Code) ([]byte, bool) {
	return viewIdentityIn(key, val, texts{}, kind, id, unit)
}

// viewIdentityIn is viewIdentity making the unit as t says and the id as
// t.unique; a kind schema knows is its constant, not a copy.
func viewIdentityIn(key uint64, val []byte, t texts, kind *Kind, id *string, unit *Code) ([]byte, bool) {
	if key == 1 {
		if s, rest, ok := viewText(val); ok {
			if k, known := knownKind(s); known {
				*kind = k
				return rest, true
			}
		}
	}
	if key == 2 {
		t = t.unique()
	}
	s, rest, ok := viewStringIn(val, t)
	switch key {
	case 1:
		*kind = Kind(s)
	case 2:
		*id = s
	case 3:
		*unit = Code(s)
	}
	return rest, ok
}

// KindNamed returns the kind named s: the constant when schema knows it,
// so reading a known kind from a store's key or value allocates nothing,
// else a copy of s.
func KindNamed(s []byte) Kind {
	if k, ok := knownKind(s); ok {
		return k
	}
	return Kind(s)
}

// knownKind returns the constant of the kind named s, if schema knows it.
func knownKind(s []byte) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == string(s) {
			return k, true
		}
	}
	return "", false
}

func viewChange(b []byte) (Change, []byte, bool) { return viewChangeAs(b, changeView{}) }

// changeView says how viewChangeAs reads a change.
type changeView struct {
	head  bool              // skip the field values, leaving Set nil (ChangeHead)
	texts texts             // how to make the unit and device; the rest as texts.unique
	set   *[]byte           // when not nil, given the encoded Set
	value func([]byte) bool // when not nil, each field value must pass it
}

// viewChangeAs is viewChange read as v says.
func viewChangeAs(b []byte, v changeView) (Change, []byte, bool) {
	t, set := v.texts, v.set
	var ch Change
	rest, ok := viewKeys(b, 8, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1, 2, 3:
			rest, ok = viewIdentityIn(key, val, t, &ch.Kind, &ch.ID, &ch.Unit)
		case 4:
			if v.head {
				return viewSkip(val, 1)
			}
			ch.Set, rest, ok = viewFieldsIn(val, t.shared, v.value)
			if ok && set != nil {
				n := len(val) - len(rest)
				*set = val[:n:n]
			}
		case 5:
			ok = len(val) > 0 && (val[0] == 0xf4 || val[0] == 0xf5)
			if ok {
				ch.Delete, rest = val[0] == 0xf5, val[1:]
			}
		case 6:
			var n uint64
			n, rest, ok = viewUint(val)
			ch.Stamp = Stamp(n)
		case 7:
			ch.Device, rest, ok = viewStringIn(val, t)
		case 8:
			ch.Seq, rest, ok = viewUint(val)
		}
		return rest, ok
	})
	return ch, rest, ok
}

func viewRecord(b []byte) (Record, []byte, bool) {
	var r Record
	rest, ok := viewKeys(b, 6, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1, 2, 3:
			rest, ok = viewIdentity(key, val, &r.Kind, &r.ID, &r.Unit)
		case 4:
			r.Fields, rest, ok = viewFields(val)
		case 5:
			var n int
			if n, _, ok = viewHeader(val, 5); !ok {
				return nil, false
			}
			r.Versions = make(map[string]Version, n)
			_, rest, ok = viewNames(val, func(name string, val []byte) ([]byte, bool) {
				v, rest, ok := viewVersion(val)
				r.Versions[name] = v
				return rest, ok
			})
		case 6:
			r.Deleted, rest, ok = viewVersion(val)
		}
		return rest, ok
	})
	return r, rest, ok
}

// fieldDepth is the nesting level of a field value: in a map (the
// fields) in a map (the change or record).
const fieldDepth = 3

// skipStrict returns the bytes after one complete item at nesting level
// depth, refusing what the stored-data decoder refuses (skipItem): a
// false only sends the caller to the reflective decoder.
func skipStrict(b []byte, depth int) ([]byte, bool) { return skipItem(b, depth, true) }

// skipItem returns the bytes after one complete item at nesting level
// depth; nothing past MaxNesting, no indefinite length. Strict also
// refuses what the stored-data decoder refuses: tags, simple values in
// two bytes below 32, arrays and maps over its limits.
func skipItem(b []byte, depth int, strict bool) ([]byte, bool) {
	if len(b) == 0 || depth > MaxNesting {
		return nil, false
	}
	mt, ai := b[0]>>5, b[0]&0x1f
	if (strict && mt == 6) || ai > 27 {
		return nil, false
	}
	arg, rest, ok := viewArgument(b)
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
		if arg > uint64(len(rest)) || (strict && ((mt == 4 && arg > storedMaxArray) || (mt == 5 && arg > storedMaxPairs))) {
			return nil, false
		}
		items := arg
		if mt == 5 {
			items *= 2
		}
		for range items {
			if rest, ok = skipItem(rest, depth+1, strict); !ok {
				return nil, false
			}
		}
		return rest, true
	case 6:
		return skipItem(rest, depth+1, strict)
	}
	// Major type 7: simple values and floats.
	return rest, !strict || ai != 24 || arg >= 32
}
