package agent

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// lockEnv switches the test binary into a child that holds a store open
// until its stdin closes: another program holding the data folder, as a
// second window of the app would.
const lockEnv = "LAOXIAO_LOCK_CHILD"

// TestLockHolderChild is the child side of TestOpenLocked.
func TestLockHolderChild(t *testing.T) {
	s := childStore(t, lockEnv, "TestOpenLocked")
	os.Stdout.WriteString("open\n")
	io.Copy(io.Discard, os.Stdin)
	s.Close()
	os.Exit(0)
}

// childStore opens the store whose directory the parent test put in env:
// the child side of the tests that run a second process on one store.
// Run any other way, the child test skips.
func childStore(t *testing.T, env, parent string) *Store {
	dir := os.Getenv(env)
	if dir == "" {
		t.Skip("run by " + parent)
	}
	s, err := Open(dir, Options{Logger: quietLog})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	return s
}

// holdInChild opens dir in a child process and returns once it is open;
// the child lets go when the test ends.
func holdInChild(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderChild$")
	cmd.Env = append(os.Environ(), lockEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "open\n" {
		t.Fatalf("child said %q (%v)", line, err)
	}
}

func TestOpenLocked(t *testing.T) {
	tests := []struct {
		name       string
		hold       func(t *testing.T, dir string)
		wantLocked bool
	}{
		{name: "held by another Open in this process", hold: func(t *testing.T, dir string) { openAt(t, dir, Options{}) },
			wantLocked: true},
		{name: "held by another process", hold: holdInChild, wantLocked: true},
		{name: "damaged, not held", hold: func(t *testing.T, dir string) {
			openAt(t, dir, Options{}).Close()
			if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), []byte("not a manifest"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.hold(t, dir)
			s, err := Open(dir, Options{Logger: quietLog})
			if err == nil {
				s.Close()
				t.Fatal("open succeeded")
			}
			if errors.Is(err, ErrLocked) != tc.wantLocked {
				t.Fatalf("Open: %v; errors.Is(err, ErrLocked) = %v, want %v", err, !tc.wantLocked, tc.wantLocked)
			}
		})
	}
}
