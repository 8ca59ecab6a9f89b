package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the command line and fails the test on a non-zero exit.
func runCLI(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Run(ctx, args, &out, &errb); code != 0 {
		t.Fatalf("syncserver %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// TestUsersCommands: users add, list and disable work on the data folder
// when no server runs, and through the running server's admin API when
// one does (serve with --console on).
func TestUsersCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv("CONSOLE_PW", "a-long-password")
	runCLI(t, ctx, "users", "add", "--data", dir, "--unit", "511802", "--name", "yucheng", "--password-env", "CONSOLE_PW")
	var errb bytes.Buffer
	if code := Run(ctx, []string{"users", "add", "--data", dir, "--unit", "511802", "--name", "x", "--password-env", "UNSET_PW_VAR"}, io.Discard, &errb); code == 0 {
		t.Fatal("users add with an unset password variable succeeded")
	}

	sctx, stop := context.WithCancel(ctx)
	served := make(chan int, 1)
	go func() {
		served <- Run(sctx, []string{"serve", "--data", dir, "--listen", "127.0.0.1:0", "--console", "127.0.0.1:0"}, io.Discard, io.Discard)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "admin.addr")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	runCLI(t, ctx, "users", "add", "--data", dir, "--unit", "511803", "--name", "mingshan", "--password-env", "CONSOLE_PW")
	runCLI(t, ctx, "users", "disable", "--data", dir, "yucheng")
	remote := runCLI(t, ctx, "users", "list", "--data", dir)
	stop()
	if code := <-served; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	local := runCLI(t, ctx, "users", "list", "--data", dir)
	for _, out := range []string{remote, local} {
		if !strings.Contains(out, "mingshan") || !lineHas(out, "yucheng", "true") || !lineHas(out, "mingshan", "false") {
			t.Errorf("users list:\n%s", out)
		}
	}
}

// lineHas reports whether a line holds both words.
func lineHas(out, a, b string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, a) && strings.Contains(l, b) {
			return true
		}
	}
	return false
}
