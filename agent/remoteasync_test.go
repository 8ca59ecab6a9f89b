package agent

import (
	"errors"
	"testing"
	"time"

	"laoxiao/schema"
)

// TestApplyRemoteAsyncPages: pages handed over one after the other without
// waiting land in order, the second merged over the first, and a page
// still on its way to disk when the store closes is on disk after.
func TestApplyRemoteAsyncPages(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	entries := remoteChanges(t, "other-device", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	// The rename (entry 1) lands on the facility of the page before.
	first, err := s.ApplyRemoteAsync(entries[:1], 100)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.ApplyRemoteAsync(entries[1:], 107)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := first(); err != nil || n != 1 {
		t.Fatalf("first page: %d applied, %v", n, err)
	}
	if n, err := second(); err != nil || n != len(entries)-1 {
		t.Fatalf("second page: %d applied, %v", n, err)
	}
	fac, err := s.Get(schema.KindFacility, entries[0].Change.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v := fac.Versions["name"]; v.Stamp != entries[1].Change.Stamp {
		t.Errorf("name's version %v, want the rename's stamp %v", v, entries[1].Change.Stamp)
	}
	more := remoteChanges(t, "third-device", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
	if _, err := s.ApplyRemoteAsync(more, 300); err != nil {
		t.Fatal(err)
	}
	s.Close() // without waiting
	s = openAt(t, dir, Options{})
	if s.Cursor() != 300 {
		t.Errorf("cursor after reopening %d, want the last page's 300", s.Cursor())
	}
	for _, e := range []schema.LogEntry{more[0], more[2], more[3]} { // a facility, a person, a visit
		if _, err := s.Get(e.Change.Kind, e.Change.ID); err != nil {
			t.Errorf("%s of the page in flight at Close: %v", e.Change.Kind, err)
		}
	}
}

// TestApplyRemoteAsyncAfterFailure: the page after one whose write failed
// is refused with that failure and leaves the cursor where the disk has
// it; the page after that applies.
func TestApplyRemoteAsyncAfterFailure(t *testing.T) {
	s := openTemp(t)
	entries := remoteChanges(t, "other-device", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	if _, err := s.ApplyRemote(entries[:1], 100); err != nil {
		t.Fatal(err)
	}
	// A page whose write failed (a disk error: Badger's writer reports
	// it to the commit's callback).
	broken := errors.New("disk failed")
	failed := &remoteCommit{done: make(chan struct{}), err: broken}
	close(failed.done)
	s.wmu.Lock()
	s.remoteTail = failed
	s.wmu.Unlock()
	if _, err := s.ApplyRemoteAsync(entries[1:], 107); !errors.Is(err, broken) {
		t.Fatalf("page after the failed one: %v, want its failure", err)
	}
	if s.Cursor() != 100 {
		t.Fatalf("cursor %d after the refused page, want 100", s.Cursor())
	}
	if n, err := s.ApplyRemote(entries[1:], 107); err != nil || n != len(entries)-1 || s.Cursor() != 107 {
		t.Fatalf("the page again: %d applied, cursor %d, %v", n, s.Cursor(), err)
	}
}
