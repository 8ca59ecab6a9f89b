package schema

import (
	"encoding"
	"reflect"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Decoding a record's fields into its typed struct without first encoding
// them as one CBOR map. DecodeFields runs for every change the server
// validates and every record a list shows; the map round trip (encode the
// fields, then decode the map by reflection) was most of its cost. Each
// field is decoded on its own into the struct field its name maps to:
// strings, booleans and integers in their canonical encoding are set
// directly, anything else through the same stored-data decoder.
//
// The fast path only ever accepts what the reflective decoder accepts and
// gives the same value (fielddecode_test holds the two to each other on
// random and mutated records); whatever it is unsure of (a name only a
// case-insensitive match finds, an unknown field that is not plainly
// well-formed, a struct shape it does not map) it hands back, and the
// caller decodes the slow way.

// fieldLayout maps a typed record's CBOR field names to its struct fields.
type fieldLayout struct {
	byName map[string]layoutField
	// folded holds the lower-cased names: the reflective decoder matches
	// a name case-insensitively when no field has it exactly, so such a
	// name is left to it.
	folded map[string]bool
}

type layoutField struct {
	index int
	// direct says a canonical scalar may be set in place: the type has no
	// decoding method of its own that would see it first.
	direct bool
}

// layouts caches layoutOf per struct type; a nil *fieldLayout means the
// type takes the slow path.
var layouts sync.Map

// layoutOf returns t's layout, or nil when t is not a flat struct of
// named fields this file maps the way the cbor library does.
func layoutOf(t reflect.Type) *fieldLayout {
	if l, ok := layouts.Load(t); ok {
		return l.(*fieldLayout)
	}
	l := buildLayout(t)
	layouts.Store(t, l)
	return l
}

func buildLayout(t reflect.Type) *fieldLayout {
	l := &fieldLayout{byName: map[string]layoutField{}, folded: map[string]bool{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("cbor")
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous || strings.Contains(opts, "toarray") || strings.Contains(opts, "keyasint") {
			return nil // embedded structs and array or int-keyed shapes: the library's rules, not ours
		}
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, dup := l.byName[name]; dup {
			return nil
		}
		l.byName[name] = layoutField{index: i, direct: plainScalar(sf.Type)}
		l.folded[strings.ToLower(name)] = true
	}
	return l
}

var (
	cborUnmarshaler   = reflect.TypeFor[cbor.Unmarshaler]()
	binaryUnmarshaler = reflect.TypeFor[encoding.BinaryUnmarshaler]()
	textUnmarshaler   = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// plainScalar reports whether values of t decode by kind alone: t has no
// decoding method of its own. Which kinds setScalar sets is
// canonicalScalar's to say.
func plainScalar(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return !p.Implements(cborUnmarshaler) && !p.Implements(binaryUnmarshaler) && !p.Implements(textUnmarshaler)
}

// topFieldDepth is the nesting level of a field value in the map
// DecodeFields would otherwise decode.
const topFieldDepth = 2

// fastDecodeFields is DecodeFields without the map round trip; ok false
// means it left the work to the reflective decoder, having set nothing,
// or (when a value of a well-formed set fails to decode) only fields of
// f, each of which the slow path decodes again before it fails too.
func fastDecodeFields(f Fields, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct || len(f) > storedMaxPairs {
		return false
	}
	l := layoutOf(rv.Elem().Type())
	if l == nil {
		return false
	}
	// Every value must be one well-formed item before anything is set:
	// the slow path reads the fields as one map, where a broken value
	// shifts every item after it, and must start from the untouched value.
	for name, raw := range f {
		if rest, ok := skipStrict(raw, topFieldDepth); !ok || len(rest) != 0 {
			return false
		}
		if _, known := l.byName[name]; !known && (l.folded[strings.ToLower(name)] || storeDec.Wellformed(raw) != nil) {
			return false
		}
	}
	st := rv.Elem()
	for name, raw := range f {
		lf, known := l.byName[name]
		if !known {
			continue
		}
		fv := st.Field(lf.index)
		if lf.direct && setScalar(fv, raw) {
			continue
		}
		if err := storeDec.Unmarshal(raw, fv.Addr().Interface()); err != nil {
			return false
		}
	}
	return true
}

// setScalar sets fv from raw when raw is the canonical encoding of fv's
// kind and that kind is a string, a bool or a 64-bit int
// (canonicalScalar, which also bounds the int).
func setScalar(fv reflect.Value, raw []byte) bool {
	if !canonicalScalar(raw, fv.Type()) {
		return false
	}
	switch fv.Kind() {
	case reflect.String:
		n, rest, _ := viewHeader(raw, 3)
		fv.SetString(string(rest[:n]))
	case reflect.Bool:
		fv.SetBool(raw[0] == 0xf5)
	default:
		arg, _, _ := viewArgument(raw)
		if raw[0]>>5 == 1 {
			fv.SetInt(-1 - int64(arg))
		} else {
			fv.SetInt(int64(arg))
		}
	}
	return true
}
