package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// backedUp returns a store with two persons and its backup file.
func backedUp(t *testing.T, key []byte, people [][2]string) (*DB, string) {
	t.Helper()
	db, err := OpenWith(t.TempDir(), Options{Key: key, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Commit(context.Background(), personGroup(t, people)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := db.Backup(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "server.backup")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return db, file
}

// TestBackupRestore: a restored store holds the records and log of the
// original, under a new incarnation; an encrypted store's backup file
// holds none of its personal data in plain text (a plain store's does:
// the control that proves the grep), and restores only with its key.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	people := [][2]string{{"徐静怡", "511802195703280118"}, {"高德明", "511802194811020035"}}
	needles := []string{"徐静怡", "511802195703280118", "511802194811020035"}
	for _, tc := range []struct {
		name      string
		key       []byte
		wantPlain bool
	}{
		{"plain store (control)", nil, true},
		{"encrypted store", newKey(t), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig, file := backedUp(t, tc.key, people)
			hits := grepDir(t, filepath.Dir(file), needles...)
			if tc.wantPlain != (len(hits) > 0) {
				t.Fatalf("plain text in the backup: %v (want some: %v)", hits, tc.wantPlain)
			}
			dir := filepath.Join(t.TempDir(), "restored")
			id, err := restoreFile(ctx, dir, file, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			db, err := OpenWith(dir, Options{Key: tc.key, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			was, _ := orig.Incarnation(ctx)
			if now, err := db.Incarnation(ctx); err != nil || now != id || now == was {
				t.Fatalf("restored incarnation %q (%v), Restore said %q, original %q", now, err, id, was)
			}
			if head, err := db.LogHead(ctx); err != nil || head != uint64(len(people)) {
				t.Fatalf("restored log head %d, %v; want %d", head, err, len(people))
			}
			var p schema.Person
			rec, err := db.Record(ctx, schema.KindPerson, "p1")
			if err == nil {
				err = rec.Decode(&p)
			}
			if err != nil || p.IDNumber != people[1][1] {
				t.Fatalf("restored record %+v, %v", p, err)
			}
		})
	}
}

func restoreFile(ctx context.Context, dir, file string, key []byte) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return Restore(ctx, dir, f, Options{Key: key, Logger: quiet})
}

// TestRestoreRefuses: every way a restore cannot go ahead is refused with
// its own sentinel, and leaves no store behind.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	key := newKey(t)
	_, encFile := backedUp(t, key, [][2]string{{"徐静怡", "511802195703280118"}})
	raw, err := os.ReadFile(encFile)
	if err != nil {
		t.Fatal(err)
	}
	write := func(b []byte) string {
		p := filepath.Join(t.TempDir(), "b")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-20] ^= 1
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o600)
	for _, tc := range []struct {
		name string
		file string
		key  []byte
		into string
		want error
	}{
		{"encrypted backup, no key", encFile, nil, "", store.ErrKeyRequired},
		{"encrypted backup, another key", encFile, newKey(t), "", store.ErrWrongKey},
		{"cut short", write(raw[:len(raw)-10]), key, "", ErrBackupDamaged},
		{"cut at the header", write(raw[:30]), key, "", ErrBackupDamaged},
		{"a byte changed", write(flipped), key, "", ErrBackupDamaged},
		{"not a backup", write([]byte("hello")), key, "", ErrBackupDamaged},
		{"into a directory that holds something", encFile, key, full, ErrNotEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.into
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "restored")
			}
			_, err := restoreFile(ctx, dir, tc.file, tc.key)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.into != "" {
				return
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Fatalf("a refused restore left %d entries in %s", len(entries), dir)
			}
		})
	}
}
