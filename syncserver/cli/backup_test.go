package cli

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"laoxiao/internal/plaintext"
	"laoxiao/syncserver"
)

// TestBackupRestoreCommands: an encrypted server is backed up while it
// serves (through its admin API) and stopped (directly, with the key);
// the files hold none of its data in plain text, and the backup restores
// with the key into a new data directory, refuses without it, refuses a
// directory that holds a store unless --force, and refuses --force while
// a server runs there.
func TestBackupRestoreCommands(t *testing.T) {
	tmp := t.TempDir()
	keyFile := filepath.Join(tmp, "server.key")
	if code, out := run(t, "key", "new", "--out", keyFile); code != 0 {
		t.Fatalf("key new: %s", out)
	}
	dir, file := filepath.Join(tmp, "data"), filepath.Join(tmp, "backups", "server.backup")
	if err := os.Mkdir(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	const reason = "三月已审核-备份测试"
	lock := []string{"lock", "--data", dir, "--key-file", keyFile, "--unit", "511802", "--period", "2025-03", "--reason", reason}
	if code, out := run(t, lock...); code != 0 {
		t.Fatalf("lock: %s", out)
	}
	key, err := syncserver.LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	stop := serveIn(t, dir, key)
	if code, out := run(t, "backup", "--data", dir, "--out", file); code != 0 || !strings.Contains(out, "wrote a backup") {
		t.Fatalf("online backup: exit %d: %s", code, out)
	}
	if code, out := run(t, "restore", "--data", dir, "--key-file", keyFile, "--in", file, "--force"); code != 1 || !strings.Contains(out, "stop it first") {
		t.Fatalf("forced restore under a running server: exit %d: %s", code, out)
	}
	stop()
	// With the server stopped the command opens the store itself, and
	// needs its key for that.
	offline := filepath.Join(filepath.Dir(file), "offline.backup")
	if code, out := run(t, "backup", "--data", dir, "--out", offline); code != 1 || !strings.Contains(out, "key is required") {
		t.Fatalf("backup of a stopped encrypted store without its key: exit %d: %s", code, out)
	}
	if code, out := run(t, "backup", "--data", dir, "--key-file", keyFile, "--out", offline); code != 0 {
		t.Fatalf("backup of a stopped store: exit %d: %s", code, out)
	}
	if code, out := run(t, "backup", "--data", filepath.Join(tmp, "typo"), "--out", offline); code != 1 || !strings.Contains(out, "no server store") {
		t.Fatalf("backup of a directory without a store: exit %d: %s", code, out)
	}
	if hits, err := plaintext.Find(filepath.Dir(file), reason); err != nil || len(hits) > 0 {
		t.Fatalf("the backup of an encrypted store holds plain text: %v %v", hits, err)
	}

	restored := filepath.Join(tmp, "restored")
	if code, out := run(t, "restore", "--data", restored, "--in", file); code != 1 || !strings.Contains(out, "key is required") {
		t.Fatalf("restore of an encrypted backup without the key: exit %d: %s", code, out)
	}
	if code, out := run(t, "restore", "--data", restored, "--key-file", keyFile, "--in", file); code != 0 || !strings.Contains(out, "new incarnation") {
		t.Fatalf("restore: exit %d: %s", code, out)
	}
	if code, out := run(t, "locks", "list", "--data", restored, "--key-file", keyFile); code != 0 || !strings.Contains(out, reason) {
		t.Fatalf("the restored store lacks the lock: exit %d: %s", code, out)
	}
	if code, out := run(t, "restore", "--data", restored, "--key-file", keyFile, "--in", file); code != 1 || !strings.Contains(out, "--force") {
		t.Fatalf("restore over a store without --force: exit %d: %s", code, out)
	}
	code, out := run(t, "restore", "--data", restored, "--key-file", keyFile, "--in", file, "--force")
	if code != 0 || !strings.Contains(out, "is kept in") {
		t.Fatalf("forced restore: exit %d: %s", code, out)
	}
	if aside, _ := filepath.Glob(filepath.Join(restored, "badger.replaced-*")); len(aside) != 1 {
		t.Fatalf("the replaced store was not kept aside: %v", aside)
	}
}

// serveIn runs a server on dir until the returned stop is called.
func serveIn(t *testing.T, dir string, key []byte) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := syncserver.Open(ctx, syncserver.Config{DataDir: dir, Key: key, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, "", "") }()
	waitForAdmin(t, dir)
	var once bool
	stop = func() {
		if once {
			return
		}
		once = true
		cancel()
		<-served
		srv.Close()
	}
	t.Cleanup(stop)
	return stop
}
