package agent

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// TestRecordsStoredInOldForms: a store whose records were written in
// Marshal's form (every store before the compact one), or in the compact
// form that still held the kind, id and unit, opens, reads and lists them
// as they were, and an edit rewrites the record in the current form with
// the edit merged.
func TestRecordsStoredInOldForms(t *testing.T) {
	for name, old := range map[string]func(*schema.Record) []byte{
		"Marshal's form": func(r *schema.Record) []byte { return schema.MustMarshal(r) },
		"compact form with identity": func(r *schema.Record) []byte {
			// The map head (under 24 pairs: one byte) counts three
			// more, and keys 1–3 come first.
			b := schema.MarshalStoredRecord(r)
			o := schema.AppendText([]byte{b[0] + 3, 1}, string(r.Kind))
			o = schema.AppendText(append(o, 2), r.ID)
			o = schema.AppendText(append(o, 3), string(r.Unit))
			return append(o, b[1:]...)
		},
	} {
		t.Run(name, func(t *testing.T) { recordStoredInOldForm(t, old) })
	}
}

func recordStoredInOldForm(t *testing.T, oldForm func(*schema.Record) []byte) {
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
	old := oldForm(want)
	// The current form leaves out the id, which the key holds; the old
	// forms hold it.
	holdsID := func(s *Store) (held bool) {
		if err := s.db.View(func(txn *badger.Txn) error {
			v, err := getRaw(txn, key)
			held = bytes.Contains(v, []byte(want.ID))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return held
	}
	if holdsID(s) || !bytes.Contains(old, []byte(want.ID)) {
		t.Fatal("the record as stored holds its id, or the old form does not")
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
	if holdsID(s) {
		t.Error("the edited record holds its id: not rewritten in the current form")
	}
}

// TestSplitRecordKey: a record key gives back the kind, unit and id it
// was made of, an id with slashes too; other keys are refused.
func TestSplitRecordKey(t *testing.T) {
	for _, id := range []string{"0190f1e2-0000-7000-8000-000000000001", "a/b/c", "/", "老"} {
		kind, unit, got, ok := splitRecordKey(recordKey(schema.KindVisit, village, id))
		if !ok || kind != schema.KindVisit || unit != village || got != id {
			t.Errorf("id %q: split into %q %q %q, %v", id, kind, unit, got, ok)
		}
	}
	for _, k := range []string{"", "r/", "r/facility", "r/facility/511802001001", "i/facility/511802001001/x"} {
		if _, _, _, ok := splitRecordKey([]byte(k)); ok {
			t.Errorf("%q split as a record key", k)
		}
		if _, err := decodeRecord([]byte(k), nil); !errors.Is(err, errRecordKey) {
			t.Errorf("%q decoded as a record key: %v", k, err)
		}
	}
}
