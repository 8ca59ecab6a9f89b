// Package atomicfile writes small files that must survive a crash whole
// or not at all: the key parameters of a site's encrypted store, the
// encryption marker of the server's. Both sides need it and must not
// import each other.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path atomically: a temporary file beside it,
// fsync, rename, fsync of the directory. A crash leaves either the old
// file (or none) or the whole new one. The file is 0600.
func Write(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
