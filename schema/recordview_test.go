package schema

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

func TestRecordViewMatchesDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ver := func(s uint64, d string) Version { return Version{Stamp: Stamp(s), Device: d} }
	values := []any{"", "monthly", "一个很长的名字" + string(bytes.Repeat([]byte("x"), 300)), int64(0), int64(23), int64(-5),
		int64(1 << 40), true, false, 95.5, 0.1, []string{"tekun", "disabled"}, []string{}}
	for i := range 200 {
		rec := &Record{Kind: Kinds[rng.IntN(len(Kinds))], ID: NewID(), Unit: "511802001001",
			Fields: Fields{}, Versions: map[string]Version{}}
		for j := range rng.IntN(12) {
			name := string(rune('a'+j)) + "field"
			rec.Fields[name] = MustMarshal(values[rng.IntN(len(values))])
			rec.Versions[name] = ver(uint64(10+rng.IntN(10)), "d")
		}
		switch i % 4 {
		case 1:
			rec.Deleted = ver(15, "d") // deleted or not, by the field versions
		case 2:
			rec.Deleted = ver(100, "z") // deleted
		}
		raw := MustMarshal(rec)
		var v RecordView
		if err := v.parseInPlace(raw); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if string(v.Kind) != string(rec.Kind) || string(v.ID) != rec.ID || string(v.Unit) != string(rec.Unit) {
			t.Fatalf("record %d: view %s %s %s, want %s %s %s", i, v.Kind, v.ID, v.Unit, rec.Kind, rec.ID, rec.Unit)
		}
		if v.Deleted != rec.IsDeleted() {
			t.Errorf("record %d: deleted %v, want %v", i, v.Deleted, rec.IsDeleted())
		}
		seen := 0
		for it := v.Fields(); it.Next(); {
			seen++
			if !bytes.Equal(it.Value, rec.Fields[string(it.Name)]) {
				t.Errorf("record %d field %s: %x, want %x", i, it.Name, it.Value, rec.Fields[string(it.Name)])
			}
		}
		if seen != len(rec.Fields) {
			t.Errorf("record %d: %d fields, want %d", i, seen, len(rec.Fields))
		}
	}
}

func TestFieldValueReaders(t *testing.T) {
	for _, f := range []float64{0, 1, -2, 95, 95.5, 0.1, 1e-7, 65504, 3.4e38, 1e300, 2.5e-5} {
		got, ok := numberValue(MustMarshal(f))
		if !ok || got != f {
			t.Errorf("number(%v) = %v, %v", f, got, ok)
		}
	}
	if got, ok := numberValue([]byte{0xf9, 0x7c, 0x00}); !ok || !math.IsInf(got, 1) {
		t.Errorf("half-precision infinity read as %v", got)
	}
	// Encodings a deterministic encoder would not write still read right,
	// through the general decoder where the fast path declines.
	if n := FieldInt([]byte{0x18, 0x05}); n != 5 {
		t.Errorf("i64 of a long-form 5 = %d", n)
	}
	if s := FieldText([]byte{0x78, 0x03, 'a', 'b', 'c'}); string(s) != "abc" {
		t.Errorf("str of a long-form text = %q", s)
	}
	if s := FieldText([]byte{0xf6}); len(s) != 0 {
		t.Errorf("str of null = %q", s)
	}
	if n := FieldInt(MustMarshal("12")); n != 0 {
		t.Errorf("i64 of a string = %d, want 0 as the typed decoder gives", n)
	}
	var got []string
	EachFieldText(MustMarshal([]string{"a", "b"}), func(b []byte) { got = append(got, string(b)) })
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("eachStr read %v", got)
	}
	var v RecordView
	for _, bad := range [][]byte{nil, {0xa1}, {0x01}, MustMarshal([]int{1, 2}), {0xa6, 0x01, 0x7f}} {
		if err := v.parseInPlace(bad); err == nil {
			t.Errorf("parse(%x) succeeded", bad)
		}
	}
}
