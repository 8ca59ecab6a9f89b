package schema

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomRecord makes a record of the shapes merging produces and a few it
// never should but a store must still keep: fields of several versions,
// versions without a field, fields without a version, deletes.
func randomStoredRecord(rng *rand.Rand) *Record {
	versions := []Version{{Stamp: 10, Device: "0192f0c1-0000-7000-8000-000000000001"}, {Stamp: 10, Device: "b"},
		{Stamp: 7, Device: "0192f0c1-0000-7000-8000-000000000001"}, {Stamp: 99, Device: "设备"}, {}}
	r := &Record{Kind: KindFacility, ID: fmt.Sprint("id-", rng.IntN(1000)), Unit: village, Fields: Fields{}, Versions: map[string]Version{}}
	names := []string{"name", "kind", "address", "opened", "status", "inclusive", "a", "bb", "备注"}
	for _, name := range names[:rng.IntN(len(names)+1)] {
		if rng.IntN(8) > 0 {
			r.Fields[name] = MustMarshal(fmt.Sprint("值", rng.IntN(100)))
		}
		if rng.IntN(8) > 0 {
			v := versions[0]
			if rng.IntN(3) == 0 {
				v = versions[rng.IntN(len(versions))]
			}
			r.Versions[name] = v
		}
	}
	if rng.IntN(4) == 0 {
		r.Deleted = versions[rng.IntN(len(versions)-1)]
	}
	return r
}

// TestStoredRecordRoundTrip: the compact form gives back the record it
// was made from, in both forms a store may hold, and encodes a record the
// same way every time.
func TestStoredRecordRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 3000; i++ {
		r := randomStoredRecord(rng)
		b := MarshalStoredRecord(r)
		var got Record
		if err := UnmarshalStoredRecord(b, r.Kind, r.Unit, r.ID, &got); err != nil {
			t.Fatalf("record %+v: %v", r, err)
		}
		if !got.Equal(r) {
			t.Fatalf("compact form of %+v decoded to %+v", r, got)
		}
		if again := MarshalStoredRecord(&got); !bytes.Equal(again, b) {
			t.Fatalf("%+v encodes to %x, then to %x", r, b, again)
		}
		if bytes.Contains(b, []byte(r.ID)) {
			t.Fatalf("compact form %x holds the id %s, which the key holds", b, r.ID)
		}
		// The forms written before: they hold their kind, id and unit,
		// which win over the key's (here none).
		for name, old := range map[string][]byte{"Marshal's form": MustMarshal(r), "compact form with identity": compactWithIdentity(r)} {
			var back Record
			if err := UnmarshalStoredRecord(old, "", "", "", &back); err != nil || !back.Equal(r) {
				t.Fatalf("%s of %+v decoded to %+v, %v", name, r, back, err)
			}
		}
	}
}

// compactWithIdentity is r in the compact form as written before it left
// out the kind, id and unit (keys 1–3, ahead of the others).
func compactWithIdentity(r *Record) []byte {
	b := MarshalStoredRecord(r)
	n, rest, _ := viewHeader(b, 5)
	old := appendHead(nil, 5, uint64(n+3))
	old = appendText(appendKey(old, 1), string(r.Kind))
	old = appendText(appendKey(old, 2), r.ID)
	old = appendText(appendKey(old, 3), string(r.Unit))
	return append(old, rest...)
}

// TestStoredRecordRefusesDamage: a cut compact record is refused, and a
// changed one is refused or decodes to a record that keeps its values
// through another round trip; no damage makes the reader fail otherwise.
func TestStoredRecordRefusesDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for i := 0; i < 50; i++ {
		r := randomStoredRecord(rng)
		for _, b := range [][]byte{MarshalStoredRecord(r), compactWithIdentity(r)} {
			refusesDamage(t, b)
		}
	}
}

// refusesDamage: b changed in any one byte is refused or decodes to a
// record that survives a round trip; b cut short is refused.
func refusesDamage(t *testing.T, b []byte) {
	t.Helper()
	for at := range b {
		for _, v := range []byte{0x00, 0x07, 0x18, 0x60, 0x80, 0xa1, 0xff} {
			d := bytes.Clone(b)
			d[at] = v
			if r, ok := viewStoredRecord(d); ok {
				var again Record
				if err := UnmarshalStoredRecord(MarshalStoredRecord(&r), r.Kind, r.Unit, r.ID, &again); err != nil || !again.Equal(&r) {
					t.Fatalf("damaged %x decoded to %+v, which does not survive a round trip (%v)", d, r, err)
				}
			}
		}
		if _, ok := viewStoredRecord(b[:at]); ok {
			t.Fatalf("a record cut to %d of %d bytes decoded", at, len(b))
		}
	}
}

// TestMarshalNewRecord: the record a change makes from nothing is stored
// as MarshalStoredRecord stores the merged record.
func TestMarshalNewRecord(t *testing.T) {
	for _, m := range sampleMsgs(t) {
		if m.Upload == nil {
			continue
		}
		for _, ch := range m.Upload.Changes {
			if ch.Delete || len(ch.Set) == 0 {
				continue
			}
			r, _, err := Merge(nil, &ch)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := MarshalNewRecord(&ch), MarshalStoredRecord(r); !bytes.Equal(got, want) {
				t.Errorf("%s %s: %x, want %x", ch.Kind, ch.ID, got, want)
			}
		}
	}
}

// TestStoredRecordIsSmall: a record one change wrote keeps its version
// once, not once per field.
func TestStoredRecordIsSmall(t *testing.T) {
	set, err := EncodeFields(validFacility())
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := Merge(nil, &Change{Kind: KindFacility, ID: "0190f1e2-0000-7000-8000-000000000001", Unit: village, Set: set,
		Stamp: MakeStamp(1_750_000_000_000, 3), Device: "0192f0c1-0000-7000-8000-000000000001", Seq: 1})
	if err != nil {
		t.Fatal(err)
	}
	compact, full := len(MarshalStoredRecord(r)), len(MustMarshal(r))
	if compact*2 > full {
		t.Errorf("compact form %d bytes, Marshal's %d: want under half", compact, full)
	}
}
