package schema

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// randomFields makes field maps with names of every head size (short,
// 24+ and 256+ bytes, non-ASCII) and values of several kinds, empty ones
// included.
func randomFields(rng *rand.Rand) Fields {
	f := Fields{}
	n := rng.IntN(12)
	for i := 0; i < n; i++ {
		var name string
		switch rng.IntN(5) {
		case 0:
			name = strings.Repeat("n", rng.IntN(30))
		case 1:
			name = strings.Repeat("长", 1+rng.IntN(100))
		default:
			name = string(rune('a'+rng.IntN(26))) + strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(8))
		}
		var v []byte
		switch rng.IntN(5) {
		case 0:
			v = MustMarshal(rng.Int64N(1 << 40))
		case 1:
			v = MustMarshal(strings.Repeat("文", rng.IntN(200)))
		case 2:
			v = MustMarshal([]string{"a", "b"})
		case 3:
			v = MustMarshal(rng.IntN(2) == 0)
		}
		f[name] = v
	}
	return f
}

func TestMarshalFieldsIsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		f := randomFields(rng)
		want, err := Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := marshalFields(f); !bytes.Equal(got, want) {
			t.Fatalf("fields %v:\n got %x\nwant %x", f, got, want)
		}
	}
	if got := marshalFields(nil); !bytes.Equal(got, MustMarshal(Fields(nil))) {
		t.Fatalf("nil fields: %x", got)
	}
}

func randomChange(rng *rand.Rand) Change {
	ch := Change{Kind: Kinds[rng.IntN(len(Kinds))], ID: NewID(), Unit: "511802001001",
		Stamp: Stamp(rng.Uint64() >> rng.IntN(64)), Device: strings.Repeat("d", rng.IntN(40)), Seq: rng.Uint64() >> rng.IntN(64)}
	if rng.IntN(4) == 0 {
		ch.Delete = true
	} else {
		ch.Set = randomFields(rng)
	}
	return ch
}

func randomRecord(rng *rand.Rand) *Record {
	r := &Record{Kind: KindPerson, ID: NewID(), Unit: "511802001", Fields: randomFields(rng)}
	if rng.IntN(3) > 0 {
		r.Versions = map[string]Version{}
		for name := range r.Fields {
			r.Versions[name] = Version{Stamp: Stamp(rng.Uint64() >> rng.IntN(64)), Device: NewID()}
		}
	}
	if rng.IntN(3) == 0 {
		r.Deleted = Version{Stamp: Stamp(rng.Uint64()), Device: "x"}
	}
	return r
}

// TestFastMarshalIsMarshal checks the hand-written encoders against the
// reflective one, byte for byte.
func TestFastMarshalIsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	same := func(what string, v any) {
		t.Helper()
		want, err := encMode.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s %+v:\n got %x\nwant %x", what, v, got, want)
		}
	}
	for i := 0; i < 1000; i++ {
		ch := randomChange(rng)
		same("change", &ch)
		same("record", randomRecord(rng))
		up := &Upload{Batch: rng.Uint64() >> rng.IntN(64), First: rng.Uint64() >> rng.IntN(64)}
		d := &Download{Cursor: rng.Uint64() >> rng.IntN(64), CaughtUp: rng.IntN(2) == 0}
		for j := rng.IntN(30); j > 0; j-- {
			up.Changes = append(up.Changes, randomChange(rng))
			d.Entries = append(d.Entries, LogEntry{Seq: rng.Uint64() >> rng.IntN(64), Change: randomChange(rng)})
		}
		same("upload", &Msg{Type: MsgUpload, Upload: up})
		same("download", &Msg{Type: MsgDownload, Download: d})
	}
	same("empty record", &Record{})
	same("empty download", &Msg{Type: MsgDownload, Download: &Download{}})
	same("ack", &Msg{Type: MsgAck, Ack: &Ack{Batch: 1}})
}

func TestChangeStamp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 500; i++ {
		ch := randomChange(rng)
		got, ok := ChangeStamp(MustMarshal(&ch))
		if !ok || got != ch.Stamp {
			t.Fatalf("stamp %v %v, want %v", got, ok, ch.Stamp)
		}
	}
	if _, ok := ChangeStamp(MustMarshal(Fields{"a": MustMarshal(1)})); ok {
		t.Fatal("a map without key 6 has no stamp")
	}
}

func benchRecord(b *testing.B) *Record {
	f, err := EncodeFields(Facility{Name: "第1养老机构", Kind: FKElderlyInstitution, Ownership: OwnPublic,
		Filing: FilingFiled, Opened: "2019-03-01", Status: StatusOperating, Address: "幸福路1号"})
	if err != nil {
		b.Fatal(err)
	}
	r, _, err := Merge(nil, &Change{Kind: KindFacility, ID: NewID(), Unit: "511802001001", Set: f, Stamp: 1 << 30, Device: NewID(), Seq: 1})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func BenchmarkMarshalRecord(b *testing.B) {
	r := benchRecord(b)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			MustMarshal(r)
		}
	})
	b.Run("reflective", func(b *testing.B) {
		for b.Loop() {
			if _, err := encMode.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCanonicalScalarAgreesWithRoundTrip feeds short byte strings, most
// of them broken, to the in-place check: whatever it accepts, the decode
// and re-encode round trip must accept too, and it must accept every
// canonical encoding.
func TestCanonicalScalarAgreesWithRoundTrip(t *testing.T) {
	types := []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[int64](),
		reflect.TypeFor[int](), reflect.TypeFor[FacilityKind](), reflect.TypeFor[int32]()}
	slow := func(raw []byte, typ reflect.Type) error {
		pv := reflect.New(typ)
		if err := UnmarshalWire(raw, pv.Interface()); err != nil {
			return err
		}
		re, err := encMode.Marshal(pv.Elem().Interface())
		if err != nil || !bytes.Equal(re, raw) {
			return errors.New("not canonical")
		}
		return nil
	}
	rng := rand.New(rand.NewPCG(7, 8))
	heads := []byte{0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x20, 0x38, 0x3b, 0x60, 0x61, 0x77, 0x78, 0x79, 0xf4, 0xf5, 0xf6, 0x7f, 0x80, 0xa0, 0xc0, 0xfb}
	for i := 0; i < 200000; i++ {
		raw := []byte{heads[rng.IntN(len(heads))]}
		for j := rng.IntN(10); j > 0; j-- {
			c := byte(rng.IntN(256))
			if rng.IntN(3) > 0 {
				c = byte('a' + rng.IntN(26))
			}
			raw = append(raw, c)
		}
		for _, typ := range types {
			if canonicalScalar(raw, typ) && slow(raw, typ) != nil {
				t.Fatalf("%x accepted as %s, the round trip refuses it", raw, typ)
			}
		}
	}
	for _, v := range []any{"", "敬老院", strings.Repeat("x", 300), true, false, int64(0), int64(-1), int64(23), int64(24),
		int64(-25), int64(1) << 40, int64(math.MaxInt64), int64(math.MinInt64)} {
		raw := MustMarshal(v)
		if !canonicalScalar(raw, reflect.TypeOf(v)) {
			t.Fatalf("%v (%x) not accepted", v, raw)
		}
	}
}

func BenchmarkMergeNew(b *testing.B) {
	r := benchRecord(b)
	ch := &Change{Kind: r.Kind, ID: r.ID, Unit: r.Unit, Set: r.Fields, Stamp: 1 << 31, Device: NewID(), Seq: 2}
	for b.Loop() {
		if _, _, err := Merge(nil, ch); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFastDecodeIsReflective decodes encoded changes and records, whole
// and with bytes flipped, both ways: whatever the in-place decoder
// accepts, the reflective one must decode to the same value.
func TestFastDecodeIsReflective(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	check := func(data []byte, fresh func() any) bool {
		t.Helper()
		fast, slow := fresh(), fresh()
		if !fastUnmarshalStored(data, fast) {
			return false
		}
		if err := storeDec.Unmarshal(data, slow); err != nil {
			t.Fatalf("%x: in place %+v, reflective refuses: %v", data, fast, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%x:\nin place   %+v\nreflective %+v", data, fast, slow)
		}
		return true
	}
	newChange := func() any { return new(Change) }
	newRecord := func() any { return new(Record) }
	for i := 0; i < 3000; i++ {
		ch := randomChange(rng)
		if i%7 == 0 {
			ch.Set = Fields{}
		}
		enc := MustMarshal(&ch)
		if !check(enc, newChange) {
			t.Fatalf("change %x not decoded in place", enc)
		}
		rec := randomRecord(rng)
		encR := MustMarshal(rec)
		if !check(encR, newRecord) {
			t.Fatalf("record %x not decoded in place", encR)
		}
		for j := 0; j < 20; j++ {
			for _, c := range []struct {
				b     []byte
				fresh func() any
			}{{enc, newChange}, {encR, newRecord}} {
				m := append([]byte(nil), c.b...)
				m[rng.IntN(len(m))] = byte(rng.IntN(256))
				if rng.IntN(4) == 0 {
					m = m[:rng.IntN(len(m))]
				}
				check(m, c.fresh)
			}
		}
	}
	// A value already holding data is left to the reflective decoder.
	ch := Change{ID: "x"}
	if fastUnmarshalStored(MustMarshal(&Change{Kind: KindFacility}), &ch) {
		t.Fatal("decoded in place over a non-zero change")
	}
}

func BenchmarkUnmarshalRecord(b *testing.B) {
	enc := MustMarshal(benchRecord(b))
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			var r Record
			if err := UnmarshalStored(enc, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reflective", func(b *testing.B) {
		for b.Loop() {
			var r Record
			if err := storeDec.Unmarshal(enc, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
