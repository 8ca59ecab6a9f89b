package indicators

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"laoxiao/schema"
)

// ErrNotRecords is returned by Counted for a measure that does not count
// records: registry units (villages, townships) and population figures.
var ErrNotRecords = errors.New("the measure counts registry units or population figures, not records")

// CountedRecord is one record a measure counted for a township.
type CountedRecord struct {
	Kind schema.Kind
	ID   string
	// Unit is a facility's own unit, a person's township.
	Unit schema.Code
	// Figure is what the record added to the measure: a capacity figure
	// for a facility, 1 for a facility or person counted.
	Figure int64
	// Report is the id of the capacity report a facility's figure came
	// from ("" when it has none: it counts 0); Visits are the visits
	// that made a person count as visited.
	Report string
	Visits []string
}

// Counted re-scans one township for one measure, as of period, and
// returns the records the measure counted there, by kind and id: the
// lineage below a township's value. It applies the scan and the rules
// Evaluate applies (schema.MeasureRules), so the records listed are the
// records counted.
func (e *Engine) Counted(ctx context.Context, township schema.Code, period Period, id schema.Measure) ([]CountedRecord, error) {
	m, err := lookupMeasure(id)
	if err != nil {
		return nil, err
	}
	if !m.additive() || isUnitMeasure(m) {
		return nil, fmt.Errorf("counted %s: %w", id, ErrNotRecords)
	}
	st := newScanState(township, period)
	if err := e.scan(ctx, township, st.add); err != nil {
		return nil, fmt.Errorf("counted %s in %s: %w", id, township, err)
	}
	if err := e.scanMovedIn(ctx, st); err != nil {
		return nil, fmt.Errorf("counted %s in %s: %w", id, township, err)
	}
	st.resolveMerged()
	st.countVisits()
	out := st.countedFacilities(m)
	return append(out, st.countedPersons(m)...), nil
}

// isUnitMeasure reports whether m counts registry units alone (a
// coverage measure counts units with a facility: those facilities are
// its records).
func isUnitMeasure(m measure) bool {
	for _, r := range rules.units {
		if r.m == m {
			return true
		}
	}
	return false
}

// countedFacilities lists the facilities a capacity, facility or
// coverage rule of m accepts, as addFacility counts them.
func (s *scanState) countedFacilities(m measure) []CountedRecord {
	var out []CountedRecord
	for i := range s.facilities {
		f := &s.facilities[i]
		var fig schema.Capacity
		report := ""
		if cr := s.caps[f.id]; cr != nil {
			fig, report = cr.fig, cr.id
		}
		for _, set := range [][]facilityRule{rules.capacity, rules.facilities, rules.coverage} {
			for _, r := range set {
				if r.m != m || !r.accept(f.facts) {
					continue
				}
				c := CountedRecord{Kind: schema.KindFacility, ID: f.id, Unit: f.unit, Figure: 1}
				if r.figure != nil {
					c.Figure, c.Report = r.figure(&fig), report
				}
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// countedPersons lists the persons a person rule of m accepts, as
// addPerson counts them, each with the visits that made it count.
func (s *scanState) countedPersons(m measure) []CountedRecord {
	var out []CountedRecord
	visits := map[int]map[*personRec][]string{} // by slot, built once
	for id, p := range s.persons {
		for _, r := range rules.persons {
			if r.m != m || !r.accept(p.facts) {
				continue
			}
			c := CountedRecord{Kind: schema.KindPerson, ID: id, Unit: p.town.code, Figure: 1}
			if r.slot >= 0 {
				if visits[r.slot] == nil {
					visits[r.slot] = s.visitsBy(r.slot)
				}
				c.Visits = visits[r.slot][p]
			}
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// visitsBy lists, per person, the visits of kind slot countVisits
// credited: one pass over the township's visits.
func (s *scanState) visitsBy(slot int) map[*personRec][]string {
	out := map[*personRec][]string{}
	for _, v := range s.visits {
		if v.slot != slot || s.superseded[v.id] {
			continue
		}
		p := v.person
		if p == nil {
			p = s.persons[s.merged.Resolve(v.personID)]
		}
		if p != nil {
			out[p] = append(out[p], v.id)
		}
	}
	return out
}
