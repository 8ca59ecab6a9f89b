package agent

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

func TestMain(m *testing.M) {
	// Argon2 at 64 MiB under the race detector takes seconds per open;
	// the parameters are stored per store, so tests may use cheaper ones.
	defaultKDF.MemoryKiB = 8 << 10
	defaultKDF.Time = 1
	os.Exit(m.Run())
}

// Units of the built-in divisions the tests write under.
const (
	county    schema.Code = "511802"       // 雨城区
	township  schema.Code = "511802001"    // 东城街道
	village   schema.Code = "511802001001" // 东大街社区居委会
	township2 schema.Code = "511802002"    // 西城街道
	county2   schema.Code = "511803"       // 名山区
	township3 schema.Code = "511803001"    // 永兴街道, in county2
)

// fakeClock is a settable wall clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func openAt(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openTemp(t testing.TB) *Store {
	t.Helper()
	return openAt(t, t.TempDir(), Options{})
}

func mustPut(t testing.TB, s *Store, kind schema.Kind, id string, unit schema.Code, v any) *schema.Change {
	t.Helper()
	ch, err := s.Put(kind, id, unit, v)
	if err != nil {
		t.Fatalf("put %s %s: %v", kind, id, err)
	}
	return ch
}

func facility(name string) schema.Facility {
	return schema.Facility{Name: name, Kind: schema.FKDayCare, Ownership: schema.OwnPublic,
		Filing: schema.FilingFiled, Opened: "2023-05-01", Status: schema.StatusOperating, Address: "东大街1号"}
}

// idNumber returns a valid 居民身份证号 for the prefix of 17 digits.
func idNumber(t testing.TB, prefix17 string) string {
	t.Helper()
	id, err := schema.CompleteIDNumber(prefix17)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func person(name string) schema.Person {
	return schema.Person{Name: name, BirthDate: "1940-03-02", Categories: []schema.PersonCategory{schema.CatAlone}}
}

// snapshot returns every key and value in the store, to show that a failed
// write wrote nothing.
func snapshot(t testing.TB, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().KeyCopy(nil))] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffSnapshots(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, "-"+k)
		} else if v != w {
			d = append(d, "~"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, "+"+k)
		}
	}
	sort.Strings(d)
	return d
}

func TestReopenKeepsIdentitySeqAndClock(t *testing.T) {
	dir := t.TempDir()
	clk := newFakeClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	s := openAt(t, dir, Options{Now: clk.Now})
	dev := s.DeviceID()
	if dev == "" {
		t.Fatal("no device id")
	}
	var last *schema.Change
	for i := range 3 {
		last = mustPut(t, s, schema.KindFacility, "", village, facility("幸福院"+string(rune('A'+i))))
	}
	if last.Seq != 3 {
		t.Fatalf("third change has seq %d", last.Seq)
	}
	if err := s.SetClockOffset(90 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The laptop's clock was set back a day while the app was closed.
	clk.Set(clk.Now().Add(-24 * time.Hour))
	s = openAt(t, dir, Options{Now: clk.Now})
	if s.DeviceID() != dev {
		t.Fatalf("device id changed: %s → %s", dev, s.DeviceID())
	}
	if got := s.Clock().Offset(); got != 90*time.Second {
		t.Fatalf("offset after reopen = %v", got)
	}
	ch := mustPut(t, s, schema.KindFacility, "", village, facility("日间照料中心"))
	if ch.Seq != 4 {
		t.Fatalf("seq after reopen = %d, want 4", ch.Seq)
	}
	if ch.Stamp <= last.Stamp {
		t.Fatalf("stamp after reopen %v not after %v", ch.Stamp, last.Stamp)
	}
	st, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Outbox != 4 || st.LastSeq != 4 || st.OldestSeq != 1 || st.DeviceID != dev {
		t.Fatalf("status = %+v", st)
	}
}

func TestCloseTwice(t *testing.T) {
	s := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenTwiceFails(t *testing.T) {
	dir := t.TempDir()
	openAt(t, dir, Options{})
	if _, err := Open(dir, Options{Logger: quietLog}); err == nil {
		t.Fatal("second open of the same directory succeeded")
	} else if errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("lock error reported as wrong passphrase: %v", err)
	}
}
