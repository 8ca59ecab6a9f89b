package agent

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"laoxiao/schema"
)

// A name that appears nowhere else, to look for in the store's files.
const secretName = "绝密测试名称ZQXJ-7731"

// filesContain reports which files under dir contain needle.
func filesContain(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, needle) {
			hits = append(hits, filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// isValueLog reports whether a store file is one of Badger's value logs.
func isValueLog(name string) bool { return strings.HasSuffix(name, ".vlog") }

func writeSecret(t *testing.T, dir, pass string) string {
	t.Helper()
	s, err := Open(dir, Options{Passphrase: pass, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	p := person(secretName)
	p.IDNumber = idNumber(t, "51180219400302001")
	// A note long enough to put the record and its change in the value
	// log, which Badger never compresses: in the plain control the name
	// is then certainly there as written. A small record lies in a
	// Snappy-compressed table block, where a match against earlier bytes
	// of the block can split the name and the control would miss it.
	p.Note = strings.Repeat("长期卧床，需要每周上门探访。", 40)
	ch := mustPut(t, s, schema.KindPerson, "", village, p)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

func TestEncryptionAtRest(t *testing.T) {
	// The control: without a passphrase the name is in the files, so the
	// search below would find it if encryption failed.
	plain := t.TempDir()
	writeSecret(t, plain, "")
	if hits := filesContain(t, plain, []byte(secretName)); len(hits) == 0 || !slices.ContainsFunc(hits, isValueLog) {
		t.Fatalf("control: name not found in a plain store's value log (found in %v); the check proves nothing", hits)
	}

	dir := t.TempDir()
	id := writeSecret(t, dir, "正确的密码 correct horse")
	if hits := filesContain(t, dir, []byte(secretName)); len(hits) > 0 {
		t.Fatalf("plaintext name found in %v", hits)
	}
	if hits := filesContain(t, dir, []byte("51180219400302001")); len(hits) > 0 {
		t.Fatalf("plaintext ID number found in %v", hits)
	}

	tests := []struct {
		name string
		dir  string
		pass string
		want error
	}{
		{"wrong passphrase", dir, "wrong", ErrWrongPassphrase},
		{"no passphrase", dir, "", ErrPassphraseRequired},
		{"passphrase for a plain store", plain, "anything", ErrNotEncrypted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.dir, Options{Passphrase: tc.pass, Logger: quietLog})
			if err == nil {
				s.Close()
				t.Fatal("open succeeded")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
		})
	}

	s := openAt(t, dir, Options{Passphrase: "正确的密码 correct horse"})
	_, v, err := s.GetTyped(schema.KindPerson, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.(*schema.Person).Name != secretName {
		t.Fatalf("read back %+v", v)
	}
}
