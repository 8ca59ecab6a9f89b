// Package serverchild lets a test or bench binary re-execute itself as a
// sync server running `syncserver serve`, the real command: a parent can
// then SIGKILL it mid-upload, restart it on the same port or read its
// memory from /proc, none of which a server inside the parent's process
// allows.
//
// The parent starts its own executable with Env(dir, addr) added to the
// environment; the child calls RunIfChild before anything else (TestMain,
// or an init that runs before main parses flags, since the child gets no
// flags of its own) and never returns from it.
package serverchild

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"laoxiao/syncserver/cli"
)

// envVar carries "DIR|ADDR". It is cut at the last '|', which an address
// never holds, so the directory may hold anything.
const envVar = "LAOXIAO_SERVER_CHILD"

// Env returns the environment entry ("NAME=VALUE", for exec.Cmd.Env) that
// makes a child calling RunIfChild serve the store in dir on addr.
func Env(dir, addr string) string { return envVar + "=" + dir + "|" + addr }

// storeEnvVar carries the --store URL of a child serving a PostgreSQL
// store (its data directory then holds only its own files).
const storeEnvVar = "LAOXIAO_SERVER_CHILD_STORE"

// StoreEnv returns the environment entry that, beside Env's, makes the
// child serve the PostgreSQL database at url (`serve --store URL`).
func StoreEnv(url string) string { return storeEnvVar + "=" + url }

// RunIfChild returns at once unless the environment holds an Env entry;
// then it runs `syncserver serve --data DIR --listen ADDR` until SIGTERM
// or an interrupt, writing the server's output to stdout and stderr, and
// exits the process with the command's status (2 for a malformed entry).
func RunIfChild(stdout, stderr io.Writer) {
	spec := os.Getenv(envVar)
	if spec == "" {
		return
	}
	os.Exit(serve(spec, stdout, stderr))
}

func serve(spec string, stdout, stderr io.Writer) int {
	dir, addr, ok := parse(spec)
	if !ok {
		fmt.Fprintf(stderr, "%s=%q: want DIR|ADDR\n", envVar, spec)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	args := []string{"serve", "--data", dir, "--listen", addr}
	if url := os.Getenv(storeEnvVar); url != "" {
		args = append(args, "--store", url)
	}
	return cli.Run(ctx, args, stdout, stderr)
}

// parse splits what Env joined.
func parse(spec string) (dir, addr string, ok bool) {
	i := strings.LastIndexByte(spec, '|')
	if i <= 0 || i == len(spec)-1 {
		return "", "", false
	}
	return spec[:i], spec[i+1:], true
}
