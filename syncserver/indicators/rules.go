package indicators

import (
	"fmt"

	"laoxiao/schema"
)

// The engine applies the measures' rules of schema.MeasureRules, the ones
// the desktop applies too; here they are only indexed by the engine's
// measure numbers, so a township's partial is filled by looping over
// small slices instead of looking measures up by name per record.

// facilityRule is a capacity, facility-count or coverage rule.
type facilityRule struct {
	m      measure
	accept func(schema.FacilityFacts) bool
	figure func(*schema.Capacity) int64 // capacity rules only
	// rule names the units a coverage rule counts (CountsUnit).
	rule schema.MeasureRule
}

// personRule is a person rule; slot is the measuredVisits slot of the
// visit kind that made the person count, or -1.
type personRule struct {
	m      measure
	accept func(schema.PersonFacts) bool
	slot   int
}

// unitRule counts registry units of a level and class (CountsUnit).
type unitRule struct {
	m    measure
	rule schema.MeasureRule
}

// measuredVisits lists the visit kinds some measure counts, one slot each
// in personRec.visits.
var measuredVisits = []schema.VisitKind{schema.VisitMonthly, schema.VisitDisabledSupport, schema.VisitNewborn}

func visitSlot(k schema.VisitKind) int {
	for i, x := range measuredVisits {
		if x == k {
			return i
		}
	}
	return -1
}

// rules are schema.MeasureRules by source, indexed by engine measure.
var rules = compileRules(schema.MeasureRules())

type ruleSet struct {
	capacity, facilities, coverage []facilityRule
	persons                        []personRule
	units                          []unitRule
}

// compileRules indexes the schema's rules. A rule naming a measure the
// engine has no index for, or a visit kind without a slot, is a release
// mismatch the package's tests catch; it panics at start rather than
// count wrongly.
func compileRules(rs []schema.MeasureRule) ruleSet {
	var out ruleSet
	for _, r := range rs {
		m, err := lookupMeasure(r.Measure)
		if err != nil {
			panic(err)
		}
		fr := facilityRule{m: m, accept: r.Facility, figure: r.Figure, rule: r}
		switch r.Source {
		case schema.SourceCapacity:
			out.capacity = append(out.capacity, fr)
		case schema.SourceFacilities:
			out.facilities = append(out.facilities, fr)
		case schema.SourceCoverage:
			out.coverage = append(out.coverage, fr)
		case schema.SourceUnits:
			out.units = append(out.units, unitRule{m: m, rule: r})
		case schema.SourcePersons:
			pr := personRule{m: m, accept: r.Person, slot: -1}
			if r.Visit != "" {
				if pr.slot = visitSlot(r.Visit); pr.slot < 0 {
					panic(fmt.Sprintf("measure %s counts %s visits, which the engine does not gather", r.Measure, r.Visit))
				}
			}
			out.persons = append(out.persons, pr)
		case schema.SourcePopulation:
			// Population figures follow their own rule (popFigures).
		default:
			panic(fmt.Sprintf("measure %s: unknown source %d", r.Measure, r.Source))
		}
	}
	return out
}
