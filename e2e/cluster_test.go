// Package e2e tests the agent and the sync server together: real Badger
// stores on disk, real websockets on loopback. It lives apart from both
// because agent and syncserver never import each other.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// quietLog keeps test output readable: servers and agents log nothing
// unless LAOXIAO_TEST_LOG is set, when they log at debug level to stderr
// (a child process's stderr is kept and shown when it fails).
func quietLog() *slog.Logger {
	if os.Getenv("LAOXIAO_TEST_LOG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// server is a sync server running in this process on a loopback port.
type server struct {
	t      testing.TB
	dir    string
	srv    *syncserver.Server
	ln     net.Listener
	url    string
	cancel context.CancelFunc
	done   chan error
	now    func() time.Time
	logger *slog.Logger // quietLog() when nil
	store  string       // a PostgreSQL URL; Badger under dir when ""
}

func startServer(t testing.TB, dir string, now func() time.Time) *server {
	t.Helper()
	return startServerLogging(t, dir, now, nil)
}

// startServerOnStore starts a server keeping its data in the PostgreSQL
// database at storeURL.
func startServerOnStore(t testing.TB, dir, storeURL string) *server {
	t.Helper()
	s := &server{t: t, dir: dir, store: storeURL}
	s.start("127.0.0.1:0")
	t.Cleanup(s.stop)
	return s
}

// startServerLogging starts a server that logs to logger.
func startServerLogging(t testing.TB, dir string, now func() time.Time, logger *slog.Logger) *server {
	t.Helper()
	s := &server{t: t, dir: dir, now: now, logger: logger}
	s.start("127.0.0.1:0")
	t.Cleanup(s.stop)
	return s
}

func (s *server) start(addr string) {
	s.t.Helper()
	logger := s.logger
	if logger == nil {
		logger = quietLog()
	}
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: s.dir, Store: s.store, Logger: logger, Now: s.now,
		PingInterval: 500 * time.Millisecond, ReadTimeout: 5 * time.Second})
	if err != nil {
		s.t.Fatalf("open server: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		s.t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.srv, s.ln, s.cancel, s.done = srv, ln, cancel, make(chan error, 1)
	s.url = "http://" + ln.Addr().String()
	go func() { s.done <- srv.Serve(ctx, ln, "", "") }()
}

// stop shuts the server down gracefully; safe to call twice.
func (s *server) stop() {
	if s.srv == nil {
		return
	}
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Errorf("serve: %v", err)
	}
	if err := s.srv.Close(); err != nil {
		s.t.Errorf("close server: %v", err)
	}
	s.srv = nil
}

// restart stops the server and starts it again on the same address.
func (s *server) restart() {
	addr := s.ln.Addr().String()
	s.stop()
	s.start(addr)
}

func (s *server) code(unit schema.Code, role store.Role) string {
	s.t.Helper()
	c, err := s.srv.NewEnrollCode(context.Background(), syncserver.CodeRequest{Unit: unit, Name: "test " + string(unit), Role: role})
	if err != nil {
		s.t.Fatalf("enrol code for %s: %v", unit, err)
	}
	return c
}

// site is one township device: a store and its sync client.
type site struct {
	t      testing.TB
	name   string
	dir    string
	unit   schema.Code
	st     *agent.Store
	client *syncclient.Client
	opts   agent.Options
}

func newSite(t testing.TB, srv *server, unit schema.Code, name string, opts agent.Options) *site {
	t.Helper()
	a := openSite(t, unit, name, opts)
	a.enroll(srv.url, srv.code(unit, store.RoleSite))
	return a
}

// openSite opens a site's store without enrolling it: edits made now carry
// no scope yet, as on a laptop set up before it got its enrolment code.
func openSite(t testing.TB, unit schema.Code, name string, opts agent.Options) *site {
	t.Helper()
	a := &site{t: t, name: name, dir: filepath.Join(t.TempDir(), name), unit: unit, opts: opts}
	if a.opts.Logger == nil {
		a.opts.Logger = quietLog()
	}
	a.open()
	t.Cleanup(func() { a.close() })
	return a
}

// enroll trades a one-time code with the server at baseURL.
func (a *site) enroll(baseURL, code string) {
	a.t.Helper()
	if err := syncclient.Enroll(context.Background(), a.st, baseURL, code, a.name); err != nil {
		a.t.Fatalf("%s: enrol: %v", a.name, err)
	}
}

// pointAt makes the site sync with baseURL (a proxy) from now on, keeping
// its token.
func (a *site) pointAt(baseURL string) {
	a.t.Helper()
	e, ok, err := a.st.Enrollment()
	if err != nil || !ok {
		a.t.Fatalf("%s: enrollment: %v (enrolled %v)", a.name, err, ok)
	}
	e.ServerURL = baseURL
	if err := a.st.SetEnrollment(e); err != nil {
		a.t.Fatal(err)
	}
}

func (a *site) open() {
	a.t.Helper()
	st, err := agent.Open(a.dir, a.opts)
	if err != nil {
		a.t.Fatalf("%s: open store: %v", a.name, err)
	}
	a.st = st
	a.client = syncclient.New(st, a.opts.Logger)
	a.client.Timeout = 10 * time.Second
}

func (a *site) close() {
	if a.st != nil {
		a.st.Close()
		a.st = nil
	}
}

func (a *site) reopen() {
	a.close()
	a.open()
}

func (a *site) sync(ctx context.Context) (syncclient.Result, error) {
	return a.client.SyncOnce(ctx)
}

// mustSync syncs, retrying a few times: the tests that inject faults expect
// some attempts to fail.
func (a *site) mustSync(t testing.TB) syncclient.Result {
	t.Helper()
	var last error
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := a.sync(ctx)
		cancel()
		if err == nil {
			return res
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: sync kept failing: %v", a.name, last)
	return syncclient.Result{}
}

// visible is a store's visible state: for every live record, its fields.
type visible map[schema.Key]string

func recordString(r *schema.Record) string {
	var b strings.Builder
	b.WriteString(string(r.Unit))
	for _, n := range r.Fields.FieldNames() {
		fmt.Fprintf(&b, "|%s=%x", n, []byte(r.Fields[n]))
	}
	return b.String()
}

// serverState returns the server's live records a device of this scope
// may see: everything under the scope, and targets of the units above it.
func serverState(t testing.TB, st store.Store, scope schema.Code) visible {
	t.Helper()
	out := visible{}
	err := st.ScanRecords(context.Background(), "", func(r *schema.Record) error {
		if r.IsDeleted() {
			return nil
		}
		if r.Unit.Within(scope) || (r.Kind.FlowsDown() && scope.Within(r.Unit)) {
			out[r.Key()] = recordString(r)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan server: %v", err)
	}
	return out
}

func diffStates(a, b visible) string {
	var diffs []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%v only in first", k))
		} else if v != w {
			diffs = append(diffs, fmt.Sprintf("%v differs:\n  %s\n  %s", k, v, w))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%v only in second", k))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], fmt.Sprintf("... and %d more", len(diffs)-5))
	}
	return strings.Join(diffs, "\n")
}

// serverLog reads the whole accepted-change log.
func serverLog(t testing.TB, st store.Store) []store.LogEntry {
	t.Helper()
	var out []store.LogEntry
	var cursor uint64
	for {
		n := 0
		next, err := st.LogAfter(context.Background(), "", "", cursor, 10000, func(*store.LogEntry) bool { return true },
			func(e *store.LogEntry) error { out = append(out, *e); n++; return nil })
		if err != nil {
			t.Fatalf("read log: %v", err)
		}
		if n == 0 {
			return out
		}
		cursor = next
	}
}

// checkServerIsMergeOfLog asserts the guarantee's middle clause: the
// server's records are exactly the merge of the accepted changes, and
// every device's changes were accepted exactly once (gapless, no repeats).
func checkServerIsMergeOfLog(t testing.TB, st store.Store) []store.LogEntry {
	t.Helper()
	log := serverLog(t, st)
	merged := map[schema.Key]*schema.Record{}
	seen := map[string]map[uint64]bool{}
	for i := range log {
		ch := &log[i].Change
		if seen[ch.Device] == nil {
			seen[ch.Device] = map[uint64]bool{}
		}
		if seen[ch.Device][ch.Seq] {
			t.Fatalf("device %s seq %d accepted twice", ch.Device, ch.Seq)
		}
		seen[ch.Device][ch.Seq] = true
		r, _, err := schema.Merge(merged[ch.Key()], ch)
		if err != nil {
			t.Fatalf("merge log entry %d: %v", log[i].Seq, err)
		}
		merged[ch.Key()] = r
	}
	n := 0
	err := st.ScanRecords(context.Background(), "", func(r *schema.Record) error {
		n++
		m := merged[r.Key()]
		if !m.Equal(r) {
			return fmt.Errorf("record %v differs from the merge of the log", r.Key())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(merged) {
		t.Fatalf("server holds %d records, the log merges to %d", n, len(merged))
	}
	return log
}

// acceptedSeqs returns, per device, the sequence numbers the log holds.
func acceptedSeqs(log []store.LogEntry) map[string][]uint64 {
	out := map[string][]uint64{}
	for _, e := range log {
		out[e.Change.Device] = append(out[e.Change.Device], e.Change.Seq)
	}
	return out
}

func isValidationError(err error) bool {
	var ve *schema.ValidationError
	return errors.As(err, &ve)
}

var _ = bytes.Equal
