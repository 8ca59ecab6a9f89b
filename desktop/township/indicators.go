package township

import (
	"fmt"
	"strings"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Local evaluation of the catalogue's computed indicators over one
// township's records, so staff see where they stand while offline. It
// gathers the facts of the one scope a site holds and applies the
// measures' rules (schema.MeasureRule) and the indicator's ratio
// (schema.Indicator.Ratio), the same the server's engine applies to every
// scope of a county; e2e's TestIndicatorsAgree holds the two to it.

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
	all, err := LoadFacilities(st, area.Code)
	if err != nil {
		return nil, err
	}
	// Merged duplicates count through their survivors only
	// (schema/merged.go), as in the server's engine.
	merged := schema.Redirects{}
	for _, f := range all {
		if f.MergedInto != "" {
			merged[f.ID] = f.MergedInto
			continue
		}
		s.facilities = append(s.facilities, f)
	}
	err = st.List(schema.KindCapacity, area.Code, func(r *schema.Record) error {
		var c schema.Capacity
		if err := r.Decode(&c); err != nil {
			return fmt.Errorf("capacity %s: %w", r.ID, err)
		}
		to := merged.Resolve(c.Facility)
		s.reports[to] = append(s.reports[to], c)
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
		if p.MergedInto != "" {
			merged[p.ID] = p.MergedInto
			return nil
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
	s.visits = indexVisits(resolveVisits(vs, merged))
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
	if ind.Denominator != "" {
		r.Den = s.Measure(ind.Denominator, period)
	}
	r.Value, r.Defined = ind.Ratio(r.Num, r.Den)
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
		// The survivor's own report wins a month a merged duplicate also
		// reported: the office chose it.
		own := c.Facility == facility && best.Facility != facility
		if c.Period <= limit && (!found || c.Period > best.Period || c.Period == best.Period && own) {
			best, found = c, true
		}
	}
	return best, found
}

// Measure evaluates one measure over the area for period by the measure's
// rule (schema.MeasureRule), the one the server's engine follows too.
func (s *Snapshot) Measure(m schema.Measure, period string) float64 {
	r, ok := m.Rule()
	if !ok {
		return 0
	}
	switch r.Source {
	case schema.SourceCapacity:
		return s.sumCapacity(period, r)
	case schema.SourceFacilities:
		return s.countFacilities(r.Facility)
	case schema.SourceUnits:
		return float64(len(s.units(r)))
	case schema.SourceCoverage:
		return s.unitsWith(r)
	case schema.SourcePopulation:
		return float64(s.populationFigure(s.Area.Code, yearOf(period), r.Population))
	case schema.SourcePersons:
		return s.countPersons(period, r.Person)
	}
	return 0
}

// operating lists the facts of the area's operating facilities of a kind
// this release knows, beside the facilities they describe: no rule
// counts the others.
func (s *Snapshot) operating(each func(f *Facility, facts schema.FacilityFacts)) {
	for i := range s.facilities {
		f := &s.facilities[i]
		if f.Status != schema.StatusOperating {
			continue
		}
		if facts, ok := schema.FactsOf(f.Facility); ok {
			each(f, facts)
		}
	}
}

// sumCapacity sums the rule's figure of the latest report of every
// operating facility the rule accepts; a facility without a report adds 0.
func (s *Snapshot) sumCapacity(period string, r schema.MeasureRule) float64 {
	var sum int64
	s.operating(func(f *Facility, facts schema.FacilityFacts) {
		if !r.Facility(facts) {
			return
		}
		if c, ok := s.latestReport(f.ID, period); ok {
			sum += r.Figure(&c)
		}
	})
	return float64(sum)
}

func (s *Snapshot) countFacilities(ok func(schema.FacilityFacts) bool) float64 {
	n := 0
	s.operating(func(_ *Facility, facts schema.FacilityFacts) {
		if ok(facts) {
			n++
		}
	})
	return float64(n)
}

// units lists the units a unit or coverage rule counts within the area,
// from the registry: a village nobody entered anything for still counts.
func (s *Snapshot) units(r schema.MeasureRule) []schema.Code {
	all := []schema.Code{s.Area.Code}
	if s.Area.Code.Level() != r.Level {
		all = s.divs.Descendants(s.Area.Code, r.Level)
	}
	if r.Units == schema.UnitsAll {
		return all
	}
	var out []schema.Code
	for _, c := range all {
		if u, ok := s.divs.Lookup(c); ok && r.CountsUnit(u) {
			out = append(out, c)
		}
	}
	return out
}

// unitsWith counts the units of a coverage rule at which an operating
// facility the rule accepts stands: its unit is the unit or lies below it.
func (s *Snapshot) unitsWith(r schema.MeasureRule) float64 {
	have := map[schema.Code]bool{}
	s.operating(func(f *Facility, facts schema.FacilityFacts) {
		if r.Facility(facts) {
			if u := f.Unit.Ancestor(r.Level); u != "" {
				have[u] = true
			}
		}
	})
	n := 0
	for _, u := range s.units(r) {
		if have[u] {
			n++
		}
	}
	return float64(n)
}

// populationFigure is the unit's record with the greatest year not after
// year; where the unit has none, the sum over its child units, so figures
// entered per village add up without a township record counting twice.
func (s *Snapshot) populationFigure(unit schema.Code, year int64, fig func(*schema.Population) int64) int64 {
	var best *schema.Population
	for i, p := range s.population[unit] {
		if p.Year <= year && (best == nil || p.Year > best.Year) {
			best = &s.population[unit][i]
		}
	}
	if best != nil {
		return fig(best)
	}
	var sum int64
	for _, c := range s.divs.Children(unit) {
		sum += s.populationFigure(c, year, fig)
	}
	return sum
}

// countPersons counts the persons a person rule accepts, with the visits
// counted in each kind's window of period.
func (s *Snapshot) countPersons(period string, ok func(schema.PersonFacts) bool) float64 {
	n := 0
	for i := range s.persons {
		p := &s.persons[i]
		if schema.LeftBefore(p.Status, p.LeftOn, period) {
			continue // died or moved away before the period
		}
		if ok(schema.PersonFactsOf(p.Person, s.visits.visitedFor(p.ID, period))) {
			n++
		}
	}
	return float64(n)
}

// visitIndex holds the counted visits of an area by person.
type visitIndex struct {
	byPerson map[string][]Visit
}

// indexVisits keeps the counted visits: those no other visit supersedes
// (schema/measure.go), so a correction replaces the visit it corrects
// instead of counting twice. Any superseding visit is enough, counted or
// not: when C corrects B which corrected A, only C counts — A stays
// replaced, or the person would count as visited twice. The server's
// engine applies the same rule (e2e TestIndicatorsAgree).
func indexVisits(vs []Visit) visitIndex {
	superseded := map[string]bool{}
	for _, v := range vs {
		if v.Supersedes != "" && v.Supersedes != v.ID {
			superseded[v.Supersedes] = true
		}
	}
	counted := func(i int) bool { return !superseded[vs[i].ID] }
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

// visitedFor is the set of visit kinds with a counted visit to person
// in the kind's window of period (schema.VisitKind.Window).
func (x visitIndex) visitedFor(person, period string) schema.VisitSet {
	var set schema.VisitSet
	month := lastMonth(period)
	for _, v := range x.byPerson[person] {
		var in bool
		switch v.Kind.Window() {
		case schema.WindowLastMonth:
			in = strings.HasPrefix(v.Date, month+"-")
		case schema.WindowPeriod:
			in = strings.HasPrefix(v.Date, period)
		case schema.WindowEver:
			in = true
		case schema.WindowYearToDate:
			in = v.Date >= period[:4]+"-01" && v.Date[:min(7, len(v.Date))] <= month
		}
		if in {
			set = set.With(v.Kind)
		}
	}
	return set
}
