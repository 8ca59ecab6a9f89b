package plaintext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindAcrossChunkBoundaries: a needle that straddles the boundary
// between two chunks is found, in a nested file, and nothing else is.
func TestFindAcrossChunkBoundaries(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		at   int
	}{{"start", 0}, {"straddling", 4<<20 - 5}, {"end", 9 << 20}} {
		t.Run(tc.name, func(t *testing.T) {
			body := make([]byte, tc.at, tc.at+64)
			body = append(body, "511802195703280118"...)
			path := filepath.Join(sub, "f")
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			hits, err := Find(dir, "511802195703280118", "徐静怡")
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 || !strings.Contains(hits[0], "511802195703280118") {
				t.Fatalf("hits = %v", hits)
			}
		})
	}
}
