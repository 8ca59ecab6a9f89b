package syncserver

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"laoxiao/schema"
)

// TestAuditTracesAFigure: every accepted change is in the audit trail with
// who sent it, and a record's history can be asked for by id.
func TestAuditTracesAFigure(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	target := func(unit schema.Code, v float64) schema.Change {
		f, err := schema.EncodeFields(schema.Target{Indicator: "places_per_1000", Year: 2025, Value: v, ValueText: "4.5"})
		if err != nil {
			t.Fatal(err)
		}
		return schema.Change{Kind: schema.KindTarget, ID: schema.TargetID(unit, "places_per_1000", 2025), Unit: unit, Set: f}
	}
	if _, err := s.Ingest().SubmitServer(ctx, []schema.Change{target("5118", 4.5), target("511802", 4.5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ingest().SubmitServer(ctx, []schema.Change{target("511802", 5)}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Audit(ctx, AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d audit entries, want 3", len(all))
	}
	one, err := s.Audit(ctx, AuditQuery{Kind: schema.KindTarget, ID: schema.TargetID("511802", "places_per_1000", 2025)})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 2 || one[1].Fields["value"] != "5" || one[0].Account != "server" || one[0].Received.IsZero() {
		t.Fatalf("history of the county target: %+v", one)
	}
	county, err := s.Audit(ctx, AuditQuery{Unit: "511802", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(county) != 1 || county[0].Seq != 3 {
		t.Fatalf("newest entry under 511802: %+v", county)
	}
}

// TestAuditMasksPersons: the audit trail (and so the audit command, the
// admin API and the console, which all read it through Audit) shows a
// person's name and ID number masked, and the rest of the change as set.
func TestAuditMasksPersons(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := schema.CompleteIDNumber("51180219570328011")
	if err != nil {
		t.Fatal(err)
	}
	f, err := schema.EncodeFields(schema.Person{Name: "徐静怡", IDNumber: id, BirthDate: "1957-03-28",
		Categories: []schema.PersonCategory{schema.CatAlone}})
	if err != nil {
		t.Fatal(err)
	}
	ch := schema.Change{Kind: schema.KindPerson, ID: schema.NewID(), Unit: "511802001001", Set: f}
	if _, err := s.Ingest().SubmitServer(ctx, []schema.Change{ch}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Audit(ctx, AuditQuery{Kind: schema.KindPerson})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d entries, want 1", len(got))
	}
	for field, want := range map[string]string{"name": "徐*怡", "id_number": "5118**********" + id[14:], "birth_date": "1957-03-28"} {
		if got[0].Fields[field] != want {
			t.Errorf("%s = %q, want %q", field, got[0].Fields[field], want)
		}
	}
}
