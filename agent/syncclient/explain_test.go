package syncclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"laoxiao/agent"
	"laoxiao/schema"
)

const (
	sayUnreachable = "无法连接服务器(网络不通),数据已保存在本机,联网后会自动同步"
	sayInterrupted = "同步中断,数据已保存在本机,稍后会自动重试"
)

// pointAt makes st sync with url from now on, keeping its token.
func pointAt(t *testing.T, st *agent.Store, url string) {
	t.Helper()
	e, ok, err := st.Enrollment()
	if err != nil || !ok {
		t.Fatalf("enrollment: %v (enrolled %v)", err, ok)
	}
	e.ServerURL = url
	if err := st.SetEnrollment(e); err != nil {
		t.Fatal(err)
	}
}

// closedAddr is a loopback address nothing listens on any more.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentAddr accepts connections and never answers on them.
func silentAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

func TestExplain(t *testing.T) {
	srv := startServer(t, nil)
	tests := []struct {
		name string
		err  func(t *testing.T) error
		want string
	}{
		{"no error", func(*testing.T) error { return nil }, ""},
		{"not enrolled", func(*testing.T) error { return fmt.Errorf("sync: %w", ErrNotEnrolled) },
			"本机尚未在服务器注册,请先输入服务器地址和注册码"},
		{"server refused the token", func(*testing.T) error { return &schema.Error{Code: schema.ErrAuth} },
			"服务器拒绝了本机的凭证(可能已被注销),请联系区县管理员重新注册"},
		{"server busy", func(*testing.T) error { return &schema.Error{Code: schema.ErrOverloaded, Retry: true} },
			"服务器暂时繁忙或正在维护,稍后会自动重试"},
		{"server's own message", func(*testing.T) error { return &schema.Error{Code: schema.ErrInternal, Message: "read log"} },
			"服务器报告错误:read log"},
		{"connection refused", func(t *testing.T) error {
			st, c := newSite(t, srv, township, nil)
			pointAt(t, st, "http://"+closedAddr(t))
			_, err := c.SyncOnce(t.Context())
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("sync with nothing listening: %v, want ECONNREFUSED", err)
			}
			return err
		}, sayUnreachable},
		{"server accepts but never answers the upgrade", func(t *testing.T) error {
			st, c := newSite(t, srv, township, nil)
			pointAt(t, st, "http://"+silentAddr(t))
			c.Dialer = &websocket.Dialer{HandshakeTimeout: 100 * time.Millisecond}
			_, err := c.SyncOnce(t.Context())
			return err
		}, sayUnreachable},
		{"server stops answering mid-sync", func(t *testing.T) error {
			_, c := newSite(t, srv, township, nil)
			// Long enough for the hello and the first download page on
			// a loaded machine; then the server has nothing to say.
			c.Timeout = 2 * time.Second
			s := handshaken(t, c)
			receiveUntilCaughtUp(t, s)
			_, err := s.next()
			return err
		}, sayUnreachable},
		{"no such host", func(*testing.T) error {
			return fmt.Errorf("connect county.invalid: %w", &net.OpError{Op: "dial", Net: "tcp",
				Err: &net.DNSError{Err: "no such host", Name: "county.invalid", IsNotFound: true}})
		}, sayUnreachable},
		{"network unreachable", func(*testing.T) error {
			return fmt.Errorf("connect 10.0.0.1: %w", &net.OpError{Op: "dial", Net: "tcp",
				Err: os.NewSyscallError("connect", syscall.ENETUNREACH)})
		}, sayUnreachable},
		{"the caller's own deadline is not the network's", func(*testing.T) error {
			return fmt.Errorf("read: %w", context.DeadlineExceeded)
		}, sayInterrupted},
		{"words alone do not make a network error", func(*testing.T) error {
			return errors.New("record note: connection refused by the family, i/o timeout")
		}, sayInterrupted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			if got := Explain(err); got != tc.want {
				t.Fatalf("Explain(%v) = %q, want %q", err, got, tc.want)
			}
		})
	}
}
