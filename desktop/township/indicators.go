package township

import (
	"fmt"
	"strings"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Local evaluation of the catalogue's computed indicators over one
// township's records, so staff see where they stand while offline. It
// implements the measure definitions of schema/measure.go for the one
// scope a site holds; the server's engine, which evaluates every scope of
// a county, is the authority for reports.

// TownshipIndicators are the catalogue concepts that mean something for a
// single township, in the order the tab shows them. County- and city-level
// counts (县级区域性养老中心, 地市级托育服务指导中心, …) are left out:
// a township has none by definition. The street indicators are added for
// street offices (街道) by Indicators.
var TownshipIndicators = []string{
	"beds_total", "beds_per_1000_elderly", "nursing_bed_share", "socialized_bed_share",
	"inclusive_elderly_bed_share", "safety_net_and_inclusive_bed_share", "elderly_nursing_staff",
	"community_care_coverage", "township_center_coverage",
	"visit_rate_special", "visit_rate_disabled_poor", "disabled_support_rate",
	"disabled_poor_centralized_rate", "willing_centralized_support_rate",
	"places_total", "places_per_1000", "inclusive_place_share", "childcare_care_staff",
	"childcare_certified_rate", "community_childcare_coverage", "childcare_institutions_filed",
	"demo_childcare_institutions", "township_inclusive_childcare_coverage", "newborn_visit_rate",
}

// streetIndicators apply only where the area is a street office.
var streetIndicators = []string{"street_center_coverage", "street_childcare_coverage"}

// Snapshot is the area's records as the indicator measures need them,
// read once so every measure of a period sees the same data.
type Snapshot struct {
	Area       Area
	divs       *schema.Divisions
	facilities []Facility
	reports    map[string][]schema.Capacity // by facility id
	persons    []Person
	visits     visitIndex
	population map[schema.Code][]schema.Population
	targets    map[string]schema.Target
	reported   map[string]schema.Reported
}

// LoadSnapshot reads everything the area's indicators need.
func LoadSnapshot(st *agent.Store, area Area) (*Snapshot, error) {
	s := &Snapshot{Area: area, divs: st.Divisions(), reports: map[string][]schema.Capacity{},
		population: map[schema.Code][]schema.Population{}}
	var err error
	if s.facilities, err = LoadFacilities(st, area.Code); err != nil {
		return nil, err
	}
	err = st.List(schema.KindCapacity, area.Code, func(r *schema.Record) error {
		var c schema.Capacity
		if err := r.Decode(&c); err != nil {
			return fmt.Errorf("capacity %s: %w", r.ID, err)
		}
		s.reports[c.Facility] = append(s.reports[c.Facility], c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load capacity reports: %w", err)
	}
	err = st.List(schema.KindPerson, area.Code, func(r *schema.Record) error {
		p := Person{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&p.Person); err != nil {
			return fmt.Errorf("person %s: %w", r.ID, err)
		}
		s.persons = append(s.persons, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load persons: %w", err)
	}
	vs, err := loadVisits(st, area.Code)
	if err != nil {
		return nil, err
	}
	s.visits = indexVisits(vs)
	// Population of the area and every unit above it is not needed: the
	// figure of a scope comes from the scope itself or its children.
	err = st.List(schema.KindPopulation, area.Code, func(r *schema.Record) error {
		var p schema.Population
		if err := r.Decode(&p); err != nil {
			return fmt.Errorf("population %s: %w", r.ID, err)
		}
		s.population[r.Unit] = append(s.population[r.Unit], p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load population: %w", err)
	}
	if s.targets, err = Targets(st, area.Code); err != nil {
		return nil, err
	}
	if s.reported, err = Reported(st, area.Code); err != nil {
		return nil, err
	}
	return s, nil
}

// Result is one indicator's value for the area and a period, beside its
// target.
type Result struct {
	Indicator schema.Indicator
	// Num and Den are the measures; Den is 0 for a count.
	Num, Den float64
	// Value is Num/Den×Scale (Num for a count); Defined is false when the
	// denominator is 0, because 0 % and "nothing to divide by" differ.
	Value   float64
	Defined bool
	// Reported is true when Value is a department's entry rather than
	// computed; Entry is that entry (its period and department).
	Reported  bool
	Entry     schema.Reported
	Target    schema.Target
	HasTarget bool
}

// Met reports whether a defined value meets its target in the
// indicator's direction, honouring the comparator the plan wrote (">95"
// must exceed 95); ok is false when there is nothing to compare, such as a
// target written only in words ("应建尽建") with no number behind it.
func (r Result) Met() (met, ok bool) {
	if !r.Defined || !r.HasTarget {
		return false, false
	}
	want, cmp := r.Target.Value, ""
	if r.Target.ValueText != "" {
		if v, c, ok := schema.ParseTargetText(r.Target.ValueText); ok {
			want, cmp = v, c
		} else if want == 0 {
			return false, false
		}
	}
	switch cmp {
	case ">":
		return r.Value > want, true
	case "≥":
		return r.Value >= want, true
	case "<":
		return r.Value < want, true
	case "≤":
		return r.Value <= want, true
	}
	if r.Indicator.Direction == schema.DirectionDown {
		return r.Value <= want, true
	}
	return r.Value >= want, true
}

// Indicators evaluates the township indicators for period (YYYY-MM or
// YYYY), then every other indicator the area has a target or an entered
// value for, so neither a target that came down from the county nor a
// department's entry is ever hidden.
func (s *Snapshot) Indicators(period string) []Result {
	ids := append([]string(nil), TownshipIndicators...)
	if s.Area.IsStreet() {
		ids = append(ids, streetIndicators...)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	// Indicators the county set a target for, or a department entered a
	// value for, matter to this township even when the list above lacks
	// them.
	for _, ind := range schema.Catalogue() {
		_, target := s.targets[ind.ID]
		_, entered := s.reported[ind.ID]
		if (target || entered) && !seen[ind.ID] {
			ids = append(ids, ind.ID)
			seen[ind.ID] = true
		}
	}
	out := make([]Result, 0, len(ids))
	for _, id := range ids {
		ind, ok := schema.IndicatorByID(id)
		if !ok {
			continue
		}
		out = append(out, s.Evaluate(ind, period))
	}
	return out
}

// Evaluate computes one indicator for period.
func (s *Snapshot) Evaluate(ind schema.Indicator, period string) Result {
	r := Result{Indicator: ind}
	r.Target, r.HasTarget = s.targets[ind.ID]
	if !ind.Computed() {
		if v, ok := s.reported[ind.ID]; ok {
			r.Value, r.Defined, r.Reported, r.Entry = v.Value, true, true, v
		}
		return r
	}
	r.Num = s.Measure(ind.Numerator, period)
	if ind.Denominator == "" {
		r.Value, r.Defined = r.Num, true
		return r
	}
	r.Den = s.Measure(ind.Denominator, period)
	if r.Den > 0 {
		r.Value, r.Defined = r.Num/r.Den*ind.Scale, true
	}
	return r
}

// period helpers: a report period is a month YYYY-MM or a year YYYY.
func isYear(period string) bool { return len(period) == 4 }

// lastMonth is the month a period ends with: capacity reports are the
// latest not after it, and monthly visit rates of a year are about it.
func lastMonth(period string) string {
	if isYear(period) {
		return period + "-12"
	}
	return period
}

func yearOf(period string) int64 {
	var y int64
	for _, c := range period[:min(4, len(period))] {
		y = y*10 + int64(c-'0')
	}
	return y
}

// latestReport returns a facility's report with the greatest period not
// after the period's last month.
func (s *Snapshot) latestReport(facility, period string) (schema.Capacity, bool) {
	limit := lastMonth(period)
	var best schema.Capacity
	found := false
	for _, c := range s.reports[facility] {
		if c.Period <= limit && (!found || c.Period > best.Period) {
			best, found = c, true
		}
	}
	return best, found
}

// Measure evaluates one measure over the area for period, following the
// definitions of schema/measure.go.
func (s *Snapshot) Measure(m schema.Measure, period string) float64 {
	switch m {
	case schema.MeasureBedsTotal, schema.MeasureBedsNursing, schema.MeasureBedsInstitution,
		schema.MeasureBedsInstitutionNursing, schema.MeasureBedsSocialized, schema.MeasureBedsInclusive,
		schema.MeasureBedsSafetyNet, schema.MeasureElderlyCareStaff:
		return s.sumCapacity(period, schema.DomainElderly, func(f *Facility, c schema.Capacity) int64 {
			info, _ := f.Kind.Info()
			switch m {
			case schema.MeasureBedsTotal:
				return c.BedsTotal
			case schema.MeasureBedsNursing:
				return c.BedsNursing
			case schema.MeasureBedsInstitution:
				return pick(info.Institution, c.BedsTotal)
			case schema.MeasureBedsInstitutionNursing:
				return pick(info.Institution, c.BedsNursing)
			case schema.MeasureBedsSocialized:
				return pick(f.Ownership == schema.OwnPublicPrivate || f.Ownership == schema.OwnPrivate, c.BedsTotal)
			case schema.MeasureBedsInclusive:
				return pick(f.Inclusive, c.BedsTotal)
			case schema.MeasureBedsSafetyNet:
				return pick(f.Kind == schema.FKTekunHome || f.Inclusive, c.BedsTotal)
			default: // MeasureElderlyCareStaff
				return c.CareStaff
			}
		})
	case schema.MeasureChildcarePlaces, schema.MeasureChildcarePlacesInclusive,
		schema.MeasureChildcareCareStaff, schema.MeasureChildcareCertifiedStaff:
		return s.sumCapacity(period, schema.DomainChildcare, func(_ *Facility, c schema.Capacity) int64 {
			switch m {
			case schema.MeasureChildcarePlaces:
				return c.PlacesTotal
			case schema.MeasureChildcarePlacesInclusive:
				return c.PlacesInclusive
			case schema.MeasureChildcareCareStaff:
				return c.CareStaff
			default: // MeasureChildcareCertifiedStaff
				return c.CertifiedStaff
			}
		})
	case schema.MeasurePopResident:
		return float64(s.populationFigure(s.Area.Code, yearOf(period), func(p schema.Population) int64 { return p.Resident }))
	case schema.MeasurePopAged60:
		return float64(s.populationFigure(s.Area.Code, yearOf(period), func(p schema.Population) int64 { return p.Aged60 }))
	case schema.MeasureVillages:
		return float64(len(s.unitsAt(schema.LevelVillage)))
	case schema.MeasureVillagesWithCommunityCare:
		return s.unitsWith(schema.LevelVillage, func(f *Facility) bool {
			return f.Kind == schema.FKDayCare || f.Kind == schema.FKRuralHappiness
		}, nil)
	case schema.MeasureVillagesWithChildcare:
		return s.unitsWith(schema.LevelVillage, isChildcare, nil)
	case schema.MeasureTownships:
		return float64(len(s.unitsAt(schema.LevelTownship)))
	case schema.MeasureTownshipsWithCenter:
		return s.unitsWith(schema.LevelTownship, func(f *Facility) bool {
			return f.Kind == schema.FKTownshipCenter || f.Kind == schema.FKStreetCenter
		}, nil)
	case schema.MeasureTownshipsWithInclusiveChildcare:
		return s.unitsWith(schema.LevelTownship, func(f *Facility) bool { return isChildcare(f) && f.Inclusive }, nil)
	case schema.MeasureTownshipsWithDemoInclusiveChildcare:
		return s.unitsWith(schema.LevelTownship, func(f *Facility) bool { return isChildcare(f) && f.Inclusive && f.Demo }, nil)
	case schema.MeasureStreets:
		return float64(len(s.streets()))
	case schema.MeasureStreetsWithCenter:
		return s.unitsWith(schema.LevelTownship, func(f *Facility) bool { return f.Kind == schema.FKStreetCenter }, s.isStreet)
	case schema.MeasureStreetsWithChildcare:
		return s.unitsWith(schema.LevelTownship, isChildcare, s.isStreet)
	case schema.MeasureChildcareFiled:
		return s.countFacilities(func(f *Facility) bool { return isChildcare(f) && f.Filing == schema.FilingFiled })
	case schema.MeasureChildcareDemo:
		return s.countFacilities(func(f *Facility) bool { return isChildcare(f) && f.Demo })
	case schema.MeasureChildcareGuidanceCenters:
		return s.countFacilities(func(f *Facility) bool { return f.Kind == schema.FKChildcareGuidance })
	case schema.MeasureCountyChildcareCenters:
		return s.countFacilities(func(f *Facility) bool { return f.Kind == schema.FKCountyChildcare })
	case schema.MeasureCountyElderlyCenters:
		return s.countFacilities(func(f *Facility) bool { return f.Kind == schema.FKCountyElderlyCenter })
	}
	return s.personMeasure(m, period)
}

func pick(ok bool, v int64) int64 {
	if ok {
		return v
	}
	return 0
}

func isChildcare(f *Facility) bool { return f.Kind.Domain() == schema.DomainChildcare }

// sumCapacity sums a figure of the latest report of every operating
// facility of the domain; a facility without a report adds 0.
func (s *Snapshot) sumCapacity(period string, d schema.Domain, fig func(*Facility, schema.Capacity) int64) float64 {
	var sum int64
	for i := range s.facilities {
		f := &s.facilities[i]
		if f.Status != schema.StatusOperating || f.Kind.Domain() != d {
			continue
		}
		if c, ok := s.latestReport(f.ID, period); ok {
			sum += fig(f, c)
		}
	}
	return float64(sum)
}

func (s *Snapshot) countFacilities(ok func(*Facility) bool) float64 {
	n := 0
	for i := range s.facilities {
		if f := &s.facilities[i]; f.Status == schema.StatusOperating && ok(f) {
			n++
		}
	}
	return float64(n)
}

// unitsAt lists the units of a level within the area, from the registry:
// a village nobody entered anything for still counts.
func (s *Snapshot) unitsAt(l schema.Level) []schema.Code {
	if s.Area.Code.Level() == l {
		return []schema.Code{s.Area.Code}
	}
	return s.divs.Descendants(s.Area.Code, l)
}

func (s *Snapshot) isStreet(c schema.Code) bool {
	u, ok := s.divs.Lookup(c)
	return ok && u.IsStreet()
}

func (s *Snapshot) streets() []schema.Code {
	var out []schema.Code
	for _, c := range s.unitsAt(schema.LevelTownship) {
		if s.isStreet(c) {
			out = append(out, c)
		}
	}
	return out
}

// unitsWith counts the units of level l (passing keep, when given) at
// which an operating facility passing ok stands: its unit is the unit or
// lies below it.
func (s *Snapshot) unitsWith(l schema.Level, ok func(*Facility) bool, keep func(schema.Code) bool) float64 {
	n := 0
	for _, u := range s.unitsAt(l) {
		if keep != nil && !keep(u) {
			continue
		}
		for i := range s.facilities {
			f := &s.facilities[i]
			if f.Status == schema.StatusOperating && f.Unit.Within(u) && ok(f) {
				n++
				break
			}
		}
	}
	return float64(n)
}

// populationFigure is the unit's record with the greatest year not after
// year; where the unit has none, the sum over its child units, so figures
// entered per village add up without a township record counting twice.
func (s *Snapshot) populationFigure(unit schema.Code, year int64, fig func(schema.Population) int64) int64 {
	var best *schema.Population
	for i, p := range s.population[unit] {
		if p.Year <= year && (best == nil || p.Year > best.Year) {
			best = &s.population[unit][i]
		}
	}
	if best != nil {
		return fig(*best)
	}
	var sum int64
	for _, c := range s.divs.Children(unit) {
		sum += s.populationFigure(c, year, fig)
	}
	return sum
}

func (s *Snapshot) personMeasure(m schema.Measure, period string) float64 {
	month := lastMonth(period)
	inPeriod := func(date string) bool { return strings.HasPrefix(date, period) }
	n := 0
	for i := range s.persons {
		p := &s.persons[i]
		special := false
		for _, c := range p.Categories {
			special = special || c.SpecialDifficulty()
		}
		disabledTekun := p.Has(schema.CatDisabled) && p.Has(schema.CatTekun)
		wants := p.Has(schema.CatTekun) && p.WantsCentralized
		var hit bool
		switch m {
		case schema.MeasurePersonsSpecial:
			hit = special
		case schema.MeasurePersonsSpecialVisitedMonth:
			hit = special && s.visits.visitedIn(p.ID, schema.VisitMonthly, month)
		case schema.MeasurePersonsDisabledTekun:
			hit = disabledTekun
		case schema.MeasurePersonsDisabledTekunVisitedMonth:
			hit = disabledTekun && s.visits.visitedIn(p.ID, schema.VisitMonthly, month)
		case schema.MeasurePersonsDisabledTekunCentralized:
			hit = disabledTekun && p.SupportMode == schema.SupportCentralized
		case schema.MeasurePersonsDisabled:
			hit = p.Has(schema.CatDisabled)
		case schema.MeasurePersonsDisabledSupported:
			hit = p.Has(schema.CatDisabled) && s.visits.visited(p.ID, schema.VisitDisabledSupport, inPeriod)
		case schema.MeasureNewborns:
			hit = p.Has(schema.CatNewborn)
		case schema.MeasureNewbornsVisited:
			hit = p.Has(schema.CatNewborn) && s.visits.visitedEver(p.ID, schema.VisitNewborn)
		case schema.MeasurePersonsWantingCentralized:
			hit = wants
		case schema.MeasurePersonsWantingCentralizedServed:
			hit = wants && p.SupportMode == schema.SupportCentralized
		}
		if hit {
			n++
		}
	}
	return float64(n)
}

// visitIndex holds the counted visits of an area by person.
type visitIndex struct {
	byPerson map[string][]Visit
}

// indexVisits keeps the counted visits: those no other counted visit
// supersedes (schema/measure.go), so a correction replaces the visit it
// corrects instead of counting twice. The definition is recursive; a
// cycle of supersedes, which only corrupt data could make, is cut where
// the walk meets it again instead of recursing forever.
func indexVisits(vs []Visit) visitIndex {
	by := map[string][]int{} // visit id -> indexes of visits superseding it
	for i, v := range vs {
		if v.Supersedes != "" && v.Supersedes != v.ID {
			by[v.Supersedes] = append(by[v.Supersedes], i)
		}
	}
	const (
		unknown = iota
		working
		yes
		no
	)
	state := make([]int8, len(vs))
	var counted func(i int) bool
	counted = func(i int) bool {
		switch state[i] {
		case yes:
			return true
		case no, working:
			return false
		}
		state[i] = working
		ok := true
		for _, j := range by[vs[i].ID] {
			if counted(j) {
				ok = false
				break
			}
		}
		state[i] = no
		if ok {
			state[i] = yes
		}
		return ok
	}
	idx := visitIndex{byPerson: map[string][]Visit{}}
	for i, v := range vs {
		if counted(i) {
			idx.byPerson[v.Person] = append(idx.byPerson[v.Person], v)
		}
	}
	return idx
}

func (x visitIndex) visited(person string, kind schema.VisitKind, when func(date string) bool) bool {
	for _, v := range x.byPerson[person] {
		if v.Kind == kind && when(v.Date) {
			return true
		}
	}
	return false
}

func (x visitIndex) visitedIn(person string, kind schema.VisitKind, month string) bool {
	return x.visited(person, kind, func(d string) bool { return strings.HasPrefix(d, month+"-") })
}

func (x visitIndex) visitedEver(person string, kind schema.VisitKind) bool {
	return x.visited(person, kind, func(string) bool { return true })
}
