package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// BenchCity sizes a synthetic city for the breakdown benchmark.
type BenchCity struct {
	Counties            int // counties in the city
	TownshipsPerCounty  int
	VillagesPerTownship int
	Facilities          int
	CapacityPerFacility int // monthly reports per facility, counting back from the report month
	Persons             int
	Visits              int
}

// DefaultBenchCity is the size the project's bench command measures: a
// city of 10 counties and 150 townships with 20,000 facilities, 240,000
// capacity reports and 1,000,000 visits.
var DefaultBenchCity = BenchCity{Counties: 10, TownshipsPerCounty: 15, VillagesPerTownship: 10,
	Facilities: 20000, CapacityPerFacility: 12, Persons: 50000, Visits: 1000000}

// benchCityCode is the synthetic city. Province 99 does not exist in the
// national registry, so a generated store can never be mistaken for real
// data.
const benchCityCode schema.Code = "9901"

// benchYear is the year the generated records describe.
const benchYear = 2025

// BenchDivisions returns the units of the synthetic city: its province,
// the city, counties, townships (the first three of each county are street
// offices, 街道) and villages.
func (c BenchCity) BenchDivisions() *schema.Divisions {
	units := []schema.Unit{
		{Code: "99", Name: "基准省", Level: schema.LevelProvince},
		{Code: benchCityCode, Name: "基准市", Level: schema.LevelCity, Parent: "99"},
	}
	for ci := 1; ci <= c.Counties; ci++ {
		county := schema.Code(fmt.Sprintf("%s%02d", benchCityCode, ci))
		units = append(units, schema.Unit{Code: county, Name: fmt.Sprintf("第%d区", ci), Level: schema.LevelCounty, Parent: benchCityCode})
		for ti := 1; ti <= c.TownshipsPerCounty; ti++ {
			town := schema.Code(fmt.Sprintf("%s%03d", county, ti))
			name := fmt.Sprintf("第%d-%d镇", ci, ti)
			if ti <= 3 {
				name = fmt.Sprintf("第%d-%d街道", ci, ti)
			}
			units = append(units, schema.Unit{Code: town, Name: name, Level: schema.LevelTownship, Parent: county})
			for vi := 1; vi <= c.VillagesPerTownship; vi++ {
				units = append(units, schema.Unit{Code: schema.Code(fmt.Sprintf("%s%03d", town, vi)),
					Name: fmt.Sprintf("第%d村", vi), Level: schema.LevelVillage, Parent: town})
			}
		}
	}
	d, err := schema.BuildDivisions(units)
	if err != nil {
		// The codes above are built to be consistent; failing here is a
		// programming error in this file.
		panic(fmt.Sprintf("bench divisions: %v", err))
	}
	return d
}

// benchWriter commits generated records in large groups from a few
// goroutines. Encoding a record costs about as much as Badger's write, so
// two writers keep both cores busy; groups do not read, so they never
// conflict.
type benchWriter struct {
	st      store.Store
	ctx     context.Context
	pending []*schema.Record
	groups  chan []*schema.Record
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
	written int
}

// benchGroup is sized well under Badger's transaction limit (a fraction
// of its 64 MB memtable) for records of a few hundred bytes.
const benchGroup = 8000

func newBenchWriter(ctx context.Context, st store.Store, workers int) *benchWriter {
	w := &benchWriter{st: st, ctx: ctx, groups: make(chan []*schema.Record, workers)}
	for range workers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for g := range w.groups {
				if err := st.Commit(ctx, &store.Group{Records: g}); err != nil {
					w.mu.Lock()
					if w.err == nil {
						w.err = fmt.Errorf("commit %d generated records: %w", len(g), err)
					}
					w.mu.Unlock()
				}
			}
		}()
	}
	return w
}

func (w *benchWriter) add(r *schema.Record) {
	w.pending = append(w.pending, r)
	w.written++
	if len(w.pending) >= benchGroup {
		w.groups <- w.pending
		w.pending = make([]*schema.Record, 0, benchGroup)
	}
}

func (w *benchWriter) close() error {
	if len(w.pending) > 0 {
		w.groups <- w.pending
	}
	close(w.groups)
	w.wg.Wait()
	return w.err
}

// fieldCache keeps the CBOR encoding of values that repeat (kinds, dates,
// categories), so generating a million visits does not encode "monthly" a
// million times.
type fieldCache map[any][]byte

func (fc fieldCache) enc(v any) []byte {
	if b, ok := fc[v]; ok {
		return b
	}
	b := schema.MustMarshal(v)
	fc[v] = b
	return b
}

// benchRecord makes a record whose every field was written by one version.
// Records of a kind share their Versions map: the store only reads it.
func benchRecord(kind schema.Kind, id string, unit schema.Code, f schema.Fields, versions map[string]schema.Version) *schema.Record {
	return &schema.Record{Kind: kind, ID: id, Unit: unit, Fields: f, Versions: versions}
}

func benchVersions(names ...string) map[string]schema.Version {
	v := schema.Version{Stamp: schema.MakeStamp(time.Date(benchYear, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli(), 0), Device: "bench"}
	m := make(map[string]schema.Version, len(names))
	for _, n := range names {
		m[n] = v
	}
	return m
}

// benchID makes a 36-character id shaped like the UUIDv7 a device makes,
// so keys and records have their real sizes, but deterministic.
func benchID(kind byte, n int) string {
	return fmt.Sprintf("%08x-%04x-7000-8000-%012x", 0x01900000+n/65536, n%65536, int(kind)<<32|n)
}

// GenerateBenchCity writes the synthetic city into st directly (not through
// sync): facilities with monthly capacity reports, persons and their visits,
// township population, devices with their last sync, and city and county
// targets for the breakdown. It returns the number of records written.
func (c BenchCity) GenerateBenchCity(ctx context.Context, st store.Store) (int, error) {
	divs := c.BenchDivisions()
	rng := rand.New(rand.NewPCG(2025, 11))
	fc := fieldCache{}
	w := newBenchWriter(ctx, st, 2)

	var townships, villages []schema.Code
	for _, county := range divs.Children(benchCityCode) {
		for _, t := range divs.Children(county) {
			townships = append(townships, t)
			villages = append(villages, divs.Children(t)...)
		}
	}

	// Facilities: two in three elderly care, the rest childcare, most at a
	// village, with every flag the measures filter on varied.
	elderly := []schema.FacilityKind{schema.FKElderlyInstitution, schema.FKTekunHome, schema.FKDayCare,
		schema.FKRuralHappiness, schema.FKMealPoint, schema.FKDayCare, schema.FKRuralHappiness}
	childcare := []schema.FacilityKind{schema.FKChildcareInst, schema.FKKindergartenClass, schema.FKCommunityChildcare,
		schema.FKFamilyChildcare, schema.FKEmployerChildcare}
	ownerships := []schema.Ownership{schema.OwnPublic, schema.OwnPublicPrivate, schema.OwnPrivate}
	facVers := benchVersions("name", "kind", "ownership", "inclusive", "filing", "status", "demo")
	capVers := benchVersions("facility", "period", "beds_total", "beds_nursing", "beds_occupied", "places_total",
		"places_inclusive", "children_enrolled", "care_staff", "certified_staff")
	for i := range c.Facilities {
		id := benchID('f', i)
		var unit schema.Code
		var kind schema.FacilityKind
		switch {
		case i < len(townships):
			// Every township gets a centre of the right kind first.
			t := townships[i]
			unit = t
			kind = schema.FKTownshipCenter
			if u, _ := divs.Lookup(t); u.IsStreet() {
				kind = schema.FKStreetCenter
			}
		default:
			unit = villages[rng.IntN(len(villages))]
			if rng.IntN(3) < 2 {
				kind = elderly[rng.IntN(len(elderly))]
			} else {
				kind = childcare[rng.IntN(len(childcare))]
			}
		}
		status := schema.StatusOperating
		if rng.IntN(20) == 0 {
			status = schema.StatusClosed
		}
		filing := schema.FilingFiled
		if rng.IntN(4) == 0 {
			filing = schema.FilingNone
		}
		f := schema.Fields{
			"name": schema.MustMarshal(fmt.Sprintf("机构%d", i)), "kind": fc.enc(string(kind)),
			"ownership": fc.enc(string(ownerships[rng.IntN(3)])), "inclusive": fc.enc(rng.IntN(2) == 0),
			"filing": fc.enc(string(filing)), "status": fc.enc(string(status)), "demo": fc.enc(rng.IntN(10) == 0),
		}
		w.add(benchRecord(schema.KindFacility, id, unit, f, facVers))
		isChild := kind.Domain() == schema.DomainChildcare
		for m := 0; m < c.CapacityPerFacility; m++ {
			period := fmt.Sprintf("%d-%02d", benchYear, 12-m%12)
			if m >= 12 {
				period = fmt.Sprintf("%d-%02d", benchYear-1-(m-12)/12, 12-m%12)
			}
			var beds, nursing, places, incl int64
			if isChild {
				places = int64(10 + rng.IntN(80))
				incl = places * int64(rng.IntN(11)) / 10
			} else {
				beds = int64(5 + rng.IntN(120))
				nursing = beds * int64(rng.IntN(8)) / 10
			}
			staff := int64(2 + rng.IntN(20))
			cf := schema.Fields{
				"facility": schema.MustMarshal(id), "period": fc.enc(period),
				"beds_total": fc.enc(beds), "beds_nursing": fc.enc(nursing), "beds_occupied": fc.enc(nursing),
				"places_total": fc.enc(places), "places_inclusive": fc.enc(incl), "children_enrolled": fc.enc(incl),
				"care_staff": fc.enc(staff), "certified_staff": fc.enc(staff / 2),
			}
			w.add(benchRecord(schema.KindCapacity, schema.CapacityID(id, period), unit, cf, capVers))
		}
	}

	// Persons: mostly elderly in special difficulty, some 失能特困, some
	// newborns; each lives in a village.
	type person struct {
		id      string
		unit    schema.Code
		newborn bool
	}
	persons := make([]person, c.Persons)
	catSets := [][]schema.PersonCategory{{schema.CatAlone}, {schema.CatEmptyNest}, {schema.CatOldest},
		{schema.CatTekun, schema.CatDisabled}, {schema.CatDisabled}, {schema.CatLeftBehind}, {schema.CatTekun}, {schema.CatNewborn}}
	perVers := benchVersions("name", "categories", "support_mode", "wants_centralized")
	for i := range persons {
		p := person{id: benchID('p', i), unit: villages[rng.IntN(len(villages))]}
		cats := catSets[rng.IntN(len(catSets))]
		p.newborn = cats[0] == schema.CatNewborn
		mode := schema.SupportNone
		wants := false
		if cats[0] == schema.CatTekun {
			wants = rng.IntN(2) == 0
			mode = schema.SupportDispersed
			if rng.IntN(3) == 0 {
				mode = schema.SupportCentralized
			}
		}
		f := schema.Fields{
			"name": schema.MustMarshal(fmt.Sprintf("居民%d", i)), "categories": catEnc(fc, cats),
			"support_mode": fc.enc(string(mode)), "wants_centralized": fc.enc(wants),
		}
		persons[i] = p
		w.add(benchRecord(schema.KindPerson, p.id, p.unit, f, perVers))
	}

	// Visits: spread over the year's months; one in a hundred is a
	// correction of the visit before it.
	visVers := benchVersions("person", "date", "visitor", "kind", "outcome")
	supVers := benchVersions("person", "date", "visitor", "kind", "outcome", "supersedes")
	kinds := []schema.VisitKind{schema.VisitMonthly, schema.VisitMonthly, schema.VisitMonthly, schema.VisitDisabledSupport}
	prev := ""
	for i := range c.Visits {
		p := persons[rng.IntN(len(persons))]
		kind := kinds[rng.IntN(len(kinds))]
		if p.newborn {
			kind = schema.VisitNewborn
		}
		date := fmt.Sprintf("%d-%02d-%02d", benchYear, 1+rng.IntN(12), 1+rng.IntN(28))
		id := benchID('v', i)
		f := schema.Fields{
			"person": schema.MustMarshal(p.id), "date": fc.enc(date), "visitor": fc.enc("网格员"),
			"kind": fc.enc(string(kind)), "outcome": fc.enc("正常"),
		}
		vers := visVers
		if i%100 == 99 && prev != "" {
			f["supersedes"] = schema.MustMarshal(prev)
			vers = supVers
		}
		prev = id
		w.add(benchRecord(schema.KindVisit, id, p.unit, f, vers))
	}

	// Population per township for the year, entered at township level so
	// counties and the city add them up.
	popVers := benchVersions("year", "resident", "aged60", "aged65", "aged0_3", "births")
	for _, t := range townships {
		res := int64(20000 + rng.IntN(40000))
		a60 := res * int64(18+rng.IntN(8)) / 100
		f := schema.Fields{
			"year": fc.enc(int64(benchYear)), "resident": fc.enc(res), "aged60": fc.enc(a60),
			"aged65": fc.enc(a60 * 3 / 4), "aged0_3": fc.enc(res * 3 / 100), "births": fc.enc(res / 100),
		}
		w.add(benchRecord(schema.KindPopulation, schema.PopulationID(t, benchYear), t, f, popVers))
	}

	// Targets of the city and each county for a handful of indicators.
	tgVers := benchVersions("indicator", "year", "value", "value_text", "baseline_year", "baseline", "baseline_text", "has_baseline")
	for _, tg := range []struct {
		ind            string
		base, val      float64
		county, countV float64
	}{
		{"beds_total", 60000, 75000, 6000, 7500}, {"nursing_bed_share", 40, 55, 40, 55},
		{"beds_per_1000_elderly", 35, 40, 35, 40}, {"places_per_1000", 2, 4.5, 2, 4.5},
		{"community_care_coverage", 80, 90, 80, 90}, {"visit_rate_special", 40, 60, 40, 60},
		{"township_center_coverage", 60, 100, 60, 100}, {"places_total", 20000, 40000, 2000, 4000},
	} {
		units := append([]schema.Code{benchCityCode}, divs.Children(benchCityCode)...)
		for i, u := range units {
			base, val := tg.base, tg.val
			if i > 0 {
				base, val = tg.county, tg.countV
			}
			t := schema.Target{Indicator: tg.ind, Year: benchYear, Value: val, ValueText: fmt.Sprint(val),
				BaselineYear: 2020, Baseline: base, BaselineText: fmt.Sprint(base), HasBaseline: true}
			f, err := schema.EncodeFields(t)
			if err != nil {
				return 0, fmt.Errorf("generate target: %w", err)
			}
			w.add(benchRecord(schema.KindTarget, schema.TargetID(u, tg.ind, benchYear), u, f, tgVers))
		}
	}
	if err := w.close(); err != nil {
		return 0, err
	}

	// One device per township, with its last sync at the end of the year;
	// a few never synced, so the sync sheet shows both.
	marks := map[string]store.Mark{}
	for i, t := range townships {
		id := fmt.Sprintf("bench-%s", t)
		if err := st.PutDevice(ctx, store.Device{ID: id, Name: string(t), Scope: t, Role: store.RoleSite}); err != nil {
			return 0, fmt.Errorf("generate device: %w", err)
		}
		if i%37 != 36 {
			marks[id] = store.Mark{HighWater: 1, At: time.Date(benchYear, 12, 1+i%28, 9, 0, 0, 0, time.UTC)}
		}
	}
	if err := st.Commit(ctx, &store.Group{Marks: marks}); err != nil {
		return 0, fmt.Errorf("generate marks: %w", err)
	}
	return w.written, nil
}

func catEnc(fc fieldCache, cats []schema.PersonCategory) []byte {
	key := fmt.Sprint("cats", cats)
	if b, ok := fc[key]; ok {
		return b
	}
	b := schema.MustMarshal(cats)
	fc[key] = b
	return b
}
