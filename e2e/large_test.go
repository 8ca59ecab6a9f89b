package e2e

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
)

// syncLog collects a server's log lines for a test to look at.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// addPeople registers n served persons, each with a note of noteBytes, in
// transactions small enough for the site's store.
func addPeople(t testing.TB, a *site, n, noteBytes int) []string {
	t.Helper()
	vills := schema.BuiltinDivisions().Descendants(a.unit, schema.LevelVillage)
	note := strings.Repeat("探", noteBytes/3)
	var ids []string
	for i := 0; i < n; {
		var items []agent.Item
		for ; i < n && len(items) < 40; i++ {
			id := schema.NewID()
			ids = append(ids, id)
			items = append(items, agent.Item{Kind: schema.KindPerson, ID: id, Unit: vills[i%len(vills)],
				Value: schema.Person{Name: fmt.Sprintf("老人%d", i), BirthDate: "1940-03-02",
					Categories: []schema.PersonCategory{schema.CatAlone}, Note: note}})
		}
		if _, err := a.st.PutBatch(items); err != nil {
			t.Fatalf("%s: add people: %v", a.name, err)
		}
	}
	return ids
}

// TestLargeRecords: records with long notes (a field may hold 64 KiB)
// must sync like small ones. Uploads of 500 such changes, and downloads of
// 500, would be frames over the limit, refused on every retry; and a batch
// of small edits to large records makes a commit larger than the store's
// transaction limit, which the server must split.
func TestLargeRecords(t *testing.T) {
	var logs syncLog
	srv := startServerLogging(t, t.TempDir(), nil, slog.New(slog.NewTextHandler(&logs, nil)))

	t.Run("frames stay within the limit both ways", func(t *testing.T) {
		tw := testTownships[1]
		a := newSite(t, srv, tw, "longnotes", agent.Options{})
		addPeople(t, a, 600, 9000) // 500 of them make a 4.6 MB batch
		if res := a.mustSync(t); res.Uploaded != 600 {
			t.Fatalf("uploaded %d, want 600", res.Uploaded)
		}
		b := newSite(t, srv, tw, "reader", agent.Options{})
		if res := b.mustSync(t); res.Downloaded != 600 {
			t.Fatalf("downloaded %d, want 600", res.Downloaded)
		}
		checkConverged(t, srv, []*site{a, b})
	})

	t.Run("commit larger than a transaction is split", func(t *testing.T) {
		tw := testTownships[4]
		a := newSite(t, srv, tw, "bignotes", agent.Options{})
		ids := addPeople(t, a, 400, 30000)
		a.mustSync(t)
		// Renaming every person is 400 small changes, but the records they
		// merge into hold 12 MB, more than one Badger transaction takes.
		for i := 0; i < len(ids); {
			var items []agent.Item
			for ; i < len(ids) && len(items) < 40; i++ {
				r, err := a.st.Get(schema.KindPerson, ids[i])
				if err != nil {
					t.Fatal(err)
				}
				var p schema.Person
				if err := r.Decode(&p); err != nil {
					t.Fatal(err)
				}
				p.Name += "(更名)"
				items = append(items, agent.Item{Kind: schema.KindPerson, ID: r.ID, Unit: r.Unit, Value: p})
			}
			if _, err := a.st.PutBatch(items); err != nil {
				t.Fatal(err)
			}
		}
		if res := a.mustSync(t); res.Uploaded != len(ids) {
			t.Fatalf("uploaded %d renames, want %d", res.Uploaded, len(ids))
		}
		if !strings.Contains(logs.String(), "committing it in halves") {
			t.Fatalf("the server never split a commit; the test did not reach the transaction limit")
		}
		checkConverged(t, srv, []*site{a})
	})
}
