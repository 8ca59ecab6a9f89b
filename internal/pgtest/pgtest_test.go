package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStartStop: a cluster starts (as nobody when run as root), serves
// fresh databases over the loopback port and the unix socket with fsync
// on, and leaves nothing behind when stopped.
func TestStartStop(t *testing.T) {
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	ctx := context.Background()
	url, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{url, c.SocketURL("postgres")} {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatalf("connect %s: %v", u, err)
		}
		var fsync string
		if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil || fsync != "on" {
			t.Errorf("fsync %q (%v), want on", fsync, err)
		}
		conn.Close(ctx)
	}
	fi, err := os.Stat(filepath.Join(c.dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid == 0 {
		t.Error("the cluster's data belongs to root: PostgreSQL would refuse to run")
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s left behind (%v)", c.dir, err)
	}
}
