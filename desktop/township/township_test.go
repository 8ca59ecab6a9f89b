package township

import (
	"log/slog"
	"os"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/synth"
)

const town schema.Code = "511802101" // 雨城区草坝镇

func openStore(t *testing.T) *agent.Store {
	t.Helper()
	st, err := agent.Open(t.TempDir(), agent.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestNewArea(t *testing.T) {
	a, err := NewArea(schema.BuiltinDivisions(), town)
	if err != nil {
		t.Fatal(err)
	}
	if a.Full != "雨城区草坝镇" || len(a.Units) < 10 || a.Units[0].Code != town {
		t.Fatalf("area = %+v", a)
	}
	if got := a.UnitLabel(town); got != "草坝镇(本级)" {
		t.Errorf("UnitLabel(town) = %q", got)
	}
	if c, ok := a.UnitByLabel(a.UnitLabel(a.Units[3].Code)); !ok || c != a.Units[3].Code {
		t.Errorf("UnitByLabel round trip = %v %v", c, ok)
	}
	if _, err := NewArea(schema.BuiltinDivisions(), "511802"); err == nil {
		t.Error("a county accepted as a data-entry area")
	}
	if n := len(Counties(schema.BuiltinDivisions(), schema.BuiltinCity)); n != 8 {
		t.Errorf("雅安市 has %d counties, want 8", n)
	}
}

func TestWorkingArea(t *testing.T) {
	for _, c := range []struct{ scope, chosen, want schema.Code }{
		{town, "", town},
		{"511802", town, town},
		{"511802", "511803001", ""},
		{"", "", ""},
		{"511802101200", "", "511802101200"},
	} {
		if got := WorkingArea(c.scope, c.chosen); got != c.want {
			t.Errorf("WorkingArea(%q, %q) = %q, want %q", c.scope, c.chosen, got, c.want)
		}
	}
}

func TestSaveShowsProblemsAndWritesNothing(t *testing.T) {
	st := openStore(t)
	if err := st.SetScope(town); err != nil {
		t.Fatal(err)
	}
	fac := schema.Facility{Name: "草坝镇敬老院", Kind: schema.FKTekunHome, Ownership: schema.OwnPublic, Status: schema.StatusOperating}
	id, ps, err := Save(st, schema.KindFacility, "", town, fac)
	if err != nil || len(ps) > 0 || id == "" {
		t.Fatalf("save facility: id %q problems %v err %v", id, ps, err)
	}
	bad := schema.Capacity{Facility: id, Period: "2026-01", BedsTotal: 10, BedsNursing: 12}
	_, ps, err = Save(st, schema.KindCapacity, "", town, bad)
	if err != nil {
		t.Fatal(err)
	}
	if !ps.Has("capacity.beds_nursing") || FieldOf(ps[0]) != "beds_nursing" {
		t.Fatalf("problems = %v", ps)
	}
	if n, _ := st.Count(schema.KindCapacity, town); n != 0 {
		t.Fatalf("%d capacity reports written despite problems", n)
	}
	// A reference the schema cannot check, only the store: the facility
	// does not exist.
	_, ps, err = Save(st, schema.KindCapacity, "", town, schema.Capacity{Facility: "nope", Period: "2026-01"})
	if err != nil || !ps.Has("capacity.facility") {
		t.Fatalf("unknown facility: problems %v err %v", ps, err)
	}
	bad2 := schema.Capacity{Facility: id, Period: "2026-02", BedsTotal: 5, BedsOccupied: 9}
	good := schema.Capacity{Facility: id, Period: "2026-03", BedsTotal: 5, BedsOccupied: 4}
	probs, err := SaveBatch(st, []agent.Item{
		{Kind: schema.KindCapacity, Unit: town, Value: bad2},
		{Kind: schema.KindCapacity, Unit: town, Value: good},
	})
	if err != nil || len(probs) != 1 || !probs[0].Has("capacity.beds_occupied") {
		t.Fatalf("batch problems %v err %v", probs, err)
	}
	if n, _ := st.Count(schema.KindCapacity, town); n != 1 {
		t.Fatalf("%d capacity reports, want the one good row", n)
	}
}

func TestDemoAndIndicators(t *testing.T) {
	st := openStore(t)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	cfg := synth.RealisticTownship()
	cfg.Now = now
	sum, err := synth.FillTownship(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum)
	area, err := NewArea(st.Divisions(), town)
	if err != nil {
		t.Fatal(err)
	}
	facs, err := LoadFacilities(st, town)
	if err != nil || len(facs) != sum.Facilities {
		t.Fatalf("facilities: %d, err %v", len(facs), err)
	}
	rows, err := LoadCapacity(st, facs, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	has, prev := 0, 0
	for _, r := range rows {
		if r.Has {
			has++
		}
		if r.HasPrev {
			prev++
		}
	}
	if has == 0 || has == len(rows) || prev != len(rows) {
		t.Errorf("capacity rows %d: %d this month, %d last month", len(rows), has, prev)
	}
	persons, err := LoadPersons(st, town, "2026-11")
	if err != nil || len(persons) != sum.Persons {
		t.Fatalf("persons: %d err %v", len(persons), err)
	}
	if !persons[0].Due || persons[len(persons)-1].Due {
		t.Errorf("due persons are not listed first")
	}
	pop, err := LoadPopulation(st, area, 2026)
	if err != nil || len(pop) != len(area.Units) || pop[0].Has || !pop[1].Has {
		t.Fatalf("population rows %+v err %v", pop, err)
	}
	snap, err := LoadSnapshot(st, area)
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]Result{}
	for _, r := range snap.Indicators("2026-11") {
		res[r.Indicator.ID] = r
	}
	b := res["beds_per_1000_elderly"]
	if !b.Defined || b.Num == 0 || b.Den == 0 || !b.HasTarget {
		t.Errorf("beds per 1000: %+v", b)
	}
	if got := snap.Measure(schema.MeasureVillages, "2026-11"); int(got) != len(area.Units)-1 {
		t.Errorf("villages = %v, want %d", got, len(area.Units)-1)
	}
	v := res["visit_rate_special"]
	if !v.Defined || v.Value <= 30 || v.Value >= 80 {
		t.Errorf("monthly visit rate %v (num %v den %v), want about half", v.Value, v.Num, v.Den)
	}
	if met, ok := v.Met(); !ok || met {
		t.Errorf("visit rate against a 100%% target: met %v ok %v", met, ok)
	}
	st2, _ := st.Status()
	if st2.Parked != 1 || st2.Outbox == 0 || !st2.Enrolled {
		t.Errorf("demo extras: status %+v", st2)
	}
}

func TestCountedVisits(t *testing.T) {
	vs := []Visit{
		{ID: "a", Visit: schema.Visit{Person: "p", Date: "2026-11-01", Kind: schema.VisitMonthly}},
		{ID: "b", Visit: schema.Visit{Person: "p", Date: "2026-10-30", Kind: schema.VisitMonthly, Supersedes: "a"}},
		{ID: "c", Visit: schema.Visit{Person: "q", Date: "2026-11-02", Kind: schema.VisitMonthly, Supersedes: "d"}},
		{ID: "d", Visit: schema.Visit{Person: "q", Date: "2026-11-03", Kind: schema.VisitMonthly, Supersedes: "c"}},
		// r corrects s which corrected t: only r counts.
		{ID: "t", Visit: schema.Visit{Person: "w", Date: "2026-11-05", Kind: schema.VisitMonthly}},
		{ID: "s", Visit: schema.Visit{Person: "w", Date: "2026-11-06", Kind: schema.VisitMonthly, Supersedes: "t"}},
		{ID: "r", Visit: schema.Visit{Person: "w", Date: "2026-10-07", Kind: schema.VisitMonthly, Supersedes: "s"}},
	}
	x := indexVisits(vs)
	// The correction moved the visit out of November.
	if x.visitedIn("p", schema.VisitMonthly, "2026-11") || !x.visitedIn("p", schema.VisitMonthly, "2026-10") {
		t.Errorf("superseded visit still counted: %+v", x.byPerson["p"])
	}
	// A cycle, which only corrupt data makes, supersedes both, as on the
	// server.
	if n := len(x.byPerson["q"]); n != 0 {
		t.Errorf("a supersede cycle counted %d visits, want 0", n)
	}
	// A correction of a correction does not bring the first visit back.
	if got := x.byPerson["w"]; len(got) != 1 || got[0].ID != "r" {
		t.Errorf("chain t <- s <- r counted %+v, want only r", got)
	}
}

func TestSizedIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 3,000 records")
	}
	st := openStore(t)
	sum, err := synth.FillTownship(st, synth.TownshipOfSize(3000))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total() != 3000 {
		t.Fatalf("Sized(3000) wrote %s", sum)
	}
}
