package store

import (
	"context"
	"io"
)

// Backuper is an optional Store capability: a consistent copy of the
// whole store taken while it serves. The embedded Badger store has it; a
// database server's store is backed up with that database's own tools
// (pg_dump) and lacks it.
type Backuper interface {
	// Backup writes a backup of the store as of one moment to w. A
	// backup of an encrypted store is itself encrypted with the store's
	// key. The caller makes w durable (fsync) before trusting it.
	Backup(ctx context.Context, w io.Writer) error
}
