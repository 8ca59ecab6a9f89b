package indicators

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"laoxiao/schema"
)

func TestRecordViewMatchesDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ver := func(s uint64, d string) schema.Version { return schema.Version{Stamp: schema.Stamp(s), Device: d} }
	values := []any{"", "monthly", "一个很长的名字" + string(bytes.Repeat([]byte("x"), 300)), int64(0), int64(23), int64(-5),
		int64(1 << 40), true, false, 95.5, 0.1, []string{"tekun", "disabled"}, []string{}}
	for i := range 200 {
		rec := &schema.Record{Kind: schema.Kinds[rng.IntN(len(schema.Kinds))], ID: schema.NewID(), Unit: "511802001001",
			Fields: schema.Fields{}, Versions: map[string]schema.Version{}}
		for j := range rng.IntN(12) {
			name := string(rune('a'+j)) + "field"
			rec.Fields[name] = schema.MustMarshal(values[rng.IntN(len(values))])
			rec.Versions[name] = ver(uint64(10+rng.IntN(10)), "d")
		}
		switch i % 4 {
		case 1:
			rec.Deleted = ver(15, "d") // deleted or not, by the field versions
		case 2:
			rec.Deleted = ver(100, "z") // deleted
		}
		raw := schema.MustMarshal(rec)
		var v recordView
		if err := v.parse(raw); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if string(v.kind) != string(rec.Kind) || string(v.id) != rec.ID || string(v.unit) != string(rec.Unit) {
			t.Fatalf("record %d: view %s %s %s, want %s %s %s", i, v.kind, v.id, v.unit, rec.Kind, rec.ID, rec.Unit)
		}
		if v.deleted != rec.IsDeleted() {
			t.Errorf("record %d: deleted %v, want %v", i, v.deleted, rec.IsDeleted())
		}
		seen := 0
		for it := v.iter(); it.next(); {
			seen++
			if !bytes.Equal(it.val, rec.Fields[string(it.name)]) {
				t.Errorf("record %d field %s: %x, want %x", i, it.name, it.val, rec.Fields[string(it.name)])
			}
		}
		if seen != len(rec.Fields) {
			t.Errorf("record %d: %d fields, want %d", i, seen, len(rec.Fields))
		}
	}
}

func TestFieldReaders(t *testing.T) {
	for _, f := range []float64{0, 1, -2, 95, 95.5, 0.1, 1e-7, 65504, 3.4e38, 1e300, 2.5e-5} {
		got, ok := number(schema.MustMarshal(f))
		if !ok || got != f {
			t.Errorf("number(%v) = %v, %v", f, got, ok)
		}
	}
	if got, ok := number([]byte{0xf9, 0x7c, 0x00}); !ok || !math.IsInf(got, 1) {
		t.Errorf("half-precision infinity read as %v", got)
	}
	// Encodings a deterministic encoder would not write still read right,
	// through the general decoder where the fast path declines.
	if n := i64([]byte{0x18, 0x05}); n != 5 {
		t.Errorf("i64 of a long-form 5 = %d", n)
	}
	if s := str([]byte{0x78, 0x03, 'a', 'b', 'c'}); string(s) != "abc" {
		t.Errorf("str of a long-form text = %q", s)
	}
	if s := str([]byte{0xf6}); len(s) != 0 {
		t.Errorf("str of null = %q", s)
	}
	if n := i64(schema.MustMarshal("12")); n != 0 {
		t.Errorf("i64 of a string = %d, want 0 as the typed decoder gives", n)
	}
	var got []string
	eachStr(schema.MustMarshal([]string{"a", "b"}), func(b []byte) { got = append(got, string(b)) })
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("eachStr read %v", got)
	}
	var v recordView
	for _, bad := range [][]byte{nil, {0xa1}, {0x01}, schema.MustMarshal([]int{1, 2}), {0xa6, 0x01, 0x7f}} {
		if err := v.parse(bad); err == nil {
			t.Errorf("parse(%x) succeeded", bad)
		}
	}
}

func TestPeriods(t *testing.T) {
	for _, c := range []struct {
		in        string
		last      string
		first, lm int
	}{{"2025", "2025-12", 2025 * 12, 2025*12 + 11}, {"2025-03", "2025-03", 2025*12 + 2, 2025*12 + 2}} {
		p, err := ParsePeriod(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if p.String() != c.in || p.LastMonth() != c.last || p.firstMonthIndex() != c.first || p.lastMonthIndex() != c.lm {
			t.Errorf("%s: %s %s %d %d", c.in, p, p.LastMonth(), p.firstMonthIndex(), p.lastMonthIndex())
		}
	}
	for _, bad := range []string{"", "25", "2025-13", "2025-1", "abcd", "1800"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) succeeded", bad)
		}
	}
	if monthIndex([]byte("2025-00")) != -1 || dateMonthIndex([]byte("2025-06-01")) != 2025*12+5 {
		t.Error("month index")
	}
}
