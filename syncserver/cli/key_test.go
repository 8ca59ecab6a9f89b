package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"laoxiao/syncserver"
)

// TestKeyCommands: a key made with key new creates an encrypted store
// (here by a lock, which writes a record);
// every command then needs it (by file or environment) and says how to
// give it when it is missing; key rotate moves the store to a new key.
func TestKeyCommands(t *testing.T) {
	dir, keys := t.TempDir(), t.TempDir()
	key, key2 := filepath.Join(keys, "server.key"), filepath.Join(keys, "server2.key")
	for _, k := range []string{key, key2} {
		if code, out := run(t, "key", "new", "--out", k); code != 0 {
			t.Fatalf("key new: exit %d: %s", code, out)
		}
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi.Mode(), err)
	}
	if code, _ := run(t, "key", "new", "--out", key); code != 1 {
		t.Fatal("key new overwrote an existing key")
	}
	if code, out := run(t, "lock", "--data", dir, "--key-file", key, "--unit", "511802", "--period", "2025-03", "--reason", "已审核", "--by", "雨城区民政局"); code != 0 {
		t.Fatalf("lock with a key: exit %d: %s", code, out)
	}
	if enc, err := syncserver.StoreEncrypted(dir); err != nil || !enc {
		t.Fatalf("StoreEncrypted = %v, %v", enc, err)
	}
	raw, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		env   string
		code  int
		wants []string
	}{
		{"no key", []string{"locks", "list", "--data", dir}, "", 1, []string{"encrypted", "--key-file", syncserver.KeyEnv}},
		{"key file", []string{"locks", "list", "--data", dir, "--key-file", key}, "", 0, []string{"雨城区民政局"}},
		{"key in the environment", []string{"locks", "list", "--data", dir}, string(raw), 0, []string{"雨城区民政局"}},
		{"wrong key", []string{"locks", "list", "--data", dir, "--key-file", key2}, "", 1, []string{"does not decrypt"}},
		{"both ways", []string{"locks", "list", "--data", dir, "--key-file", key}, string(raw), 1, []string{"give one"}},
		{"plain store, a key", []string{"locks", "list", "--data", t.TempDir() + "/x", "--key-file", key}, "", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(syncserver.KeyEnv, tc.env)
			}
			code, out := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, out)
			}
			for _, w := range tc.wants {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q: %s", w, out)
				}
			}
		})
	}
	if err := os.Chmod(key2, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run(t, "locks", "list", "--data", dir, "--key-file", key2); code != 1 || !strings.Contains(out, "chmod 600") {
		t.Fatalf("world-readable key file: exit %d: %s", code, out)
	}
	os.Chmod(key2, 0o600)
	if code, out := run(t, "key", "rotate", "--data", dir, "--key-file", key, "--new-key-file", key2); code != 0 {
		t.Fatalf("key rotate: exit %d: %s", code, out)
	}
	if code, _ := run(t, "locks", "list", "--data", dir, "--key-file", key); code != 1 {
		t.Error("the old key still opens the store after rotation")
	}
	if code, out := run(t, "locks", "list", "--data", dir, "--key-file", key2); code != 0 || !strings.Contains(out, "雨城区民政局") {
		t.Errorf("the new key: exit %d: %s", code, out)
	}
}
