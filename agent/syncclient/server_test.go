package syncclient

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// The tests here run every phase of a session against the real sync
// server, in this process on a loopback port, with real stores on disk:
// the server's answers (acks, refusals, gaps, download pages) are the
// ones devices get, not a mock's idea of them. agent never imports
// syncserver; only these tests do.

// Townships of the built-in divisions the tests enrol sites in.
const (
	township      schema.Code = "511802001"
	otherTownship schema.Code = "511803001"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// village returns the i-th village of a township.
func village(t testing.TB, tw schema.Code, i int) schema.Code {
	t.Helper()
	vs := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)
	if len(vs) <= i {
		t.Fatalf("township %s has %d villages, want more than %d", tw, len(vs), i)
	}
	return vs[i]
}

// testServer is a sync server running until the test ends.
type testServer struct {
	srv *syncserver.Server
	url string
}

// startServer starts a server on a fresh data directory; now is its clock
// (the wall clock when nil).
func startServer(t testing.TB, now func() time.Time) *testServer {
	t.Helper()
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: t.TempDir(), Logger: quietLog(), Now: now,
		PingInterval: 500 * time.Millisecond, ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open server: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, "", "") }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return &testServer{srv: srv, url: "http://" + ln.Addr().String()}
}

// enroll enrols st as a township site of unit.
func (s *testServer) enroll(t testing.TB, st *agent.Store, unit schema.Code) {
	t.Helper()
	code, err := s.srv.NewEnrollCode(context.Background(), syncserver.CodeRequest{Unit: unit, Name: "test site", Role: store.RoleSite})
	if err != nil {
		t.Fatalf("enrolment code: %v", err)
	}
	if err := Enroll(context.Background(), st, s.url, code, "test site"); err != nil {
		t.Fatalf("enrol: %v", err)
	}
}

// mark is the server's high-water mark for st's device.
func (s *testServer) mark(t testing.TB, st *agent.Store) uint64 {
	t.Helper()
	m, err := s.srv.Store().Mark(context.Background(), st.DeviceID())
	if err != nil {
		t.Fatal(err)
	}
	return m.HighWater
}

// openStore opens a store in dir, closed when the test ends.
func openStore(t testing.TB, dir string, now func() time.Time) *agent.Store {
	t.Helper()
	st, err := agent.Open(dir, agent.Options{Logger: quietLog(), Now: now})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newSite opens a store enrolled in unit and its client.
func newSite(t testing.TB, srv *testServer, unit schema.Code, now func() time.Time) (*agent.Store, *Client) {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "site"), now)
	srv.enroll(t, st, unit)
	return st, newClient(st)
}

func newClient(st *agent.Store) *Client {
	c := New(st, quietLog())
	c.Timeout = 10 * time.Second
	return c
}

// skewed is a wall clock off by d, as a laptop's whose clock is wrong.
func skewed(d time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(d) }
}

// putFacilities makes n offline edits in unit and returns their changes.
func putFacilities(t testing.TB, st *agent.Store, unit schema.Code, n int) []*schema.Change {
	t.Helper()
	var out []*schema.Change
	for i := 0; i < n; i++ {
		ch, err := st.Put(schema.KindFacility, "", unit, schema.Facility{Name: "敬老院", Kind: schema.FKDayCare,
			Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating})
		if err != nil {
			t.Fatalf("put: %v", err)
		}
		out = append(out, ch)
	}
	return out
}

// forgottenSite returns a site that synced one change with srv and then
// meets a server that never heard of it — as after the county restored
// its store from an older copy — with one more change to send.
func forgottenSite(t testing.TB, srv *testServer) *Client {
	t.Helper()
	st, c := newSite(t, srv, township, nil)
	putFacilities(t, st, village(t, township, 0), 1)
	if _, err := c.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	startServer(t, nil).enroll(t, st, township)
	putFacilities(t, st, village(t, township, 0), 1)
	return c
}

// openSession connects c as syncOnce does and starts a session without
// running any phase; the test runs the phases it is about.
func openSession(t testing.TB, c *Client) *session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ws, err := c.dial(ctx)
	if err != nil {
		cancel()
		t.Fatalf("dial: %v", err)
	}
	s := newSession(ctx, c, ws)
	t.Cleanup(func() {
		s.close()
		cancel()
		ws.Close()
	})
	return s
}

// handshaken is openSession followed by the handshake.
func handshaken(t testing.TB, c *Client) *session {
	t.Helper()
	s := openSession(t, c)
	if err := s.handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	takeTurn(t, s)
	return s
}

// takeTurn asks for a turn when the server gives turns and waits for its
// grant, so a test's fill sends what it would on an idle server.
func takeTurn(t testing.TB, s *session) {
	t.Helper()
	if !s.turns || s.credit > 0 {
		return
	}
	if err := s.ask(); err != nil {
		t.Fatalf("ask: %v", err)
	}
	for s.asked {
		if err := s.receive(); err != nil {
			t.Fatalf("receive the grant: %v", err)
		}
	}
}

// drain receives until every batch in flight was acked; download pages
// arriving meanwhile are applied.
func drain(t testing.TB, s *session) {
	t.Helper()
	for len(s.queue) > 0 {
		if err := s.receive(); err != nil {
			t.Fatalf("receive: %v", err)
		}
	}
}

// uploadBehindTheBack uploads st's whole outbox on a connection of its
// own and drops it without releasing anything: as if the acks had been
// lost with the connection.
func uploadBehindTheBack(t testing.TB, c *Client) {
	t.Helper()
	s := handshaken(t, c)
	if err := s.fill(); err != nil {
		t.Fatal(err)
	}
	for len(s.queue) > 0 {
		m, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == schema.MsgAck {
			s.queue = s.queue[1:]
		}
	}
	s.ws.Close()
}

// outboxSeqs lists the sequence numbers waiting in st's outbox.
func outboxSeqs(t testing.TB, st *agent.Store) []uint64 {
	t.Helper()
	chs, err := st.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, ch := range chs {
		out = append(out, ch.Seq)
	}
	return out
}

// copyDir copies a closed store's directory, as a backup would.
func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatalf("copy %s: %v", from, err)
	}
}

// near reports whether d is within tolerance of want.
func near(d, want, tolerance time.Duration) bool {
	return d-want <= tolerance && want-d <= tolerance
}
