package schema

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// recordViewSeeds are stored records as a store holds them: every kind
// written through Merge, so fields, versions and the delete are what sync
// makes, plus records deleted, revived after a delete, and buried by one.
func recordViewSeeds(t testing.TB) [][]byte {
	stamp := MakeStamp(now.UnixMilli(), 0)
	put := func(cur *Record, kind Kind, id string, unit Code, v any, s Stamp, dev string) *Record {
		f, err := EncodeFields(v)
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := Merge(cur, &Change{Kind: kind, ID: id, Unit: unit, Set: f, Stamp: s, Device: dev, Seq: 1})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	del := func(cur *Record, s Stamp, dev string) *Record {
		rec, _, err := Merge(cur, &Change{Kind: cur.Kind, ID: cur.ID, Unit: cur.Unit, Delete: true, Stamp: s, Device: dev, Seq: 2})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	const village Code = "511802001001"
	fac := put(nil, KindFacility, "01900000-0000-7000-8000-000000000001", village, validFacility(), stamp, "dev-1")
	recs := []*Record{
		fac,
		put(fac, KindFacility, fac.ID, village, Facility{Name: "改名", Medical: true}, stamp+5, "dev-2"),
		put(nil, KindCapacity, CapacityID("f1", "2025-05"), village, validCapacity(), stamp, "dev-1"),
		put(nil, KindPerson, "01900000-0000-7000-8000-000000000002", village, validPerson(t), stamp, "dev-1"),
		put(nil, KindVisit, "01900000-0000-7000-8000-000000000003", village, validVisit(), stamp, "dev-1"),
		put(nil, KindPopulation, PopulationID(village, 2024), village, validPopulation(), stamp, "dev-1"),
		put(nil, KindReported, ReportedID("511802", "pension_insurance_rate", "2024"), "511802", validReported(), stamp, "county"),
		put(nil, KindTarget, TargetID("5118", "nursing_bed_share", 2025), "5118", validTarget(), stamp, "city"),
		del(fac, stamp+10, "dev-1"), // deleted
		put(del(fac, stamp+10, "dev-1"), KindFacility, fac.ID, village, Facility{Name: "重建"}, stamp+20, "dev-2"), // revived
		del(put(fac, KindFacility, fac.ID, village, Facility{Name: "旧"}, stamp-5, "dev-3"), stamp+1, "dev-0"),    // older edit stays buried
		{Kind: KindFacility, ID: "empty", Unit: village},                                                         // no fields at all
	}
	var seeds [][]byte
	for _, r := range recs {
		seeds = append(seeds, MustMarshal(r))
	}
	// Encodings a deterministic encoder does not write but a store might
	// hold from before: the view declines them and Parse falls back.
	seeds = append(seeds,
		[]byte{0xa6, 0x01, 0x7f},                   // indefinite text
		cborMap(cborUint(1), cborText("facility")), // too few keys
		MustMarshal([]int{1, 2}),
		nil,
	)
	return seeds
}

// FuzzRecordView checks the hand-written reader against the encoding it
// mirrors: RecordView never panics on any bytes; for every encoding a
// store can hold (the deterministic encoding of a record, whose delete if
// any names its device) the in-place path reads it, and kind, id, unit,
// fields and deletion agree with the full decoder; and Parse, with its
// fallback, reads whatever the full decoder reads.
func FuzzRecordView(f *testing.F) {
	for _, s := range recordViewSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(checkRecordView)
}

func checkRecordView(t *testing.T, raw []byte) {
	var fast, full RecordView
	fastErr := fast.parseInPlace(raw)
	if fastErr == nil {
		readAll(&fast) // must not panic whatever the bytes
	}
	parseErr := full.Parse(raw)
	var rec Record
	if err := UnmarshalStored(raw, &rec); err != nil {
		return
	}
	if parseErr != nil {
		t.Fatalf("Parse refused what the decoder reads: %v\n%x", parseErr, raw)
	}
	agree(t, "Parse", &full, &rec, true)
	again, err := Marshal(&rec)
	stored := err == nil && bytes.Equal(again, raw) && (rec.Deleted.IsZero() || rec.Deleted.Device != "")
	if stored && fastErr != nil {
		t.Fatalf("the in-place path refused a stored encoding: %v\n%x", fastErr, raw)
	}
	if fastErr == nil {
		// Out of deterministic order, the suffix that settles deletion
		// may lie; everything else must still agree.
		agree(t, "parseInPlace", &fast, &rec, stored)
	}
}

// readAll touches every field through every reader.
func readAll(v *RecordView) {
	for it := v.Fields(); it.Next(); {
		FieldText(it.Value)
		FieldInt(it.Value)
		FieldBool(it.Value)
		FieldNumber(it.Value)
		EachFieldText(it.Value, func([]byte) {})
	}
}

// agree fails the test when the view disagrees with the decoded record.
func agree(t *testing.T, path string, v *RecordView, rec *Record, deletion bool) {
	t.Helper()
	if string(v.Kind) != string(rec.Kind) || string(v.ID) != rec.ID || string(v.Unit) != string(rec.Unit) {
		t.Fatalf("%s: %q %q %q, decoder %q %q %q", path, v.Kind, v.ID, v.Unit, rec.Kind, rec.ID, rec.Unit)
	}
	if deletion && v.Deleted != rec.IsDeleted() {
		t.Fatalf("%s: deleted %v, decoder %v", path, v.Deleted, rec.IsDeleted())
	}
	n := 0
	for it := v.Fields(); it.Next(); n++ {
		if want, ok := rec.Fields[string(it.Name)]; !ok || !bytes.Equal(it.Value, want) {
			t.Fatalf("%s: field %q = %x, decoder %x (present %v)", path, it.Name, it.Value, want, ok)
		}
	}
	if n != len(rec.Fields) {
		t.Fatalf("%s: %d fields, decoder %d", path, n, len(rec.Fields))
	}
}

// TestRecordViewSeeds runs the fuzz property on the seeds and on random
// one-byte mutations of them, so plain go test covers it.
func TestRecordViewSeeds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range recordViewSeeds(t) {
		checkRecordView(t, s)
		for range 200 {
			m := append([]byte(nil), s...)
			if len(m) > 0 {
				m[rng.IntN(len(m))] = byte(rng.IntN(256))
			}
			checkRecordView(t, m)
		}
	}
}
