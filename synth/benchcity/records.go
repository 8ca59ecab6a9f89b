package benchcity

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Write writes the synthetic city into st directly, not through sync:
// facilities with monthly capacity reports, persons and their visits,
// township population, city and county targets for the breakdown, and a
// device per township with its last sync. Records are not validated and
// carry one made-up version each; the log stays empty. It returns the
// number of records written. st should be fresh: writing twice writes the
// same records again.
func (c City) Write(ctx context.Context, st store.Store) (int, error) {
	g := &benchCityGen{c: c, divs: c.Divisions(), rng: rand.New(rand.NewPCG(2025, 11)), fc: fieldCache{},
		w: newBenchWriter(ctx, st, 2)}
	for _, county := range g.divs.Children(Code) {
		for _, t := range g.divs.Children(county) {
			g.townships = append(g.townships, t)
			g.villages = append(g.villages, g.divs.Children(t)...)
		}
	}
	// The order of the steps is the order of their random draws: keep it,
	// or every figure of the generated city changes.
	g.facilities()
	persons := g.persons()
	g.visits(persons)
	g.population()
	if err := g.targets(); err != nil {
		g.w.close()
		return 0, err
	}
	if err := g.w.close(); err != nil {
		return 0, err
	}
	if err := g.devices(ctx, st); err != nil {
		return 0, err
	}
	return g.w.written, nil
}

// benchCityGen carries Write's state.
type benchCityGen struct {
	c         City
	divs      *schema.Divisions
	rng       *rand.Rand
	fc        fieldCache
	w         *benchWriter
	townships []schema.Code
	villages  []schema.Code
	capVers   map[string]schema.Version // shared by every capacity report
}

// facilities writes the facilities, each with its monthly capacity
// reports: two in three elderly care, the rest childcare, most at a
// village, with every flag the measures filter on varied.
func (g *benchCityGen) facilities() {
	elderly := []schema.FacilityKind{schema.FKElderlyInstitution, schema.FKTekunHome, schema.FKDayCare,
		schema.FKRuralHappiness, schema.FKMealPoint, schema.FKDayCare, schema.FKRuralHappiness}
	childcare := []schema.FacilityKind{schema.FKChildcareInst, schema.FKKindergartenClass, schema.FKCommunityChildcare,
		schema.FKFamilyChildcare, schema.FKEmployerChildcare}
	ownerships := []schema.Ownership{schema.OwnPublic, schema.OwnPublicPrivate, schema.OwnPrivate}
	facVers := benchVersions("name", "kind", "ownership", "inclusive", "filing", "status", "demo")
	g.capVers = benchVersions("facility", "period", "beds_total", "beds_nursing", "beds_occupied", "places_total",
		"places_inclusive", "children_enrolled", "care_staff", "certified_staff")
	rng, fc := g.rng, g.fc
	for i := range g.c.Facilities {
		id := benchID('f', i)
		var unit schema.Code
		var kind schema.FacilityKind
		switch {
		case i < len(g.townships):
			// Every township gets a centre of the right kind first.
			t := g.townships[i]
			unit = t
			kind = schema.FKTownshipCenter
			if u, _ := g.divs.Lookup(t); u.IsStreet() {
				kind = schema.FKStreetCenter
			}
		default:
			unit = g.villages[rng.IntN(len(g.villages))]
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
		g.w.add(benchRecord(schema.KindFacility, id, unit, f, facVers))
		g.capacity(id, unit, kind.Domain() == schema.DomainChildcare)
	}
}

// capacity writes a facility's monthly reports, counting back from
// December of Year.
func (g *benchCityGen) capacity(id string, unit schema.Code, isChild bool) {
	rng, fc := g.rng, g.fc
	for m := 0; m < g.c.CapacityPerFacility; m++ {
		period := fmt.Sprintf("%d-%02d", Year, 12-m%12)
		if m >= 12 {
			period = fmt.Sprintf("%d-%02d", Year-1-(m-12)/12, 12-m%12)
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
		g.w.add(benchRecord(schema.KindCapacity, schema.CapacityID(id, period), unit, cf, g.capVers))
	}
}

// benchPerson is a generated person with what the visits need.
type benchPerson struct {
	id      string
	unit    schema.Code
	newborn bool
}

// persons writes the persons: mostly elderly in special difficulty, some
// 失能特困, some newborns; each lives in a village.
func (g *benchCityGen) persons() []benchPerson {
	persons := make([]benchPerson, g.c.Persons)
	catSets := [][]schema.PersonCategory{{schema.CatAlone}, {schema.CatEmptyNest}, {schema.CatOldest},
		{schema.CatTekun, schema.CatDisabled}, {schema.CatDisabled}, {schema.CatLeftBehind}, {schema.CatTekun}, {schema.CatNewborn}}
	perVers := benchVersions("name", "categories", "support_mode", "wants_centralized")
	rng, fc := g.rng, g.fc
	for i := range persons {
		p := benchPerson{id: benchID('p', i), unit: g.villages[rng.IntN(len(g.villages))]}
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
		g.w.add(benchRecord(schema.KindPerson, p.id, p.unit, f, perVers))
	}
	return persons
}

// visits writes the visits, spread over the year's months; one in a
// hundred is a correction of the visit before it.
func (g *benchCityGen) visits(persons []benchPerson) {
	visVers := benchVersions("person", "date", "visitor", "kind", "outcome")
	supVers := benchVersions("person", "date", "visitor", "kind", "outcome", "supersedes")
	kinds := []schema.VisitKind{schema.VisitMonthly, schema.VisitMonthly, schema.VisitMonthly, schema.VisitDisabledSupport}
	rng, fc := g.rng, g.fc
	prev := ""
	for i := range g.c.Visits {
		p := persons[rng.IntN(len(persons))]
		kind := kinds[rng.IntN(len(kinds))]
		if p.newborn {
			kind = schema.VisitNewborn
		}
		date := fmt.Sprintf("%d-%02d-%02d", Year, 1+rng.IntN(12), 1+rng.IntN(28))
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
		g.w.add(benchRecord(schema.KindVisit, id, p.unit, f, vers))
	}
}

// population writes each township's population for the year, entered at
// township level so counties and the city add them up.
func (g *benchCityGen) population() {
	popVers := benchVersions("year", "resident", "aged60", "aged65", "aged0_3", "births")
	rng, fc := g.rng, g.fc
	for _, t := range g.townships {
		res := int64(20000 + rng.IntN(40000))
		a60 := res * int64(18+rng.IntN(8)) / 100
		f := schema.Fields{
			"year": fc.enc(int64(Year)), "resident": fc.enc(res), "aged60": fc.enc(a60),
			"aged65": fc.enc(a60 * 3 / 4), "aged0_3": fc.enc(res * 3 / 100), "births": fc.enc(res / 100),
		}
		g.w.add(benchRecord(schema.KindPopulation, schema.PopulationID(t, Year), t, f, popVers))
	}
}

// benchTargets are the city's and each county's targets, as baseline and
// target value.
var benchTargets = []struct {
	ind            string
	base, val      float64
	county, countV float64
}{
	{"beds_total", 60000, 75000, 6000, 7500}, {"nursing_bed_share", 40, 55, 40, 55},
	{"beds_per_1000_elderly", 35, 40, 35, 40}, {"places_per_1000", 2, 4.5, 2, 4.5},
	{"community_care_coverage", 80, 90, 80, 90}, {"visit_rate_special", 40, 60, 40, 60},
	{"township_center_coverage", 60, 100, 60, 100}, {"places_total", 20000, 40000, 2000, 4000},
}

// targets writes the targets of the city and each county for a handful
// of indicators.
func (g *benchCityGen) targets() error {
	tgVers := benchVersions("indicator", "year", "value", "value_text", "baseline_year", "baseline", "baseline_text", "has_baseline")
	for _, tg := range benchTargets {
		units := append([]schema.Code{Code}, g.divs.Children(Code)...)
		for i, u := range units {
			base, val := tg.base, tg.val
			if i > 0 {
				base, val = tg.county, tg.countV
			}
			t := schema.Target{Indicator: tg.ind, Year: Year, Value: val, ValueText: fmt.Sprint(val),
				BaselineYear: 2020, Baseline: base, BaselineText: fmt.Sprint(base), HasBaseline: true}
			f, err := schema.EncodeFields(t)
			if err != nil {
				return fmt.Errorf("generate target: %w", err)
			}
			g.w.add(benchRecord(schema.KindTarget, schema.TargetID(u, tg.ind, Year), u, f, tgVers))
		}
	}
	return nil
}

// devices enrols one device per township, with its last sync at the end
// of the year; a few never synced, so the sync sheet shows both.
func (g *benchCityGen) devices(ctx context.Context, st store.Store) error {
	marks := map[string]store.Mark{}
	for i, t := range g.townships {
		id := fmt.Sprintf("bench-%s", t)
		if err := st.PutDevice(ctx, store.Device{ID: id, Name: string(t), Scope: t, Role: store.RoleSite}); err != nil {
			return fmt.Errorf("generate device: %w", err)
		}
		if i%37 != 36 {
			marks[id] = store.Mark{HighWater: 1, At: time.Date(Year, 12, 1+i%28, 9, 0, 0, 0, time.UTC)}
		}
	}
	if err := st.Commit(ctx, &store.Group{Marks: marks}); err != nil {
		return fmt.Errorf("generate marks: %w", err)
	}
	return nil
}
