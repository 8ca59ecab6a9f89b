package agent

import (
	"bytes"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// TestErasureForgetsKeptIdentity: the county's erasure of a person, once
// downloaded, leaves no name or ID number in the acked changes the laptop
// keeps for a server restore; the person's other fields stay there, and a
// facility's kept change is untouched.
func TestErasureForgetsKeptIdentity(t *testing.T) {
	s := openAt(t, t.TempDir(), Options{})
	idn, err := schema.CompleteIDNumber("51180219400101001")
	if err != nil {
		t.Fatal(err)
	}
	p := mustPut(t, s, schema.KindPerson, "", village, schema.Person{Name: "赵德明", IDNumber: idn, BirthDate: "1940-01-01",
		Categories: []schema.PersonCategory{schema.CatOldest}, Status: schema.PersonDied, LeftOn: "2020-03-01"})
	mustPut(t, s, schema.KindFacility, "", village, facility("赵家敬老院"))
	mustRelease(t, s, 2)

	set, err := schema.EncodeFields(&schema.Person{ErasedOn: "2026-11-28"})
	if err != nil {
		t.Fatal(err)
	}
	erase := schema.Fields{"erased_on": set["erased_on"], "name": set["name"], "id_number": set["id_number"], "birth_date": set["birth_date"]}
	entry := schema.LogEntry{Seq: 1, Change: schema.Change{Kind: schema.KindPerson, ID: p.ID, Unit: village, Set: erase,
		Stamp: p.Stamp + 1000, Device: "server", Seq: 1}}
	if _, err := s.ApplyRemote([]schema.LogEntry{entry}, 1); err != nil {
		t.Fatal(err)
	}
	var kept [][]byte
	err = s.db.View(func(txn *badger.Txn) error {
		return scanSeq(txn, prefixKept, 0, func(_ uint64, v []byte) (bool, error) {
			kept = append(kept, v)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 2 {
		t.Fatalf("%d kept changes, want the person's and the facility's", len(kept))
	}
	for _, v := range kept {
		if bytes.Contains(v, []byte(idn)) || bytes.Contains(v, []byte("赵德明")) {
			t.Errorf("a kept change still holds the erased identity: %q", v)
		}
	}
	if !bytes.Contains(kept[0], []byte("2020-03-01")) || !bytes.Contains(kept[1], []byte("赵家敬老院")) {
		t.Error("forgetting the identity took more than the identity")
	}
}
