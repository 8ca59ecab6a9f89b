package syncserver

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"

	"laoxiao/schema"
)

// mergeServer is a server holding three persons and a facility in 草坝镇's
// 林口村, written by the server itself (an import), and one person in
// 名山区.
func mergeServer(t *testing.T) *Server {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	put := func(id string, unit schema.Code, v any) schema.Change {
		f, err := schema.EncodeFields(v)
		if err != nil {
			t.Fatal(err)
		}
		k, _ := schema.KindOf(v)
		return schema.Change{Kind: k, ID: id, Unit: unit, Set: f}
	}
	elder := schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}}
	noted := elder
	noted.Note, noted.BirthDate = "女儿电话 13800000000", "1945-03-02"
	changes := []schema.Change{
		put("s", "511802101200", elder), put("d", "511802101200", noted), put("e", "511802101200", elder),
		put("far", "511803001001", elder),
		put("fac", "511802101200", schema.Facility{Name: "林口村幸福院", Kind: schema.FKRuralHappiness,
			Ownership: schema.OwnPublic, Status: schema.StatusOperating}),
	}
	if ack, err := s.Ingest().SubmitServer(ctx, changes); err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("load: %v %+v", err, ack)
	}
	return s
}

func (s *Server) personFor(t *testing.T, id string) schema.Person {
	t.Helper()
	r, err := s.st.Record(context.Background(), schema.KindPerson, id)
	if err != nil {
		t.Fatal(err)
	}
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMergeRefusals: each request an office can get wrong is refused with
// its own error and writes nothing.
func TestMergeRefusals(t *testing.T) {
	s := mergeServer(t)
	ctx := context.Background()
	if _, err := s.Merge(ctx, MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "e", By: "雨城区民政局"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  MergeRequest
		want error
	}{
		{"itself", MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "s"}, ErrMergeSelf},
		{"unknown", MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "nobody"}, ErrMergeRecord},
		{"another county's record", MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "far"}, ErrMergeRecord},
		{"outside the office's unit", MergeRequest{Unit: "511803", Survivor: "far", Duplicate: "d"}, ErrMergeRecord},
		{"a facility into a person", MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "fac"}, ErrMergeKinds},
		{"merged twice", MergeRequest{Unit: "511802", Survivor: "d", Duplicate: "e"}, ErrAlreadyMerged},
		{"into a merged record", MergeRequest{Unit: "511802", Survivor: "e", Duplicate: "d"}, ErrSurvivorMerged},
	} {
		if _, err := s.Merge(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.Unmerge(ctx, UnmergeRequest{Unit: "511802", Duplicate: "d"}); !errors.Is(err, ErrNotMerged) {
		t.Errorf("unmerge of a record never merged: %v", err)
	}
	if p := s.personFor(t, "d"); p.MergedInto != "" {
		t.Errorf("a refused request merged d into %q", p.MergedInto)
	}
}

// TestMergeFillsAndUnmergeEmpties: a merge copies what only the duplicate
// had onto the survivor, except the fields the office keeps; unmerge
// empties them again, except one edited since.
func TestMergeFillsAndUnmergeEmpties(t *testing.T) {
	s := mergeServer(t)
	ctx := context.Background()
	info, err := s.Merge(ctx, MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "d", By: "雨城区民政局",
		Reason: "重复登记", Keep: []string{"birth_date"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Filled, []string{"note"}) {
		t.Errorf("filled %v, want [note] (birth_date kept as it was)", info.Filled)
	}
	surv, dup := s.personFor(t, "s"), s.personFor(t, "d")
	if surv.Note != "女儿电话 13800000000" || surv.BirthDate != "" {
		t.Errorf("survivor after the merge: %+v", surv)
	}
	if dup.MergedInto != "s" || dup.MergedBy != "雨城区民政局" || dup.MergeReason != "重复登记" || dup.MergedAt == "" || dup.MergeFilled != "note" {
		t.Errorf("duplicate's pointer: %+v", dup)
	}
	info, err = s.Unmerge(ctx, UnmergeRequest{Unit: "511802", Duplicate: "d", By: "雨城区民政局", Reason: "两人"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Filled, []string{"note"}) || s.personFor(t, "s").Note != "" {
		t.Errorf("unmerge emptied %v, survivor's note %q; want the note emptied", info.Filled, s.personFor(t, "s").Note)
	}
	if p := s.personFor(t, "d"); p.MergedInto != "" || p.MergeReason != "两人" || p.Note == "" {
		t.Errorf("duplicate after the unmerge: %+v", p)
	}
	// Merge again, then an office edits the filled note: unmerge keeps it.
	if _, err := s.Merge(ctx, MergeRequest{Unit: "511802", Survivor: "s", Duplicate: "d"}); err != nil {
		t.Fatal(err)
	}
	if ack, err := s.Ingest().SubmitServer(ctx, []schema.Change{{Kind: schema.KindPerson, ID: "s", Unit: "511802101200",
		Set: schema.Fields{"note": schema.MustMarshal("新电话 13900000000")}}}); err != nil || len(ack.Rejected) > 0 {
		t.Fatal(err, ack)
	}
	if _, err := s.Unmerge(ctx, UnmergeRequest{Unit: "511802", Duplicate: "d"}); err != nil {
		t.Fatal(err)
	}
	if got := s.personFor(t, "s").Note; got != "新电话 13900000000" {
		t.Errorf("unmerge emptied a note edited after the merge: %q", got)
	}
}
