package badgerlock

import (
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func open(dir string) (*badger.DB, error) {
	return badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
}

func TestHeld(t *testing.T) {
	dir := t.TempDir()
	db, err := open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, second := open(dir)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, third := open(t.TempDir() + "/\x00") // a path the system refuses
	if third == nil {
		t.Fatal("Badger opened a path with a NUL byte")
	}

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"second open of a held directory", second, true},
		{"open failing for another reason", third, false},
		{"another error", errors.New("open store: permission denied"), false},
		{"no error", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Held(tc.err); got != tc.want {
				t.Fatalf("Held(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
