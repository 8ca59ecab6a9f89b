package review

import (
	"fmt"
	"sort"

	"laoxiao/schema"
)

// facility is what the review needs of a facility.
type facility struct {
	id, name  string
	unit      schema.Code
	operating bool
	opened    string // YYYY-MM-DD or ""
}

// report is a capacity report with its unit.
type report struct {
	unit schema.Code
	c    schema.Capacity
}

// scan gathers one pass over the unit's records.
type scan struct {
	period, prev string
	facs         map[schema.Code][]*facility // by township
	cur, old     map[string]report           // by facility: the latest report in the period
	visits       map[schema.Code]*[2]int64   // by township: this period, the previous one
	seen         map[schema.Code]bool        // townships holding records
	merged       schema.Redirects            // merged duplicate facilities to their survivors
}

func newScan(period, prev string) *scan {
	return &scan{period: period, prev: prev, facs: map[schema.Code][]*facility{},
		cur: map[string]report{}, old: map[string]report{}, visits: map[schema.Code]*[2]int64{}, seen: map[schema.Code]bool{},
		merged: schema.Redirects{}}
}

// add takes one record of the scan; records above township level (a
// county's own population) are not a township's figures.
func (s *scan) add(r *schema.Record) error {
	t := r.Unit.Ancestor(schema.LevelTownship)
	if r.IsDeleted() || t == "" {
		return nil
	}
	switch r.Kind {
	case schema.KindFacility:
		if s.merged.Add(r) {
			break // counted through its survivor (merged.go)
		}
		var f schema.Facility
		if err := r.Decode(&f); err != nil {
			return fmt.Errorf("facility %s: %w", r.ID, err)
		}
		s.facs[t] = append(s.facs[t], &facility{id: r.ID, name: f.Name, unit: r.Unit,
			operating: f.Status == schema.StatusOperating, opened: f.Opened})
	case schema.KindCapacity:
		var c schema.Capacity
		if err := r.Decode(&c); err != nil {
			return fmt.Errorf("capacity %s: %w", r.ID, err)
		}
		keepLatest(s.cur, s.period, r.Unit, c)
		keepLatest(s.old, s.prev, r.Unit, c)
	case schema.KindVisit:
		var v schema.Visit
		if err := r.Decode(&v); err != nil {
			return fmt.Errorf("visit %s: %w", r.ID, err)
		}
		n := s.visits[t]
		if n == nil {
			n = new([2]int64)
			s.visits[t] = n
		}
		if schema.PeriodWithin(v.Date, s.period) {
			n[0]++
		} else if schema.PeriodWithin(v.Date, s.prev) {
			n[1]++
		}
	default:
		return nil
	}
	s.seen[t] = true
	return nil
}

// keepLatest keeps c in m when it lies in period and is the facility's
// latest report there so far.
func keepLatest(m map[string]report, period string, unit schema.Code, c schema.Capacity) {
	if !schema.PeriodWithin(c.Period, period) {
		return
	}
	if have, ok := m[c.Facility]; !ok || have.c.Period < c.Period {
		m[c.Facility] = report{unit: unit, c: c}
	}
}

// township makes a township's line: its totals for both periods and the
// flags on them.
func (s *scan) township(t schema.Code, name string) Township {
	tw := Township{Code: t, Name: name, Flags: []Flag{}}
	facs := s.facs[t]
	sort.Slice(facs, func(i, j int) bool {
		return facs[i].name < facs[j].name || facs[i].name == facs[j].name && facs[i].id < facs[j].id
	})
	for _, f := range facs {
		s.count(&tw.Previous, f, s.prev, s.old, nil)
		s.count(&tw.Current, f, s.period, s.cur, &tw.Flags)
	}
	if n := s.visits[t]; n != nil {
		tw.Current.Visits, tw.Previous.Visits = n[0], n[1]
	}
	tw.Flags = append(tw.Flags, bigChanges(tw.Current, tw.Previous)...)
	return tw
}

// count adds a facility and its report for period to fig, and, when flags
// is set, flags what is wrong with them.
func (s *scan) count(fig *Figures, f *facility, period string, reports map[string]report, flags *[]Flag) {
	rep, has := reports[f.id]
	if f.operating && (f.opened == "" || f.opened[:min(len(f.opened), len(period))] <= period) {
		fig.Facilities++
		if has {
			fig.Reported++
		} else if flags != nil {
			*flags = append(*flags, Flag{Code: FlagNoReport, Facility: f.id,
				En: fmt.Sprintf("%s has no report for %s", f.name, period),
				Zh: fmt.Sprintf("%s %s未填报", f.name, period)})
		}
	}
	if !has {
		return
	}
	c := rep.c
	fig.BedsTotal += c.BedsTotal
	fig.BedsNursing += c.BedsNursing
	fig.BedsOccupied += c.BedsOccupied
	fig.PlacesTotal += c.PlacesTotal
	fig.ChildrenEnrolled += c.ChildrenEnrolled
	if flags == nil {
		return
	}
	if c.BedsOccupied > c.BedsTotal {
		*flags = append(*flags, Flag{Code: FlagOccupiedAboveBeds, Facility: f.id, Field: "beds_occupied", Value: c.BedsOccupied, Previous: c.BedsTotal,
			En: fmt.Sprintf("%s: occupied beds (%d) above beds (%d)", f.name, c.BedsOccupied, c.BedsTotal),
			Zh: fmt.Sprintf("%s：已入住床位(%d)超过床位总数(%d)", f.name, c.BedsOccupied, c.BedsTotal)})
	}
	if c.BedsNursing > c.BedsTotal {
		*flags = append(*flags, Flag{Code: FlagNursingAboveBeds, Facility: f.id, Field: "beds_nursing", Value: c.BedsNursing, Previous: c.BedsTotal,
			En: fmt.Sprintf("%s: nursing beds (%d) above beds (%d)", f.name, c.BedsNursing, c.BedsTotal),
			Zh: fmt.Sprintf("%s：护理型床位(%d)超过床位总数(%d)", f.name, c.BedsNursing, c.BedsTotal)})
	}
}

// bigChanges flags each figure that moved by more than half of its
// previous value. A figure that was 0 has no half to compare with.
func bigChanges(cur, prev Figures) []Flag {
	var out []Flag
	for _, f := range []struct {
		field     string
		en, zh    string
		now, then int64
	}{
		{"beds_total", "beds", "床位总数", cur.BedsTotal, prev.BedsTotal},
		{"beds_nursing", "nursing beds", "护理型床位", cur.BedsNursing, prev.BedsNursing},
		{"beds_occupied", "occupied beds", "已入住床位", cur.BedsOccupied, prev.BedsOccupied},
		{"places_total", "childcare places", "托位总数", cur.PlacesTotal, prev.PlacesTotal},
		{"children_enrolled", "children enrolled", "在托婴幼儿", cur.ChildrenEnrolled, prev.ChildrenEnrolled},
		{"visits", "visits", "探访人次", cur.Visits, prev.Visits},
	} {
		d := f.now - f.then
		if f.then <= 0 || 2*max(d, -d) <= f.then {
			continue
		}
		out = append(out, Flag{Code: FlagBigChange, Field: f.field, Value: f.now, Previous: f.then,
			En: fmt.Sprintf("%s changed from %d to %d, by more than half", f.en, f.then, f.now),
			Zh: fmt.Sprintf("%s由%d变为%d，变化超过一半", f.zh, f.then, f.now)})
	}
	return out
}

func sortCodes(cs []schema.Code) { sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] }) }
