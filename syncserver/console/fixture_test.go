package console

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// Test accounts: one for 雨城区, one for 名山区, and one the lockout test
// may lock without disturbing the others.
const (
	yuchengUser  = "yucheng"
	mingshanUser = "mingshan"
	lockUser     = "lockme"
	testPassword = "正确的密码-2025"
	// xssName is a facility and device name that would set a window
	// variable if a page ran it.
	xssName = `敬老院<script>window.pwned=1</script>`
)

// testClock is the console's clock; tests move it to expire sessions.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// fixture is a real sync server on Badger in a temporary directory with
// a few devices and facilities, its console served on loopback.
type fixture struct {
	srv   *syncserver.Server
	con   *Console
	http  *httptest.Server
	clock *testClock
	dir   string
}

func quietLog() *slog.Logger {
	if os.Getenv("LAOXIAO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := syncserver.Open(ctx, syncserver.Config{DataDir: dir, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	accts, err := OpenAccounts(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Cheap hashes: the race detector makes the real cost take seconds
	// per sign-in; TestAccountsDurable keeps the production cost.
	accts.params = Argon2Params{Time: 1, MemoryK: 256, Threads: 1, KeyLen: 32}
	for name, unit := range map[string]schema.Code{yuchengUser: "511802", mingshanUser: "511803", lockUser: "511802"} {
		if err := accts.Add(name, unit, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{srv: srv, clock: &testClock{}, dir: dir}
	f.con, err = New(Config{Server: srv, Accounts: accts, Logger: quietLog(), Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.http = httptest.NewServer(f.con.Handler())
	t.Cleanup(f.http.Close)
	f.load(t)
	return f
}

// load enrols three devices (two in 雨城区, one in 名山区) and has two of
// them upload a facility each, so they have a last sync and the audit
// trail has entries; one facility and one device carry a script tag.
func (f *fixture) load(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	enrol := func(unit schema.Code, id, name string) {
		code, err := f.srv.NewEnrollCode(ctx, syncserver.CodeRequest{Unit: unit, Name: name, Role: store.RoleSite})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.srv.Registry().Trade(ctx, code, id, name); err != nil {
			t.Fatal(err)
		}
	}
	enrol("511802001", "dev-dongcheng", "东城街道"+`<script>window.pwned=2</script>`)
	enrol("511802002", "dev-xicheng", "西城街道民政办")
	enrol("511803101", "dev-mingshan", "名山区百丈镇")
	f.upload(t, "dev-dongcheng", "511802001", "fac-xss", xssName)
	f.upload(t, "dev-mingshan", "511803101", "fac-ms", "百丈镇敬老院")
}

// upload sends one facility as a device would, through the single writer.
func (f *fixture) upload(t *testing.T, device string, unit schema.Code, id, name string) {
	t.Helper()
	fields, err := schema.EncodeFields(schema.Facility{Name: name, Kind: schema.FKTekunHome, Ownership: schema.OwnPublic,
		Filing: schema.FilingFiled, Status: schema.StatusOperating})
	if err != nil {
		t.Fatal(err)
	}
	ch := schema.Change{Kind: schema.KindFacility, ID: id, Unit: unit, Set: fields,
		Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: device, Seq: 1}
	ack, err := f.srv.Ingest().Submit(context.Background(), ingest.Account{Device: device, Scope: unit, Role: store.RoleSite},
		&schema.Upload{Batch: 1, First: 1, Changes: []schema.Change{ch}})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Status != schema.AckApplied {
		t.Fatalf("upload of %s not applied: %+v", id, ack)
	}
}
