package syncserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"laoxiao/syncserver/store"
)

// TestWarnExposure: a server listening beyond loopback without TLS warns
// at start; loopback, or TLS, does not.
func TestWarnExposure(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		tls  bool
		warn bool
	}{
		{"127.0.0.1", false, false},
		{"::1", false, false},
		{"0.0.0.0", false, true},
		{"::", false, true},
		{"192.168.1.20", false, true},
		{"192.168.1.20", true, false},
		{"0.0.0.0", true, false},
	} {
		var buf bytes.Buffer
		s := &Server{log: slog.New(slog.NewTextHandler(&buf, nil))}
		s.warnExposure(&net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 8470}, tc.tls)
		if got := strings.Contains(buf.String(), "without TLS"); got != tc.warn {
			t.Errorf("%s tls=%v: warned %v, want %v: %s", tc.ip, tc.tls, got, tc.warn, buf.String())
		}
	}
}

// TestOpenEncryptedWhileHeld: an admin command run without the key on the
// store a running server holds gets store.ErrLocked (and so goes through
// the admin API, which needs no key), not ErrKeyRequired.
func TestOpenEncryptedWhileHeld(t *testing.T) {
	ctx := context.Background()
	key := make([]byte, 32)
	rand.Read(key)
	cfg := Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Key: key}
	running, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	noKey := cfg
	noKey.Key = nil
	if _, err := Open(ctx, noKey); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("open without the key while held: %v, want store.ErrLocked", err)
	}
	running.Close()
	if _, err := Open(ctx, noKey); !errors.Is(err, store.ErrKeyRequired) {
		t.Fatalf("open without the key: %v, want store.ErrKeyRequired", err)
	}
}
