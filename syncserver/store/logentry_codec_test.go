package store

import (
	"bytes"
	"testing"
	"time"

	"laoxiao/schema"
)

// plainEntry is LogEntry without its MarshalCBOR: what the reflective
// encoder makes of the same tags.
type plainEntry struct {
	Seq      uint64        `cbor:"1,keyasint"`
	Change   schema.Change `cbor:"2,keyasint"`
	Account  string        `cbor:"3,keyasint"`
	Received time.Time     `cbor:"4,keyasint"`
}

func TestLogEntryMarshalIsReflective(t *testing.T) {
	set, err := schema.EncodeFields(schema.Facility{Name: "敬老院", Kind: schema.FKTekunHome, Address: "幸福路1号"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []LogEntry{
		{},
		{Seq: 1 << 40, Account: "dev", Received: time.Date(2026, 11, 28, 6, 0, 0, 123456789, time.UTC),
			Change: schema.Change{Kind: schema.KindFacility, ID: schema.NewID(), Unit: "511802001001", Set: set,
				Stamp: schema.MakeStamp(time.Now().UnixMilli(), 7), Device: "dev", Seq: 300}},
		{Seq: 23, Change: schema.Change{Kind: schema.KindPerson, ID: "p", Unit: "511802", Delete: true, Seq: 24}},
		{Seq: 2, Received: time.Unix(-5, 0)},
		{Seq: 3, Received: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		{Seq: 4, Received: time.Unix(0, 0)},
		{Seq: 5, Received: time.Unix(1<<40, 999999999).In(time.FixedZone("CST", 8*3600))},
	} {
		want := schema.MustMarshal(plainEntry(e))
		for _, v := range []any{e, &e, []LogEntry{e}} {
			got := schema.MustMarshal(v)
			if _, isSlice := v.([]LogEntry); isSlice {
				want := schema.MustMarshal([]plainEntry{plainEntry(e)})
				if !bytes.Equal(got, want) {
					t.Fatalf("slice:\n got %x\nwant %x", got, want)
				}
				continue
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%T:\n got %x\nwant %x", v, got, want)
			}
		}
		var back LogEntry
		if err := schema.UnmarshalStored(want, &back); err != nil || back.Seq != e.Seq || back.Change.ID != e.Change.ID {
			t.Fatalf("decode: %v %+v", err, back)
		}
	}
}
