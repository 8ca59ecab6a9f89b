package schema

import (
	mathrand "math/rand"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/quick"
)

// slowDecodeFields is DecodeFields as it was before the fast path: the
// fields as one CBOR map, decoded by reflection. The fast path must agree
// with it on every input.
func slowDecodeFields(f Fields, v any) error { return storeDec.Unmarshal(marshalFields(f), v) }

// TestFastDecodeFieldsAgrees decodes random records of every kind both
// ways, then the same records with one field's bytes changed, a field
// added under an unknown name, or under a known name in other case: the
// fast path must give the slow path's value whenever it accepts, and must
// accept only what the slow path accepts.
func TestFastDecodeFieldsAgrees(t *testing.T) {
	cfg := &quick.Config{MaxCount: 200, Rand: mathrand.New(mathrand.NewSource(7))}
	for _, k := range Kinds {
		proto, err := NewValue(k)
		if err != nil {
			t.Fatal(err)
		}
		typ := reflect.TypeOf(proto).Elem()
		if layoutOf(typ) == nil {
			t.Errorf("%s: no fast layout for %v; every record type should have one", k, typ)
		}
		check := func(seed int64) bool {
			r := rand.New(rand.NewPCG(uint64(seed), 3))
			f := randomTyped(t, typ, r)
			if !fastDecodeFields(f, reflect.New(typ).Interface()) {
				t.Errorf("%s: the fast path refused a record as EncodeFields writes it: %v", k, f)
				return false
			}
			for _, variant := range fieldVariants(f, r) {
				if !decodesAgree(t, k, typ, variant) {
					return false
				}
			}
			return true
		}
		if err := quick.Check(check, cfg); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

// decodesAgree decodes f both ways into fresh values of typ and reports whether
// they agree; it logs the first disagreement.
func decodesAgree(t *testing.T, k Kind, typ reflect.Type, f Fields) bool {
	t.Helper()
	slow := reflect.New(typ).Interface()
	slowErr := slowDecodeFields(f, slow)
	fast := reflect.New(typ).Interface()
	fastOK := fastDecodeFields(f, fast)
	if fastOK && slowErr != nil {
		t.Errorf("%s: fast path accepted %v, which the decoder refuses: %v", k, f, slowErr)
		return false
	}
	if fastOK && !sameValue(fast, slow) {
		t.Errorf("%s: fast path decoded %v as %+v, the decoder as %+v", k, f, fast, slow)
		return false
	}
	// DecodeFields itself (fast path, then the slow one on a refusal)
	// must give the same error-ness and value.
	got := reflect.New(typ).Interface()
	err := DecodeFields(f, got)
	if (err != nil) != (slowErr != nil) || (err == nil && !sameValue(got, slow)) {
		t.Errorf("%s: DecodeFields(%v) = %+v, %v; the decoder gives %+v, %v", k, f, got, err, slow, slowErr)
		return false
	}
	return true
}

// sameValue compares two decoded values by their encoding, under which
// NaN equals NaN (reflect.DeepEqual says it does not).
func sameValue(a, b any) bool {
	ea, errA := encMode.Marshal(a)
	eb, errB := encMode.Marshal(b)
	return errA == nil && errB == nil && string(ea) == string(eb)
}

// randomTyped encodes a random value of typ.
func randomTyped(t *testing.T, typ reflect.Type, r *rand.Rand) Fields {
	t.Helper()
	v, ok := quick.Value(typ, mathrand.New(mathrand.NewSource(r.Int64())))
	if !ok {
		t.Fatalf("cannot make a random %v", typ)
	}
	f, err := EncodeFields(v.Addr().Interface())
	if err != nil {
		t.Fatalf("encode %v: %v", typ, err)
	}
	return f
}

// fieldVariants returns f and copies of it with one thing changed each.
func fieldVariants(f Fields, r *rand.Rand) []Fields {
	out := []Fields{f}
	names := f.FieldNames()
	clone := func() Fields {
		c := make(Fields, len(f))
		for k, v := range f {
			c[k] = append([]byte(nil), v...)
		}
		return c
	}
	weird := [][]byte{
		{}, {0xf6}, {0xf7}, {0x00}, {0x20}, {0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0}, {0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		{0x18, 0x05}, {0x61, 0xff}, {0x62, 'a'}, {0x60}, {0xf5}, {0xf4}, {0x80}, {0xa0}, {0x81, 0x60},
		{0xc1, 0x01}, {0x9f, 0xff}, {0xfb, 0, 0, 0, 0, 0, 0, 0, 0}, {0x41, 0x01}, {0xf8, 0x10},
	}
	if len(names) > 0 {
		for range 4 {
			c := clone()
			name := names[r.IntN(len(names))]
			switch r.IntN(3) {
			case 0:
				c[name] = weird[r.IntN(len(weird))]
			case 1:
				if b := c[name]; len(b) > 0 {
					b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
				}
			default:
				c[name] = c[names[r.IntN(len(names))]]
			}
			out = append(out, c)
		}
		c := clone()
		up := []byte(names[0])
		up[0] -= 'a' - 'A'
		c[string(up)] = c[names[0]]
		out = append(out, c)
		moved := clone()
		moved[string(up)] = moved[names[0]]
		delete(moved, names[0])
		out = append(out, moved)
	}
	c := clone()
	c["no_such_field"] = weird[r.IntN(len(weird))]
	out = append(out, c)
	return out
}

// BenchmarkDecodeFields decodes a facility record's fields, as the
// server's validation and the app's lists do for every record; the slow
// sub-benchmark is the map round trip the fast path replaces.
func BenchmarkDecodeFields(b *testing.B) {
	f, err := EncodeFields(&Facility{Name: "城关镇敬老院", Kind: "nursing_home", Ownership: "public", Inclusive: true,
		Filing: "filed", Opened: "2020-01-02", Status: "open", Address: "城关镇建设路12号"})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		decode func(Fields, any) error
	}{{"fast", DecodeFields}, {"slow", slowDecodeFields}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var v Facility
				if err := bc.decode(f, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
