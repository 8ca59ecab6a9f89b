package agent

import (
	"testing"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// TestRecordsStoredBeforeTheCompactForm: a store whose records were
// written in Marshal's form (every store before the compact one) opens,
// reads and lists them as they were, and an edit rewrites the record
// compact with the edit merged.
func TestRecordsStoredBeforeTheCompactForm(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	s.SetScope(township)
	ch, err := s.Put(schema.KindFacility, "", village, facility("敬老院"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Get(schema.KindFacility, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := recordKey(want.Kind, want.Unit, want.ID)
	old := schema.MustMarshal(want)
	rawLen := func(s *Store) (n int) {
		if err := s.db.View(func(txn *badger.Txn) error {
			v, err := getRaw(txn, key)
			n = len(v)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if compact := rawLen(s); compact*2 > len(old) {
		t.Fatalf("record stored in %d bytes; Marshal's form takes %d", compact, len(old))
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, old) }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openAt(t, dir, Options{})
	defer s.Close()
	got, err := s.Get(schema.KindFacility, ch.ID)
	if err != nil || !got.Equal(want) {
		t.Fatalf("old record read as %+v, %v; want %+v", got, err, want)
	}
	listed := 0
	if err := s.List(schema.KindFacility, township, func(r *schema.Record) error {
		listed++
		if !r.Equal(want) {
			t.Errorf("old record listed as %+v, want %+v", r, want)
		}
		return nil
	}); err != nil || listed != 1 {
		t.Fatalf("listed %d records, %v", listed, err)
	}
	edited := facility("敬老院")
	edited.Address = "新地址"
	if _, err := s.Put(schema.KindFacility, ch.ID, village, edited); err != nil {
		t.Fatal(err)
	}
	got, err = s.Get(schema.KindFacility, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	var addr string
	if err := schema.UnmarshalStored(got.Fields["address"], &addr); err != nil || addr != "新地址" {
		t.Errorf("edited address %q, %v", addr, err)
	}
	if got.Versions["name"] != want.Versions["name"] || got.Versions["address"] == want.Versions["address"] {
		t.Errorf("versions after the edit %v, before %v", got.Versions, want.Versions)
	}
	if n := rawLen(s); n >= len(old) {
		t.Errorf("edited record stored in %d bytes, Marshal's form took %d: not rewritten compact", n, len(old))
	}
}
