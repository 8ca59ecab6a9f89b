package agent

import (
	"errors"
	"testing"

	"laoxiao/schema"
)

func TestPutCreateEditNoop(t *testing.T) {
	s := openTemp(t)
	f := facility("东城日间照料中心")
	ch := mustPut(t, s, schema.KindFacility, "", village, f)
	if ch.Seq != 1 || ch.Device != s.DeviceID() || ch.Stamp == 0 || ch.ID == "" {
		t.Fatalf("create change = %+v", ch)
	}
	if len(ch.Set) != len(mustFields(t, f)) {
		t.Fatalf("create sets %d fields, want all %d", len(ch.Set), len(mustFields(t, f)))
	}

	// Editing sends only what changed.
	f.Status = schema.StatusSuspended
	f.Medical = true
	edit := mustPut(t, s, schema.KindFacility, ch.ID, village, &f)
	if got := edit.Set.FieldNames(); len(got) != 2 || got[0] != "medical" || got[1] != "status" {
		t.Fatalf("edit sets %v, want [medical status]", got)
	}
	if edit.Seq != 2 || edit.Stamp <= ch.Stamp {
		t.Fatalf("edit seq %d stamp %v after %v", edit.Seq, edit.Stamp, ch.Stamp)
	}

	// Saving the same values again is no change at all.
	before := snapshot(t, s)
	if again := mustPut(t, s, schema.KindFacility, ch.ID, village, f); again != nil {
		t.Fatalf("unchanged put made change %+v", again)
	}
	if d := diffSnapshots(before, snapshot(t, s)); len(d) > 0 {
		t.Fatalf("unchanged put wrote %v", d)
	}

	_, v, err := s.GetTyped(schema.KindFacility, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := *v.(*schema.Facility); got.Status != schema.StatusSuspended || !got.Medical || got.Name != f.Name {
		t.Fatalf("stored facility = %+v", got)
	}
}

// hasProblem reports whether err is a *schema.ValidationError naming field
// (kind.field), with both languages filled in.
func hasProblem(err error, field string) bool {
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, p := range ve.Problems {
		if p.Field == field && p.En != "" && p.Zh != "" {
			return true
		}
	}
	return false
}

func mustFields(t *testing.T, v any) schema.Fields {
	t.Helper()
	f, err := schema.EncodeFields(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDerivedIDs(t *testing.T) {
	s := openTemp(t)
	fac := mustPut(t, s, schema.KindFacility, "", village, facility("托育点"))
	c := schema.Capacity{Facility: fac.ID, Period: "2025-02", PlacesTotal: 30, PlacesInclusive: 20, ChildrenEnrolled: 12}
	ch := mustPut(t, s, schema.KindCapacity, "", village, c)
	if want := schema.CapacityID(fac.ID, "2025-02"); ch.ID != want {
		t.Fatalf("capacity id %q, want %q", ch.ID, want)
	}
	// The same month entered again is an edit of the same report.
	c.ChildrenEnrolled = 15
	ch2 := mustPut(t, s, schema.KindCapacity, "", village, c)
	if ch2.ID != ch.ID || len(ch2.Set) != 1 {
		t.Fatalf("second report of the month: id %q set %v", ch2.ID, ch2.Set.FieldNames())
	}
	p := mustPut(t, s, schema.KindPopulation, "", township, schema.Population{Year: 2024, Resident: 52000, Aged60: 12000, Aged65: 9000})
	if want := schema.PopulationID(township, 2024); p.ID != want {
		t.Fatalf("population id %q, want %q", p.ID, want)
	}
	r := mustPut(t, s, schema.KindReported, "", county, schema.Reported{Indicator: "pension_insurance_rate", Period: "2024", Value: 95.2, Department: "人社局"})
	if want := schema.ReportedID(county, "pension_insurance_rate", "2024"); r.ID != want {
		t.Fatalf("reported id %q, want %q", r.ID, want)
	}
}

// TestRefusedWritesWriteNothing checks every way a local write is refused,
// and that a refused write leaves the store byte for byte as it was.
func TestRefusedWritesWriteNothing(t *testing.T) {
	s := openTemp(t)
	fac := mustPut(t, s, schema.KindFacility, "", village, facility("敬老院"))
	per := mustPut(t, s, schema.KindPerson, "", village, person("张三"))
	visitID, err := s.AddVisit(village, schema.Visit{Person: per.ID, Date: "2025-02-03", Visitor: "李四", Kind: schema.VisitMonthly})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func()
		write func() error
		check func(error) bool
	}{
		{"unknown unit", nil, func() error {
			_, err := s.Put(schema.KindFacility, "", "511802999", facility("x"))
			return err
		}, func(err error) bool { return hasProblem(err, "facility.unit") }},
		{"malformed unit", nil, func() error {
			_, err := s.Put(schema.KindFacility, "", "5118x", facility("x"))
			return err
		}, func(err error) bool { return hasProblem(err, "facility.unit") }},
		{"target is read-only", nil, func() error {
			_, err := s.Put(schema.KindTarget, "", county, schema.Target{Indicator: "x", Year: 2025, Value: 1})
			return err
		}, func(err error) bool { return errors.Is(err, ErrReadOnly) }},
		{"value of another kind", nil, func() error {
			_, err := s.Put(schema.KindFacility, "", village, person("x"))
			return err
		}, func(err error) bool { return err != nil }},
		{"capacity of unknown facility", nil, func() error {
			_, err := s.Put(schema.KindCapacity, "", village, schema.Capacity{Facility: "nope", Period: "2025-01", BedsTotal: 3})
			return err
		}, func(err error) bool { return hasProblem(err, "capacity.facility") }},
		{"capacity under another unit than its facility", nil, func() error {
			_, err := s.Put(schema.KindCapacity, "", township, schema.Capacity{Facility: fac.ID, Period: "2025-01", BedsTotal: 3})
			return err
		}, func(err error) bool { return hasProblem(err, "capacity.unit") }},
		{"capacity id not matching its fields", nil, func() error {
			_, err := s.Put(schema.KindCapacity, "cap:other:2025-01", village, schema.Capacity{Facility: fac.ID, Period: "2025-01"})
			return err
		}, func(err error) bool { return hasProblem(err, "change.id") }},
		{"nursing beds above total beds", nil, func() error {
			_, err := s.Put(schema.KindCapacity, "", village, schema.Capacity{Facility: fac.ID, Period: "2025-01", BedsTotal: 10, BedsNursing: 12})
			return err
		}, func(err error) bool { return hasProblem(err, "capacity.beds_nursing") }},
		{"negative count", nil, func() error {
			_, err := s.Put(schema.KindCapacity, "", village, schema.Capacity{Facility: fac.ID, Period: "2025-01", BedsTotal: -1})
			return err
		}, func(err error) bool { return hasProblem(err, "capacity.beds_total") }},
		{"every problem of a form at once", nil, func() error {
			_, err := s.Put(schema.KindCapacity, "", village, schema.Capacity{Facility: "nope", Period: "2025-13", BedsTotal: -1})
			return err
		}, func(err error) bool {
			return hasProblem(err, "capacity.facility") && hasProblem(err, "capacity.period") && hasProblem(err, "capacity.beds_total")
		}},
		{"facility without a name", nil, func() error {
			_, err := s.Put(schema.KindFacility, "", village, facility(""))
			return err
		}, func(err error) bool { return hasProblem(err, "facility.name") }},
		{"facility at county level", nil, func() error {
			_, err := s.Put(schema.KindFacility, "", county, facility("县里"))
			return err
		}, func(err error) bool { return hasProblem(err, "facility.unit") }},
		{"visit dated in the future", nil, func() error {
			_, err := s.AddVisit(village, schema.Visit{Person: per.ID, Date: "2999-01-01", Kind: schema.VisitMonthly})
			return err
		}, func(err error) bool { return hasProblem(err, "visit.date") }},
		{"bad ID number", nil, func() error {
			p := person("赵六")
			good := idNumber(t, "51180219400302001")
			bad := byte('0')
			if good[17] == '0' {
				bad = '1'
			}
			p.IDNumber = good[:17] + string(bad)
			_, err := s.Put(schema.KindPerson, "", village, p)
			return err
		}, func(err error) bool { return hasProblem(err, "person.id_number") }},
		{"visit to unknown person", nil, func() error {
			_, err := s.AddVisit(village, schema.Visit{Person: "nobody", Date: "2025-02-03", Kind: schema.VisitMonthly})
			return err
		}, func(err error) bool { return hasProblem(err, "visit.person") }},
		{"visit superseding an unknown visit", nil, func() error {
			_, err := s.AddVisit(village, schema.Visit{Person: per.ID, Date: "2025-02-03", Kind: schema.VisitMonthly, Supersedes: "nope"})
			return err
		}, func(err error) bool { return hasProblem(err, "visit.supersedes") }},
		{"editing a visit", nil, func() error {
			_, err := s.Put(schema.KindVisit, visitID, village, schema.Visit{Person: per.ID, Date: "2025-02-04", Kind: schema.VisitMonthly})
			return err
		}, func(err error) bool { return errors.Is(err, ErrInsertOnly) }},
		{"deleting a visit", nil, func() error {
			_, err := s.Delete(schema.KindVisit, visitID)
			return err
		}, func(err error) bool { return errors.Is(err, ErrInsertOnly) }},
		{"moving a record to another unit", nil, func() error {
			_, err := s.Put(schema.KindFacility, fac.ID, township, facility("敬老院"))
			return err
		}, func(err error) bool { return errors.Is(err, schema.ErrUnitMismatch) }},
		{"deleting a missing record", nil, func() error {
			_, err := s.Delete(schema.KindFacility, "nope")
			return err
		}, func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"outside the device's scope", func() {
			if err := s.SetScope(township2); err != nil {
				t.Fatal(err)
			}
		}, func() error {
			_, err := s.Put(schema.KindFacility, "", village, facility("x"))
			return err
		}, func(err error) bool { return hasProblem(err, "facility.unit") }},
		{"batch with one bad item", nil, func() error {
			_, err := s.PutBatch([]Item{
				{Kind: schema.KindFacility, Unit: village, Value: facility("好的")},
				{Kind: schema.KindPerson, Unit: village, Value: person("好的")},
				{Kind: schema.KindCapacity, Unit: village, Value: schema.Capacity{Facility: "nope", Period: "2025-01"}},
			})
			var be *BatchError
			if !errors.As(err, &be) || be.Index != 2 {
				t.Errorf("batch error %v does not name item 2", err)
			}
			return err
		}, func(err error) bool { return hasProblem(err, "capacity.facility") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
				defer s.SetScope("")
			}
			before := snapshot(t, s)
			err := tc.write()
			if err == nil || !tc.check(err) {
				t.Fatalf("error = %v", err)
			}
			if d := diffSnapshots(before, snapshot(t, s)); len(d) > 0 {
				t.Fatalf("refused write changed the store: %v", d)
			}
		})
	}
	// And the next good write carries on the sequence without a gap.
	ch := mustPut(t, s, schema.KindFacility, "", village, facility("新机构"))
	if ch.Seq != 4 {
		t.Fatalf("seq after refusals = %d, want 4", ch.Seq)
	}
}

func TestDeleteAndRecreate(t *testing.T) {
	s := openTemp(t)
	f := facility("助餐点")
	ch := mustPut(t, s, schema.KindFacility, "", village, f)
	del, err := s.Delete(schema.KindFacility, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !del.Delete || del.Seq != 2 || del.Unit != village {
		t.Fatalf("delete change = %+v", del)
	}
	if _, err := s.Get(schema.KindFacility, ch.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if n, _ := s.Count(schema.KindFacility, ""); n != 0 {
		t.Fatalf("count after delete = %d", n)
	}
	// Putting it again brings it back with every field, not just a diff
	// against the buried values.
	back := mustPut(t, s, schema.KindFacility, ch.ID, village, f)
	if len(back.Set) != len(mustFields(t, f)) {
		t.Fatalf("re-create sets %v", back.Set.FieldNames())
	}
	if _, err := s.Get(schema.KindFacility, ch.ID); err != nil {
		t.Fatal(err)
	}
}

func TestPutBatchSeesEarlierItems(t *testing.T) {
	s := openTemp(t)
	facID := schema.NewID()
	perID := schema.NewID()
	chs, err := s.PutBatch([]Item{
		{Kind: schema.KindFacility, ID: facID, Unit: village, Value: facility("养老院")},
		{Kind: schema.KindCapacity, Unit: village, Value: schema.Capacity{Facility: facID, Period: "2025-01", BedsTotal: 40, BedsNursing: 25}},
		{Kind: schema.KindPerson, ID: perID, Unit: village, Value: person("王五")},
		{Kind: schema.KindVisit, Unit: village, Value: schema.Visit{Person: perID, Date: "2025-01-05", Kind: schema.VisitMonthly}},
		{Kind: schema.KindFacility, ID: facID, Unit: village, Value: facility("养老院")}, // unchanged
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range chs[:4] {
		if ch == nil || ch.Seq != uint64(i+1) {
			t.Fatalf("change %d = %+v", i, ch)
		}
	}
	if chs[4] != nil {
		t.Fatalf("unchanged item made a change")
	}
	if vs, err := s.VisitsOf(perID); err != nil || len(vs) != 1 {
		t.Fatalf("visits = %v, %v", vs, err)
	}
}
