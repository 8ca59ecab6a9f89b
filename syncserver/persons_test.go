package syncserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/accesslog"
)

// openAt opens a server in a temp dir whose clock reads now.
func openAt(t *testing.T, now time.Time) *Server {
	t.Helper()
	s, err := Open(context.Background(), Config{DataDir: t.TempDir(), Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// putPerson registers a person at unit as the server would receive it.
func putPerson(t *testing.T, s *Server, unit schema.Code, p schema.Person) string {
	t.Helper()
	f, err := schema.EncodeFields(p)
	if err != nil {
		t.Fatal(err)
	}
	id := schema.NewID()
	ack, err := s.Ingest().SubmitServer(context.Background(), []schema.Change{{Kind: schema.KindPerson, ID: id, Unit: unit, Set: f}})
	if err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("put person: %v %+v", err, ack)
	}
	return id
}

func testIDNumber(t *testing.T) string {
	id, err := schema.CompleteIDNumber("51180219570328011")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPersonsMaskedRevealLogged: lists and pages are masked; a reveal
// needs a reason and the account's unit, and every view and reveal is in
// the access log before the person is shown.
func TestPersonsMaskedRevealLogged(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, time.Now())
	idn := testIDNumber(t)
	id := putPerson(t, s, "511802001001", schema.Person{Name: "徐静怡", IDNumber: idn, BirthDate: "1957-03-28",
		Categories: []schema.PersonCategory{schema.CatAlone}})

	list, err := s.Persons(ctx, "511802")
	if err != nil || len(list) != 1 {
		t.Fatalf("Persons = %+v, %v", list, err)
	}
	if p := list[0]; p.Name != "徐*怡" || p.IDNumber != "5118**********"+idn[14:] || p.BirthDate != "1957" {
		t.Fatalf("listed person not masked: %+v", p)
	}
	if _, _, err := s.ViewPerson(ctx, "mingshan", "511803", id); !errors.Is(err, ErrOutOfScope) {
		t.Fatalf("view from another county: %v, want ErrOutOfScope", err)
	}
	if p, _, err := s.ViewPerson(ctx, "yucheng", "511802", id); err != nil || p.Name != "徐*怡" {
		t.Fatalf("ViewPerson = %+v, %v", p, err)
	}
	if _, _, err := s.RevealPerson(ctx, "yucheng", "511802", id, "  "); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("reveal without a reason: %v, want ErrReasonRequired", err)
	}
	p, _, err := s.RevealPerson(ctx, "yucheng", "511802", id, "核实探访记录")
	if err != nil || p.Name != "徐静怡" || p.IDNumber != idn || !p.Revealed {
		t.Fatalf("RevealPerson = %+v, %v", p, err)
	}
	log, err := s.AccessLog().Read(accesslog.Query{Person: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Action != accesslog.ActionView || log[1].Action != accesslog.ActionReveal ||
		log[1].Account != "yucheng" || log[1].Reason != "核实探访记录" || log[1].Unit != "511802001001" {
		t.Fatalf("access log = %+v, want the view then the reveal", log)
	}
}

// TestRetentionErasesIdentity: a person who died more than the county's
// retention period ago loses name, ID number and birth date in one
// server change; categories stay; others are untouched; identifying
// fields cannot be set again.
func TestRetentionErasesIdentity(t *testing.T) {
	ctx := context.Background()
	s := openAt(t, time.Date(2026, 11, 28, 10, 0, 0, 0, schema.ChinaTime))
	idn := testIDNumber(t)
	old := putPerson(t, s, "511802001001", schema.Person{Name: "徐静怡", IDNumber: idn, BirthDate: "1957-03-28",
		Categories: []schema.PersonCategory{schema.CatAlone}, Status: schema.PersonDied, LeftOn: "2023-05-01"})
	recent := putPerson(t, s, "511802001001", schema.Person{Name: "李秀英", Categories: []schema.PersonCategory{schema.CatOldest},
		Status: schema.PersonMoved, LeftOn: "2025-01-10"})
	active := putPerson(t, s, "511802001001", schema.Person{Name: "王建国", Categories: []schema.PersonCategory{schema.CatOldest}})

	if _, err := s.ErasePersons(ctx, ErasureRequest{Unit: "511802", KeepYears: 0}); !errors.Is(err, ErrBadRetention) {
		t.Fatalf("0 years: %v, want ErrBadRetention", err)
	}
	dry, err := s.ErasePersons(ctx, ErasureRequest{Unit: "511802", KeepYears: 3, DryRun: true})
	if err != nil || len(dry.Erased) != 1 || dry.Erased[0].ID != old || dry.Cutoff != "2023-11-28" {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	if _, err := s.ErasePersons(ctx, ErasureRequest{Unit: "511802", KeepYears: 3}); err != nil {
		t.Fatal(err)
	}
	var p schema.Person
	r, err := s.Store().Record(ctx, schema.KindPerson, old)
	if err != nil || r.Decode(&p) != nil {
		t.Fatal(err)
	}
	if p.Name != "" || p.IDNumber != "" || p.BirthDate != "" || p.ErasedOn != "2026-11-28" || !p.Has(schema.CatAlone) {
		t.Fatalf("erased person = %+v", p)
	}
	for _, id := range []string{recent, active} {
		r, _ := s.Store().Record(ctx, schema.KindPerson, id)
		var q schema.Person
		if r.Decode(&q); q.Name == "" || q.Erased() {
			t.Errorf("person %s erased too early: %+v", id, q)
		}
	}
	again, err := s.ErasePersons(ctx, ErasureRequest{Unit: "511802", KeepYears: 3})
	if err != nil || len(again.Erased) != 0 {
		t.Fatalf("second run = %+v, %v; want nothing left to erase", again, err)
	}
	// A township's edit naming the person again is refused.
	f, _ := schema.EncodeFields(schema.Person{Name: "徐静怡"})
	ack, err := s.Ingest().SubmitServer(ctx, []schema.Change{{Kind: schema.KindPerson, ID: old, Unit: "511802001001",
		Set: schema.Fields{"name": f["name"]}}})
	if err != nil || len(ack.Rejected) != 1 {
		t.Fatalf("renaming an erased person: %+v, %v; want it refused", ack, err)
	}
}

// TestRetentionErasesDeletedPersons: a person record deleted (a mistaken
// entry, or the old record of a moved person) keeps its identity in the
// store; the retention run erases it once the deletion is older than the
// period, and the record stays deleted.
func TestRetentionErasesDeletedPersons(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(now time.Time) *Server {
		s, err := Open(ctx, Config{DataDir: dir, Now: func() time.Time { return now },
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open(time.Date(2022, 5, 1, 10, 0, 0, 0, schema.ChinaTime))
	idn := testIDNumber(t)
	id := putPerson(t, s, "511802001001", schema.Person{Name: "徐静怡", IDNumber: idn, BirthDate: "1957-03-28",
		Categories: []schema.PersonCategory{schema.CatAlone}})
	if _, err := s.Ingest().SubmitServer(ctx, []schema.Change{{Kind: schema.KindPerson, ID: id, Unit: "511802001001", Delete: true}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open(time.Date(2026, 11, 28, 10, 0, 0, 0, schema.ChinaTime))
	defer s.Close()
	res, err := s.ErasePersons(ctx, ErasureRequest{Unit: "511802", KeepYears: 3})
	if err != nil || len(res.Erased) != 1 || res.Erased[0].ID != id {
		t.Fatalf("retention run = %+v, %v; want the deleted person erased", res, err)
	}
	r, err := s.Store().Record(ctx, schema.KindPerson, id)
	if err != nil {
		t.Fatal(err)
	}
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if !r.IsDeleted() || p.Name != "" || p.IDNumber != "" || !p.Erased() {
		t.Fatalf("after the run: deleted %v, person %+v; want deleted and erased", r.IsDeleted(), p)
	}
}
