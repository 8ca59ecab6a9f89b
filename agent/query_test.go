package agent

import (
	"errors"
	"testing"

	"laoxiao/schema"
)

func TestListByUnitPrefix(t *testing.T) {
	s := openTemp(t)
	put := func(unit schema.Code, name string) string {
		return mustPut(t, s, schema.KindFacility, "", unit, facility(name)).ID
	}
	put(village, "村1")
	put(village, "村2")
	put(township, "镇1")
	put(township2, "镇2")
	put(township3, "另一个县")
	gone := put(village, "已删除")
	if _, err := s.Delete(schema.KindFacility, gone); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, schema.KindPerson, "", village, person("不是机构"))

	tests := []struct {
		unit schema.Code
		want int
	}{
		{"", 5},
		{"51", 5},
		{county, 4},
		{township, 3},
		{village, 2},
		{township2, 1},
		{county2, 1},
		{township3, 1},
		{"511822", 0},
	}
	for _, tc := range tests {
		n, err := s.Count(schema.KindFacility, tc.unit)
		if err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("count under %q = %d, want %d", tc.unit, n, tc.want)
		}
	}
	var units []schema.Code
	if err := s.List(schema.KindFacility, county, func(r *schema.Record) error {
		units = append(units, r.Unit)
		if len(units) == 2 {
			return ErrStop
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(units) != 2 || units[0] != township {
		t.Fatalf("stopped list gave %v", units)
	}
	if err := s.List(schema.KindFacility, "5118x", func(*schema.Record) error { return nil }); err == nil {
		t.Fatal("list under a malformed code succeeded")
	}
}

func TestLatestCapacity(t *testing.T) {
	s := openTemp(t)
	// Ids chosen so one is a prefix of the other, as "f" and "f:x" would be.
	facA := "fac"
	facB := "fac:2025"
	for _, id := range []string{facA, facB} {
		mustPut(t, s, schema.KindFacility, id, village, facility(id))
	}
	for _, p := range []string{"2024-11", "2025-02", "2024-12"} {
		mustPut(t, s, schema.KindCapacity, "", village, schema.Capacity{Facility: facA, Period: p, BedsTotal: 10})
	}
	mustPut(t, s, schema.KindCapacity, "", village, schema.Capacity{Facility: facB, Period: "2025-06", BedsTotal: 99})

	rec, err := s.LatestCapacity(facA)
	if err != nil {
		t.Fatal(err)
	}
	var c schema.Capacity
	if err := rec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Facility != facA || c.Period != "2025-02" {
		t.Fatalf("latest of %s = %+v", facA, c)
	}
	if _, err := s.LatestCapacity("none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("latest of unknown facility: %v", err)
	}
	// A deleted latest report falls back to the one before.
	if _, err := s.Delete(schema.KindCapacity, schema.CapacityID(facA, "2025-02")); err != nil {
		t.Fatal(err)
	}
	rec, err = s.LatestCapacity(facA)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != schema.CapacityID(facA, "2024-12") {
		t.Fatalf("latest after delete = %s", rec.ID)
	}
}

func TestVisitsOf(t *testing.T) {
	s := openTemp(t)
	a := mustPut(t, s, schema.KindPerson, "", village, person("甲")).ID
	b := mustPut(t, s, schema.KindPerson, "", village, person("乙")).ID
	var aVisits []string
	for i, d := range []string{"2025-01-03", "2025-02-04", "2025-03-05"} {
		id, err := s.AddVisit(village, schema.Visit{Person: a, Date: d, Visitor: "社工", Kind: schema.VisitMonthly, Outcome: "良好"})
		if err != nil {
			t.Fatal(err)
		}
		aVisits = append(aVisits, id)
		if i == 0 {
			if _, err := s.AddVisit(village, schema.Visit{Person: b, Date: d, Kind: schema.VisitMonthly}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A correction is a new visit that supersedes the first.
	fix, err := s.AddVisit(village, schema.Visit{Person: a, Date: "2025-01-04", Kind: schema.VisitMonthly, Supersedes: aVisits[0]})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.VisitsOf(a)
	if err != nil {
		t.Fatal(err)
	}
	want := append(aVisits, fix)
	if len(got) != len(want) {
		t.Fatalf("visits of a: %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i] {
			t.Fatalf("visit %d = %s, want %s", i, got[i].ID, want[i])
		}
	}
	if got, _ := s.VisitsOf(b); len(got) != 1 {
		t.Fatalf("visits of b: %d", len(got))
	}
	if got, _ := s.VisitsOf("nobody"); len(got) != 0 {
		t.Fatalf("visits of nobody: %d", len(got))
	}
}
