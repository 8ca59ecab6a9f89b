package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFunc: the file is replaced only by a fill that succeeded; a
// failed one leaves the old content and no temporary file behind.
func TestWriteFunc(t *testing.T) {
	errFill := errors.New("fill failed")
	for _, tc := range []struct {
		name    string
		fill    func(io.Writer) error
		want    string
		wantErr error
	}{
		{"whole", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", nil},
		{"failed midway", func(w io.Writer) error { io.WriteString(w, "ne"); return errFill }, "old", errFill},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if err := Write(path, []byte("old")); err != nil {
				t.Fatal(err)
			}
			if err := WriteFunc(path, tc.fill); !errors.Is(err, tc.wantErr) {
				t.Fatalf("WriteFunc: %v, want %v", err, tc.wantErr)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != tc.want {
				t.Fatalf("file holds %q, %v; want %q", got, err, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Fatalf("%d entries in the directory, want the file alone", len(entries))
			}
		})
	}
}
