package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"laoxiao/syncserver/store"
)

// ErrNotEmpty is returned (wrapped) by Restore for a directory that holds
// anything: a restore never writes over a store.
var ErrNotEmpty = errors.New("the directory to restore into is not empty")

var _ store.Backuper = (*DB)(nil)

// Backup writes a full backup of the store, as of the moment it starts,
// to w while the store serves (Badger's backup stream reads one snapshot).
// The stream holds every key and value decrypted, so a backup of an
// encrypted store is encrypted with its master key (see backupfile.go).
// w is not synced: the caller does that (atomicfile.WriteFunc).
func (s *DB) Backup(ctx context.Context, w io.Writer) error {
	bw, err := newBackupWriter(ctxWriter{ctx, w}, s.key)
	if err != nil {
		return err
	}
	stream := s.db.NewStream()
	stream.LogPrefix = "server backup"
	if _, err := stream.Backup(bw, 0); err != nil {
		return fmt.Errorf("back up server store: %w", err)
	}
	if err := bw.Close(); err != nil {
		return fmt.Errorf("back up server store: %w", err)
	}
	return nil
}

// ctxWriter stops a backup whose caller has gone (Badger's stream takes
// no context of its own).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// Restore makes a new store in dir from a backup read from r, and gives it
// a new incarnation id, which it returns: devices that meet the restored
// store see the id change and offer again what the backup lacks.
//
// dir must be absent or empty (ErrNotEmpty otherwise); when the restore
// fails, what it wrote in dir is removed. The new store is encrypted when
// o.Key is given: an encrypted backup needs the key it was made with
// (store.ErrKeyRequired, store.ErrWrongKey), a plain one may be restored
// into an encrypted store. A damaged or cut-short backup fails with
// ErrBackupDamaged and leaves no store.
func Restore(ctx context.Context, dir string, r io.Reader, o Options) (string, error) {
	if err := checkEmpty(dir); err != nil {
		return "", fmt.Errorf("restore into %s: %w", dir, err)
	}
	br, err := newBackupReader(r, o.Key)
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	id, err := load(ctx, dir, br, o)
	if err != nil {
		clearDir(dir)
		return "", fmt.Errorf("restore into %s: %w", dir, err)
	}
	return id, nil
}

func load(ctx context.Context, dir string, r io.Reader, o Options) (string, error) {
	s, err := OpenWith(dir, o)
	if err != nil {
		return "", err
	}
	// Badger's Load sets each key at its backed-up version and moves the
	// store's clock past them, so the new incarnation written after it is
	// the newest version of its key.
	if err := s.db.Load(r, 256); err != nil {
		s.Close()
		return "", fmt.Errorf("load backup: %w", err)
	}
	id, err := s.NewIncarnation(ctx)
	if err != nil {
		s.Close()
		return "", err
	}
	if err := s.db.Sync(); err != nil {
		s.Close()
		return "", fmt.Errorf("sync restored store: %w", err)
	}
	return id, s.Close()
}

// checkEmpty accepts a directory that does not exist or holds nothing.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w (%d entries)", ErrNotEmpty, len(entries))
	}
	return nil
}

// clearDir removes what a failed restore wrote into dir, which was empty.
func clearDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
