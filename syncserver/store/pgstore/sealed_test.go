package pgstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os/exec"
	"testing"
	"time"

	"laoxiao/internal/pgtest"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/storetest"
)

var testKey = bytes.Repeat([]byte{7}, 32)

// TestConformanceSealed runs the suite on a store with a key: persons'
// fields go in encrypted and come back as they were.
func TestConformanceSealed(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := OpenWith(context.Background(), cluster.NewDatabase(t), Options{Logger: quiet(), Key: testKey})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

const (
	personName = "徐秀怡"
	personID   = "511802195703280118"
)

// putPerson commits a person record and the change that made it.
func putPerson(t *testing.T, st *Store) *schema.Record {
	t.Helper()
	f, err := schema.EncodeFields(schema.Person{Name: personName, IDNumber: personID, BirthDate: "1957-03-28"})
	if err != nil {
		t.Fatal(err)
	}
	ch := schema.Change{Kind: schema.KindPerson, ID: "p1", Unit: "511802001001", Set: f, Stamp: 5, Device: "d", Seq: 1}
	rec, _, err := schema.Merge(nil, &ch)
	if err != nil {
		t.Fatal(err)
	}
	g := &store.Group{Records: []*schema.Record{rec}, Log: []store.LogEntry{{Seq: 1, Change: ch, Account: "d", Received: time.Now()}}}
	if err := st.Commit(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return rec
}

// stored returns every byte the database holds for records and log, and
// a plain-format pg_dump of it.
func stored(t *testing.T, st *Store, url string) (rows, dump []byte) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{`SELECT value FROM laoxiao_records`, `SELECT entry FROM laoxiao_log`} {
		r, err := st.Pool().Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			rows = append(rows, r.RawValues()[0]...)
		}
		r.Close()
	}
	pgDump, err := pgtest.Tool("pg_dump")
	if err != nil {
		t.Fatal(err)
	}
	dump, err = exec.Command(pgDump, "--format=plain", "--dbname", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	return rows, dump
}

// reveals reports whether b holds the person's name or ID number, as is
// or as pg_dump writes bytea (hex).
func reveals(b []byte) bool {
	for _, s := range []string{personName, personID} {
		if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(hex.EncodeToString([]byte(s)))) {
			return true
		}
	}
	return false
}

// TestPersonsSealed: with a key, neither the tables nor a dump hold a
// person's name or ID number, while every read gives them back; without
// the key (or with another) the store does not open.
func TestPersonsSealed(t *testing.T) {
	ctx := context.Background()
	// The control: a plain store reveals the person, so the check bites.
	plain, plainURL := openNew(t)
	putPerson(t, plain)
	if rows, dump := stored(t, plain, plainURL); !reveals(rows) || !reveals(dump) {
		t.Fatal("control: a plain store's rows and dump should show the person")
	}
	plain.Close()
	if _, err := OpenWith(ctx, plainURL, Options{Logger: quiet(), Key: testKey}); !errors.Is(err, store.ErrNotEncrypted) {
		t.Errorf("key for a plain store with data: %v, want ErrNotEncrypted", err)
	}

	url := cluster.NewDatabase(t)
	st, err := OpenWith(ctx, url, Options{Logger: quiet(), Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := putPerson(t, st)
	rows, dump := stored(t, st, url)
	if reveals(rows) || reveals(dump) {
		t.Error("the database holds the person's name or ID number in plain text")
	}
	got, err := st.Record(ctx, schema.KindPerson, "p1")
	if err != nil || !got.Equal(want) {
		t.Errorf("read back: %+v, %v; want %+v", got, err, want)
	}
	n := 0
	st.ScanRecordsRaw(ctx, "5118", func(raw []byte) error {
		var p schema.Person
		var r schema.Record
		if err := schema.UnmarshalStored(raw, &r); err != nil {
			return err
		}
		r.Decode(&p)
		if p.Name != personName || p.IDNumber != personID {
			t.Errorf("raw scan gives %q %q", p.Name, p.IDNumber)
		}
		n++
		return nil
	})
	if n != 1 {
		t.Errorf("raw scan found %d records, want 1", n)
	}
	st.LogAfter(ctx, "", "", 0, 10, func(*store.LogEntry) bool { return true }, func(e *store.LogEntry) error {
		var p schema.Person
		schema.DecodeFields(e.Change.Set, &p)
		if p.Name != personName {
			t.Errorf("log entry gives name %q", p.Name)
		}
		return nil
	})
	found, err := st.PersonsByIDNumber(ctx, " 511802195703280118 ")
	if err != nil || len(found) != 1 || found[0].ID != "p1" {
		t.Errorf("by ID number: %v, %v; want p1", found, err)
	}
	if found, _ := st.PersonsByIDNumber(ctx, "51180219570328011X"); len(found) != 0 {
		t.Errorf("another ID number found %d persons", len(found))
	}
	if _, err := OpenWith(ctx, url, Options{Logger: quiet()}); !errors.Is(err, store.ErrKeyRequired) {
		t.Errorf("open without the key: %v, want ErrKeyRequired", err)
	}
	if _, err := OpenWith(ctx, url, Options{Logger: quiet(), Key: bytes.Repeat([]byte{8}, 32)}); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("open with another key: %v, want ErrWrongKey", err)
	}
}
