// Package plaintext finds strings in the files under a directory: the
// tests that prove a store holds no name or ID number in plain text (the
// server's, the townships', the demo's) all look the same way.
package plaintext

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Find returns one line per file under dir and needle it holds, as
// "PATH holds NEEDLE"; none when no file holds any. Badger preallocates
// its value log and write-ahead files (hundreds of MiB, mostly holes), so
// files are read in chunks, never whole.
func Find(dir string, needles ...string) ([]string, error) {
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		found, err := fileContains(path, needles)
		for _, n := range found {
			hits = append(hits, fmt.Sprintf("%s holds %q", path, n))
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		return nil
	})
	return hits, err
}

// fileContains returns the needles found in the file at path. Chunks
// overlap by the longest needle, so none is missed across a boundary.
func fileContains(path string, needles []string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	overlap := 0
	for _, n := range needles {
		overlap = max(overlap, len(n))
	}
	buf := make([]byte, 4<<20+overlap)
	zeros := make([]byte, len(buf))
	seen := make([]bool, len(needles))
	keep := 0
	for {
		n, err := io.ReadFull(f, buf[keep:])
		chunk := buf[:keep+n]
		// Preallocated space reads as zeros: one comparison instead of a
		// scan per needle (no needle is all zeros).
		for i, nd := range needles {
			if bytes.Equal(chunk, zeros[:len(chunk)]) {
				break
			}
			seen[i] = seen[i] || bytes.Contains(chunk, []byte(nd))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		keep = copy(buf, chunk[len(chunk)-overlap:])
	}
	var found []string
	for i, nd := range needles {
		if seen[i] {
			found = append(found, nd)
		}
	}
	return found, nil
}
