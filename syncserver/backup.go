package syncserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"laoxiao/internal/atomicfile"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

// ErrNoOnlineBackup is returned (wrapped) by Backup when the server's
// store is backed up with its database's own tools (PostgreSQL: pg_dump).
var ErrNoOnlineBackup = errors.New("this store has no online backup of its own; back up its database with the database's tools")

// ErrServerRunning is returned (wrapped) by Restore --force while a
// server holds the store it would replace.
var ErrServerRunning = errors.New("a server is running on this data directory; stop it first")

// BackupTrailer is the HTTP trailer of GET /admin/backup: BackupComplete
// when the whole backup was sent, else what went wrong. A backup that
// fails midway still ends the HTTP response cleanly, so the trailer is
// how a client knows the file it wrote is whole.
const (
	BackupTrailer  = "X-Laoxiao-Backup"
	BackupComplete = "complete"
)

// Backup writes a backup of the server's store, as of one moment, to w
// while the server serves (see badgerstore's Backup; encrypted when the
// store is). w is not synced: the caller writes it with
// atomicfile.WriteFunc.
func (s *Server) Backup(ctx context.Context, w io.Writer) error {
	b, ok := s.st.(store.Backuper)
	if !ok {
		return ErrNoOnlineBackup
	}
	return b.Backup(ctx, w)
}

func (s *Server) backupRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/backup", s.admin(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", BackupTrailer)
		w.Header().Set("Content-Type", "application/octet-stream")
		err := s.Backup(r.Context(), w)
		if err != nil {
			s.log.Error("backup failed", "err", err)
			w.Header().Set(BackupTrailer, "failed: "+err.Error())
			return
		}
		s.log.Info("backup sent", "remote", r.RemoteAddr)
		w.Header().Set(BackupTrailer, BackupComplete)
	}))
}

// ErrNoStore is returned (wrapped) by Backup's command for a data
// directory that holds no embedded store: opening it would make an empty
// one, and back that up.
var ErrNoStore = errors.New("no server store in this data directory")

// HasStore reports whether dataDir holds an embedded store.
func HasStore(dataDir string) bool {
	_, err := os.Stat(storeDir(dataDir))
	return err == nil
}

// RestoreOptions say what Restore restores and where.
type RestoreOptions struct {
	// DataDir is the server's data directory; the store goes into its
	// store subdirectory.
	DataDir string
	// In is the backup file, as BackupFile wrote it.
	In io.Reader
	// Key is the master key: needed for an encrypted backup, and makes
	// the restored store encrypted.
	Key []byte
	// Force replaces a store already in DataDir. The old one is not
	// deleted: it is renamed aside (RestoreResult.Replaced).
	Force  bool
	Logger *slog.Logger
	// Now names the set-aside store (time.Now when nil).
	Now func() time.Time
}

// RestoreResult says what a restore did.
type RestoreResult struct {
	// Incarnation is the restored store's new incarnation id.
	Incarnation string
	// Replaced is where the store Force replaced was moved; "" when
	// there was none.
	Replaced string
}

// Restore makes the server's store in o.DataDir from a backup, with a new
// incarnation id: devices that sync with it afterwards offer again the
// changes the backup lacks. The server must be stopped. Without Force the
// store directory must be empty or absent (badgerstore.ErrNotEmpty);
// with it, the backup is restored beside the old store first, and only a
// whole restore takes its place.
func Restore(ctx context.Context, o RestoreOptions) (RestoreResult, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return RestoreResult{}, fmt.Errorf("create data dir %s: %w", o.DataDir, err)
	}
	dir := storeDir(o.DataDir)
	bo := badgerstore.Options{Key: o.Key, Logger: o.Logger}
	if entries, _ := os.ReadDir(dir); !o.Force || len(entries) == 0 {
		id, err := badgerstore.Restore(ctx, dir, o.In, bo)
		if err != nil {
			return RestoreResult{}, err
		}
		// Badger synced its files; the store's own entry in the data
		// directory is synced here.
		return RestoreResult{Incarnation: id}, atomicfile.SyncDir(o.DataDir)
	}
	if err := notHeld(dir, bo); err != nil {
		return RestoreResult{}, err
	}
	tmp := dir + ".restoring"
	if err := os.RemoveAll(tmp); err != nil { // a restore that stopped midway
		return RestoreResult{}, fmt.Errorf("restore: %w", err)
	}
	id, err := badgerstore.Restore(ctx, tmp, o.In, bo)
	if err != nil {
		os.RemoveAll(tmp)
		return RestoreResult{}, err
	}
	res := RestoreResult{Incarnation: id, Replaced: dir + ".replaced-" + o.Now().UTC().Format("20060102T150405Z")}
	if err := os.Rename(dir, res.Replaced); err != nil {
		return RestoreResult{}, fmt.Errorf("restore: set the old store aside: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return RestoreResult{}, fmt.Errorf("restore: put the restored store in place: %w", err)
	}
	return res, atomicfile.SyncDir(o.DataDir)
}

// notHeld refuses, with ErrServerRunning, a store directory a running
// server holds; any other reason the store does not open is none of a
// forced restore's business (it replaces the store).
func notHeld(dir string, o badgerstore.Options) error {
	db, err := badgerstore.OpenWith(dir, o)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("restore into %s: %w", dir, ErrServerRunning)
	}
	if err == nil {
		return db.Close()
	}
	return nil
}

// incarnator is a store a restore outside this program (pg_restore)
// leaves with the dump's incarnation id: pgstore.
type incarnator interface {
	NewIncarnation(ctx context.Context) (string, error)
}

// ErrNotRestoredOutside is returned (wrapped) by NewIncarnation for the
// embedded store, whose restore (Restore) makes the new id itself.
var ErrNotRestoredOutside = errors.New("only a database server's store is restored with its own tools and then given a new incarnation; the embedded store gets one from restore --in")

// NewIncarnation gives the store cfg names a new incarnation id and
// returns it: the step after restoring a PostgreSQL store with
// pg_restore, so that devices offer again what the dump lacks. Run it
// with every server of the database stopped, before they start again.
func NewIncarnation(ctx context.Context, cfg Config) (string, error) {
	if cfg.Store == "" {
		return "", ErrNotRestoredOutside
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer st.Close()
	inc, ok := st.(incarnator)
	if !ok {
		return "", ErrNotRestoredOutside
	}
	return inc.NewIncarnation(ctx)
}
