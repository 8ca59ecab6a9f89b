package badgerstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"laoxiao/internal/plaintext"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// personGroup is what ingest commits for n new persons: the merged records
// and their log entries, both carrying the name and the ID number.
func personGroup(t *testing.T, people [][2]string) *store.Group {
	t.Helper()
	g := &store.Group{}
	for i, p := range people {
		f, err := schema.EncodeFields(schema.Person{Name: p[0], IDNumber: p[1], BirthDate: "1957-03-28",
			Categories: []schema.PersonCategory{schema.CatEmptyNest}})
		if err != nil {
			t.Fatal(err)
		}
		ch := schema.Change{Kind: schema.KindPerson, ID: fmt.Sprintf("p%d", i), Unit: "511802101", Set: f,
			Stamp: schema.Stamp(1 + i), Device: "dev", Seq: uint64(i + 1)}
		rec, _, err := schema.Merge(nil, &ch)
		if err != nil {
			t.Fatal(err)
		}
		g.Records = append(g.Records, rec)
		g.Log = append(g.Log, store.LogEntry{Seq: uint64(i + 1), Received: time.Unix(1e9, 0), Account: "dev", Change: ch})
	}
	return g
}

// grepDir returns the files under dir that contain any of needles.
func grepDir(t *testing.T, dir string, needles ...string) []string {
	t.Helper()
	hits, err := plaintext.Find(dir, needles...)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// TestEncryptedStoreHoldsNoPersonalDataInPlainText writes persons with
// known names and ID numbers, then looks for them in every file under the
// store's directory: while it is open (the write-ahead files) and after
// it is closed (tables, value log). The same writes to a plain store must
// be found, or the grep proves nothing.
func TestEncryptedStoreHoldsNoPersonalDataInPlainText(t *testing.T) {
	people := [][2]string{{"徐静怡", "511802195703280118"}, {"高德明", "511802194811020035"}}
	needles := []string{"徐静怡", "高德明", "511802195703280118", "511802194811020035"}
	for _, tc := range []struct {
		name     string
		key      []byte
		wantHits bool
	}{
		{"plain store (control)", nil, true},
		{"encrypted store", newKey(t), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := OpenWith(dir, Options{Key: tc.key, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Commit(context.Background(), personGroup(t, people)); err != nil {
				t.Fatal(err)
			}
			open := grepDir(t, dir, needles...)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			closed := grepDir(t, dir, needles...)
			if tc.wantHits && (len(open) == 0 || len(closed) == 0) {
				t.Fatalf("control: plain store shows no personal data (open %v, closed %v); the grep is broken", open, closed)
			}
			if !tc.wantHits && len(open)+len(closed) > 0 {
				t.Fatalf("personal data in plain text:\nopen: %v\nclosed: %v", open, closed)
			}
			if tc.key == nil {
				return
			}
			db, err = OpenWith(dir, Options{Key: tc.key, Logger: quiet})
			if err != nil {
				t.Fatalf("reopen with the key: %v", err)
			}
			defer db.Close()
			var p schema.Person
			rec, err := db.Record(context.Background(), schema.KindPerson, "p0")
			if err == nil {
				err = rec.Decode(&p)
			}
			if err != nil || p.IDNumber != people[0][1] {
				t.Fatalf("read back %+v, %v", p, err)
			}
		})
	}
}

// TestOpenRefusesKeyMismatches: every way the key and the store can
// disagree is refused with its own sentinel, and nothing is opened.
func TestOpenRefusesKeyMismatches(t *testing.T) {
	key, other := newKey(t), newKey(t)
	encDir, plainDir := t.TempDir(), t.TempDir()
	for dir, k := range map[string][]byte{encDir: key, plainDir: nil} {
		db, err := OpenWith(dir, Options{Key: k, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Commit(context.Background(), personGroup(t, [][2]string{{"徐静怡", "511802195703280118"}})); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for _, tc := range []struct {
		name string
		dir  string
		key  []byte
		want error
	}{
		{"encrypted, no key", encDir, nil, store.ErrKeyRequired},
		{"encrypted, wrong key", encDir, other, store.ErrWrongKey},
		{"plain, a key", plainDir, key, store.ErrNotEncrypted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := OpenWith(tc.dir, Options{Key: tc.key, Logger: quiet})
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := OpenWith(t.TempDir(), Options{Key: key[:16], Logger: quiet}); err == nil {
		t.Error("a 16-byte key was taken for AES-256")
	}
}

// TestRotateKey: after a rotation the new key opens the store with its
// data intact, and the old key is refused as wrong.
func TestRotateKey(t *testing.T) {
	oldKey, newKey := newKey(t), newKey(t)
	dir := t.TempDir()
	db, err := OpenWith(dir, Options{Key: oldKey, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(context.Background(), personGroup(t, [][2]string{{"徐静怡", "511802195703280118"}})); err != nil {
		t.Fatal(err)
	}
	if err := RotateKey(dir, oldKey, newKey, quiet); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("rotating an open store: %v, want ErrLocked", err)
	}
	db.Close()
	if err := RotateKey(dir, newKey, newKey, quiet); !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("rotating with a wrong old key: %v, want ErrWrongKey", err)
	}
	if err := RotateKey(dir, oldKey, newKey, quiet); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenWith(dir, Options{Key: oldKey, Logger: quiet}); !errors.Is(err, store.ErrWrongKey) {
		t.Fatalf("old key after rotation: %v, want ErrWrongKey", err)
	}
	db, err = OpenWith(dir, Options{Key: newKey, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Record(context.Background(), schema.KindPerson, "p0"); err != nil {
		t.Fatalf("record after rotation: %v", err)
	}
}
