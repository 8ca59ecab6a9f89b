package schema

import (
	"strings"
	"testing"
)

// TestChangeSizeBoundsEncoding: batches are cut by summed ChangeSize
// against BatchBudget, half a frame. That is safe only while the estimate
// never falls below what a change really encodes to, long notes included.
func TestChangeSizeBoundsEncoding(t *testing.T) {
	changes := sampleMsgs(t)[3].Upload.Changes
	note, err := EncodeFields(Person{Name: "李四", BirthDate: "1938-05-06", Note: strings.Repeat("独居,需每周探访。", 2000)})
	if err != nil {
		t.Fatal(err)
	}
	changes = append(changes, Change{Kind: KindPerson, ID: "p-long", Unit: village, Set: note, Stamp: MakeStamp(1_750_000_000_003, 0), Device: "dev-1", Seq: 5})
	for _, ch := range changes {
		b, err := Marshal(&ch)
		if err != nil {
			t.Fatal(err)
		}
		if got := ChangeSize(&ch); got < len(b) {
			t.Errorf("%s %s: ChangeSize %d, encoded %d bytes", ch.Kind, ch.ID, got, len(b))
		}
	}
}

func TestChangeSizeGrowsWithFields(t *testing.T) {
	bare := Change{Kind: KindFacility, ID: "f1", Unit: village, Device: "dev-1"}
	withField := bare
	withField.Set = Fields{"name": MustMarshal("养老院")}
	if ChangeSize(&withField) <= ChangeSize(&bare) {
		t.Fatalf("a field adds nothing: %d vs %d", ChangeSize(&withField), ChangeSize(&bare))
	}
}
