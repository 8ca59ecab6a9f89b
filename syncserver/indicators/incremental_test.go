package indicators_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"laoxiao/internal/pgtest"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/report"
)

// TestScanCacheMatchesFullEvaluation applies seeded random batches of
// changes through a real server's ingest (its Badger store, its writer,
// its moves and merges) and after each batch requires the evaluations of
// the server's engine, which keeps county scans between calls, to equal
// a fresh engine's full evaluation exactly, for the city, a county and a
// township (which reads the old units of persons moved in), over a month
// and a year; and the breakdown table built from each to be equal.
func TestScanCacheMatchesFullEvaluation(t *testing.T) { testScanCache(t, "") }

// TestScanCacheMatchesFullEvaluationOnPostgres is the same on a
// PostgreSQL store, whose log the cache reads through LogAfter (Badger's
// through LogAfterRaw) and whose sequence numbers come from another
// writer: the cache must find what changed there too.
func TestScanCacheMatchesFullEvaluationOnPostgres(t *testing.T) {
	cl, err := pgtest.Start()
	if err != nil {
		t.Fatalf("start PostgreSQL (scripts/install-deps.sh installs it): %v", err)
	}
	t.Cleanup(func() { cl.Stop() })
	testScanCache(t, cl.NewDatabase(t))
}

// testScanCache runs the property on the store at storeURL (the
// embedded Badger when empty).
func testScanCache(t *testing.T, storeURL string) {
	ctx := context.Background()
	now := time.Date(2025, 7, 15, 10, 0, 0, 0, time.UTC)
	srv := openTestServer(t, ctx, storeURL, func() time.Time { return now })
	r := rand.New(rand.NewSource(20251128))
	w := &randomWriter{t: t, ctx: ctx, srv: srv, r: r, counties: slices.Clone(testCounties)}
	cached := srv.Engine()
	if cached.Cache == nil {
		t.Fatal("the server's engine keeps no scans: nothing incremental is tested")
	}
	fresh := &indicators.Engine{Store: srv.Store(), Divisions: srv.Divisions, Now: cached.Now}
	scopes := []schema.Code{"9902", "990201", "990201002"}
	periods := []indicators.Period{{Year: 2025, Month: 6}, {Year: 2025}}
	for batch := range 40 {
		if batch == 20 {
			w.newTownship(t.TempDir()) // only the units change: their counts must follow
		} else {
			w.batch(1 + r.Intn(12))
		}
		if batch%7 == 3 {
			now = now.Add(40 * 24 * time.Hour) // the sync columns move with the clock
		}
		for _, scope := range scopes {
			for _, p := range periods {
				got, err := cached.Evaluate(ctx, scope, p)
				if err != nil {
					t.Fatal(err)
				}
				want, err := fresh.Evaluate(ctx, scope, p)
				if err != nil {
					t.Fatal(err)
				}
				sortTargets(got)
				sortTargets(want)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("batch %d, %s as of %s: the kept scans give\n%s\nwant\n%s", batch, scope, p, describe(got), describe(want))
				}
			}
		}
		o := report.Options{Unit: "9902", Year: 2025, Period: periods[0]}
		gt, err := report.Build(ctx, cached, o)
		if err != nil {
			t.Fatal(err)
		}
		wt, err := report.Build(ctx, fresh, o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gt, wt) {
			t.Fatalf("batch %d: the breakdown tables differ", batch)
		}
	}
	if w.accepted < 150 || w.moves == 0 || w.merges == 0 {
		t.Fatalf("the batches did too little: %d changes accepted, %d moves, %d merges", w.accepted, w.moves, w.merges)
	}
	wantRescans(t, cached, "no change", 0, func() {})
	wantRescans(t, cached, "one township's change", 1, func() {
		_, unit := w.place()
		w.n++
		ch := []schema.Change{{Kind: schema.KindVisit, ID: fmt.Sprintf("v%d", w.n), Unit: unit,
			Set: schema.Fields{"person": schema.MustMarshal("p1"), "date": schema.MustMarshal("2025-06-02"), "kind": schema.MustMarshal(string(schema.VisitMonthly))}}}
		if w.flush(&ch) != 0 {
			t.Fatal("the visit was refused")
		}
	})
	wantRescans(t, cached, "a city target", 0, func() {
		ch := []schema.Change{{Kind: schema.KindTarget, ID: schema.TargetID("9902", "beds_total", 2025), Unit: "9902",
			Set: schema.Fields{"value": schema.MustMarshal(1.0)}}}
		if w.flush(&ch) != 0 {
			t.Fatal("the target was refused")
		}
	})
}

// wantRescans requires a city evaluation after change to redo n county
// scans: the test above would pass with a cache that kept nothing.
func wantRescans(t *testing.T, eng *indicators.Engine, what string, n int64, change func()) {
	t.Helper()
	ctx := context.Background()
	if _, err := eng.Evaluate(ctx, "9902", indicators.Period{Year: 2025, Month: 6}); err != nil {
		t.Fatal(err)
	}
	before := indicators.ScansRedone(eng.Cache)
	change()
	if _, err := eng.Evaluate(ctx, "9902", indicators.Period{Year: 2025, Month: 6}); err != nil {
		t.Fatal(err)
	}
	if got := indicators.ScansRedone(eng.Cache) - before; got != n {
		t.Errorf("after %s the city's evaluation redid %d county scans, want %d", what, got, n)
	}
}

func sortTargets(r *indicators.Result) {
	sort.Slice(r.Targets, func(i, j int) bool {
		a, b := r.Targets[i], r.Targets[j]
		return a.Unit < b.Unit || (a.Unit == b.Unit && a.ID < b.ID)
	})
}

// describe lists the values that tell two results apart.
func describe(r *indicators.Result) string {
	codes := make([]string, 0, len(r.Units))
	for c := range r.Units {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	s := fmt.Sprintf("scanned %d, %d targets\n", r.Scanned, len(r.Targets))
	for _, c := range codes {
		u := r.Units[schema.Code(c)]
		s += fmt.Sprintf("%s records %d:", c, u.Records)
		for _, v := range u.Values {
			if v.Present {
				s += fmt.Sprintf(" %s=%g(%d)", v.Indicator, v.Value, v.Lineage.Records)
			}
		}
		s += "\n"
	}
	return s
}

// openTestServer opens a server over a new store (Badger when storeURL is
// empty) holding a small city's units: 9902 with counties 990201 (three
// townships) and 990202 (two).
func openTestServer(t *testing.T, ctx context.Context, storeURL string, now func() time.Time) *syncserver.Server {
	t.Helper()
	dir := t.TempDir()
	cfg := syncserver.Config{DataDir: dir, Store: storeURL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now}
	srv, err := syncserver.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var units []schema.Unit
	add := func(code, name string) {
		c := schema.Code(code)
		units = append(units, schema.Unit{Code: c, Name: name, Level: c.Level(), Parent: c.Parent()})
	}
	add("99", "测试省")
	add("9902", "测试市")
	for _, county := range testCounties {
		add(county.code, county.code+"县")
		for _, town := range county.towns {
			add(town, town+"镇")
			add(town+"001", town+"一村")
			add(town+"002", town+"二村")
		}
	}
	if err := srv.Store().PutUnits(ctx, units); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if srv, err = syncserver.Open(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

type testCounty struct {
	code  string
	towns []string
}

var testCounties = []testCounty{
	{"990201", []string{"990201001", "990201002", "990201003"}},
	{"990202", []string{"990202001", "990202002"}},
}

// randomWriter makes random changes the way townships and offices do.
type randomWriter struct {
	t   *testing.T
	ctx context.Context
	srv *syncserver.Server
	r   *rand.Rand
	n   int

	counties            []testCounty
	persons, facilities []string
	unitOf              map[string]schema.Code
	accepted            int
	moves, merges       int
}

func (w *randomWriter) pick(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return xs[w.r.Intn(len(xs))]
}

// place is a random village or township of a random county.
func (w *randomWriter) place() (county int, unit schema.Code) {
	county = w.r.Intn(len(w.counties))
	town := w.pick(w.counties[county].towns)
	switch w.r.Intn(3) {
	case 0:
		return county, schema.Code(town)
	case 1:
		return county, schema.Code(town + "001")
	}
	return county, schema.Code(town + "002")
}

func (w *randomWriter) month() string { return fmt.Sprintf("2025-%02d", 1+w.r.Intn(8)) }

// newOrEdited picks, one time in odds, a record of ids to edit (in its
// own unit), and otherwise makes a new one in unit, named prefix and the
// writer's count.
func (w *randomWriter) newOrEdited(prefix string, ids *[]string, unit schema.Code, odds int) (string, schema.Code) {
	if len(*ids) > 0 && w.r.Intn(odds) == 0 {
		id := w.pick(*ids)
		return id, w.unitOf[id]
	}
	id := fmt.Sprintf("%s%d", prefix, w.n)
	*ids = append(*ids, id)
	w.unitOf[id] = unit
	return id, unit
}

// batch submits n random changes; moves and merges go through the
// server's own operations, whose refusals (a person already moved, a
// record merged) are part of the sequence.
func (w *randomWriter) batch(n int) {
	if w.unitOf == nil {
		w.unitOf = map[string]schema.Code{}
	}
	var changes []schema.Change
	put := func(id string, unit schema.Code, v any) {
		changes = append(changes, indicators.TypedChange(w.t, id, unit, v))
	}
	for range n {
		w.n++
		_, unit := w.place()
		switch k := w.r.Intn(20); {
		case k < 3: // a facility, new or edited
			id, unit := w.newOrEdited("f", &w.facilities, unit, 2)
			kinds := []schema.FacilityKind{schema.FKRuralHappiness, schema.FKDayCare, schema.FKCommunityChildcare}
			status := []schema.FacilityStatus{schema.StatusOperating, schema.StatusOperating, schema.StatusClosed}
			put(id, unit, schema.Facility{Name: "院" + id, Kind: kinds[w.r.Intn(len(kinds))],
				Ownership: schema.OwnPublic, Status: status[w.r.Intn(len(status))], Inclusive: w.r.Intn(2) == 0})
		case k < 7: // a person, new or edited
			id, unit := w.newOrEdited("p", &w.persons, unit, 3)
			cats := [][]schema.PersonCategory{{schema.CatTekun}, {schema.CatAlone}, {schema.CatDisabled}, {schema.CatTekun, schema.CatAlone}}
			put(id, unit, schema.Person{Name: "人" + id, Categories: cats[w.r.Intn(len(cats))]})
		case k < 12: // a visit, to a person anywhere, sometimes correcting another
			p := w.pick(w.persons)
			if u, ok := w.unitOf[p]; ok && w.r.Intn(4) != 0 {
				unit = u
			}
			v := schema.Visit{Person: p, Date: w.month() + "-10", Kind: schema.VisitMonthly, Visitor: "李"}
			if w.r.Intn(6) == 0 && w.n > 1 {
				v.Supersedes = fmt.Sprintf("v%d", w.r.Intn(w.n))
			}
			put(fmt.Sprintf("v%d", w.n), unit, v)
		case k < 14: // a capacity report of a facility
			f := w.pick(w.facilities)
			if f == "none" {
				continue
			}
			period := w.month()
			put(schema.CapacityID(f, period), w.unitOf[f], schema.Capacity{Facility: f, Period: period,
				BedsTotal: int64(w.r.Intn(80)), BedsNursing: int64(w.r.Intn(30)), PlacesTotal: int64(w.r.Intn(40))})
		case k < 15: // a population, of a township, county or the city
			u := [...]schema.Code{unit.Ancestor(schema.LevelTownship), unit.Ancestor(schema.LevelCounty), "9902"}[w.r.Intn(3)]
			year := int64(2024 + w.r.Intn(2))
			put(schema.PopulationID(u, year), u, schema.Population{Year: year, Resident: int64(1000 + w.r.Intn(9000)),
				Aged60: int64(100 + w.r.Intn(900)), Births: int64(w.r.Intn(50))})
		case k < 16: // a reported value, or a target, set from above
			u := [...]schema.Code{unit.Ancestor(schema.LevelCounty), "9902"}[w.r.Intn(2)]
			if w.r.Intn(2) == 0 {
				period := w.month()
				put(schema.ReportedID(u, "pension_insurance_rate", period), u, schema.Reported{Indicator: "pension_insurance_rate",
					Period: period, Value: float64(w.r.Intn(100)), Department: "教育局"})
			} else {
				val := float64(w.r.Intn(500))
				put(schema.TargetID(u, "beds_total", 2025), u, schema.Target{Indicator: "beds_total", Year: 2025, Value: val,
					ValueText: fmt.Sprint(val)})
			}
		case k < 17: // a delete
			id := w.pick(append(w.persons, w.facilities...))
			kind := schema.KindPerson
			if id[0] == 'f' {
				kind = schema.KindFacility
			}
			if u, ok := w.unitOf[id]; ok {
				changes = append(changes, schema.Change{Kind: kind, ID: id, Unit: u, Delete: true})
			}
		case k < 18: // a move to another township of the county
			w.flush(&changes)
			p := w.pick(w.persons)
			c := w.counties[w.r.Intn(len(w.counties))]
			info, err := w.srv.MovePerson(w.ctx, syncserver.MoveRequest{Person: p, To: schema.Code(w.pick(c.towns)), By: "县民政局", Reason: "搬家"})
			if err == nil {
				w.moves++
				w.persons = append(w.persons, info.To)
				w.unitOf[info.To] = info.ToUnit
			}
		default: // a merge of two persons or facilities, or an unmerge
			w.flush(&changes)
			xs := w.persons
			if w.r.Intn(3) == 0 {
				xs = w.facilities
			}
			if w.r.Intn(4) == 0 {
				_, err := w.srv.Unmerge(w.ctx, syncserver.UnmergeRequest{Unit: "9902", Duplicate: w.pick(xs), By: "县民政局", Reason: "误合并"})
				if err == nil {
					w.merges++
				}
				continue
			}
			_, err := w.srv.Merge(w.ctx, syncserver.MergeRequest{Unit: "9902", Survivor: w.pick(xs), Duplicate: w.pick(xs), By: "县民政局", Reason: "重复"})
			if err == nil {
				w.merges++
			}
		}
	}
	w.flush(&changes)
}

// newTownship loads a units file adding a township (and its village) to
// the last county, which the batches after write records in.
func (w *randomWriter) newTownship(dir string) {
	c := &w.counties[len(w.counties)-1]
	town := c.code + "009"
	path := filepath.Join(dir, "units.csv")
	csv := fmt.Sprintf("code,name,level,parent_code\n%s,新镇,township,%s\n%s001,新村,village,%s\n%s002,二村,village,%s\n",
		town, c.code, town, town, town, town)
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.srv.LoadUnitsFile(w.ctx, path); err != nil {
		w.t.Fatal(err)
	}
	if _, ok := w.srv.Divisions().Lookup(schema.Code(town)); !ok {
		w.t.Fatalf("township %s not known after loading %s", town, path)
	}
	c.towns = append(slices.Clone(c.towns), town)
}

// flush submits the changes gathered so far as one batch and returns
// how many were refused.
func (w *randomWriter) flush(changes *[]schema.Change) int {
	if len(*changes) == 0 {
		return 0
	}
	ack, err := w.srv.Ingest().SubmitServer(w.ctx, *changes)
	if err != nil {
		w.t.Fatal(err)
	}
	w.accepted += len(*changes) - len(ack.Rejected)
	*changes = nil
	return len(ack.Rejected)
}
