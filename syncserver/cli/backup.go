package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"laoxiao/internal/atomicfile"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

// Backup and restore of the embedded store, and the last step of a
// PostgreSQL store's restore:
//
//	backup  --data DIR --out FILE      (online: through the running server, or directly)
//	restore --data DIR --in FILE [--force]   (server stopped)
//	restore --store postgres://… --new-incarnation-only   (after pg_restore)
func init() {
	Register("backup", backup)
	Register("restore", restore)
}

func backup(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("backup")
	out := fs.String("out", "", "backup file to write (replaced only once the new backup is whole and on disk)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("backup: --out is required")
	}
	if data.store == "" && !syncserver.HasStore(data.dir) {
		return fmt.Errorf("backup %s: %w", data.dir, syncserver.ErrNoStore)
	}
	err := withServer(ctx, *data, func(s *syncserver.Server) error {
		return atomicfile.WriteFunc(*out, func(w io.Writer) error { return s.Backup(ctx, w) })
	}, func(ac *AdminClient) error {
		return atomicfile.WriteFunc(*out, func(w io.Writer) error { return ac.backup(ctx, w) })
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fi, err := os.Stat(*out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "wrote a backup of %s to %s (%d bytes); an encrypted store's backup needs its key to restore\n", data.dir, *out, fi.Size())
	return nil
}

// backup streams the running server's backup into w, and fails unless
// the server's trailer says it sent the whole of it.
func (a *AdminClient) backup(ctx context.Context, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.Base+"/admin/backup", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	hc := *a.HTTP
	hc.Timeout = 0 // a province's store takes longer than an admin call
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("admin GET /admin/backup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("admin GET /admin/backup: %s: %s", resp.Status, msg)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("receive backup: %w", err)
	}
	if got := resp.Trailer.Get(syncserver.BackupTrailer); got != syncserver.BackupComplete {
		return fmt.Errorf("the server did not send the whole backup (%q)", got)
	}
	return nil
}

func restore(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("restore")
	in := fs.String("in", "", "backup file to restore")
	force := fs.Bool("force", false, "replace the store already in --data (it is kept aside, renamed, not deleted)")
	newOnly := fs.Bool("new-incarnation-only", false, "with --store postgres://…, after pg_restore: give the restored database a new incarnation id, so devices offer again what the dump lacks")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := data.config(nil)
	if err != nil {
		return err
	}
	if *newOnly {
		return newIncarnation(ctx, cfg, stdout)
	}
	if data.store != "" {
		return fmt.Errorf("restore: a PostgreSQL store is restored with pg_restore, then: syncserver restore --store URL --new-incarnation-only (see README)")
	}
	if *in == "" {
		return fmt.Errorf("restore: --in is required")
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	res, err := syncserver.Restore(ctx, syncserver.RestoreOptions{DataDir: data.dir, In: f, Key: cfg.Key, Force: *force})
	if errors.Is(err, store.ErrKeyRequired) {
		return fmt.Errorf("%w: give the key file with --key-file FILE, or the key in %s", err, syncserver.KeyEnv)
	}
	if errors.Is(err, badgerstore.ErrNotEmpty) {
		return fmt.Errorf("%w: restore into a new data directory, or give --force to replace the store (the old one is kept aside)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s; new incarnation %s: devices offer again, at their next sync, what they synced after the backup was made\n",
		*in, data.dir, res.Incarnation)
	if res.Replaced != "" {
		fmt.Fprintf(stdout, "the store that was there is kept in %s; delete it once the restored server runs well\n", res.Replaced)
	}
	return nil
}

// newIncarnation is restore's last step for a store restored with its
// database's own tools.
func newIncarnation(ctx context.Context, cfg syncserver.Config, stdout io.Writer) error {
	id, err := syncserver.NewIncarnation(ctx, cfg)
	if err != nil {
		return fmt.Errorf("restore --new-incarnation-only: %w", err)
	}
	fmt.Fprintf(stdout, "the store has a new incarnation %s: devices offer again, at their next sync, what they synced after the dump was made\n", id)
	return nil
}
