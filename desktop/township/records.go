package township

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Facility is a facility record with its id and unit.
type Facility struct {
	ID   string
	Unit schema.Code
	schema.Facility
}

// FacilityFilter selects facilities for the list; zero fields match all.
type FacilityFilter struct {
	Text   string // part of the name or the address
	Kind   schema.FacilityKind
	Unit   schema.Code
	Status schema.FacilityStatus
}

// Match reports whether f passes the filter.
func (ff FacilityFilter) Match(f *Facility) bool {
	return (ff.Kind == "" || f.Kind == ff.Kind) &&
		(ff.Unit == "" || f.Unit == ff.Unit) &&
		(ff.Status == "" || f.Status == ff.Status) &&
		(ff.Text == "" || contains(f.Name, ff.Text) || contains(f.Address, ff.Text))
}

// LoadFacilities reads the area's live facilities, by village then name.
func LoadFacilities(st *agent.Store, area schema.Code) ([]Facility, error) {
	var out []Facility
	err := st.List(schema.KindFacility, area, func(r *schema.Record) error {
		f := Facility{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&f.Facility); err != nil {
			return fmt.Errorf("facility %s: %w", r.ID, err)
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load facilities of %s: %w", area, err)
	}
	sortByUnitThenName(out, func(f Facility) schema.Code { return f.Unit }, func(f Facility) string { return f.Name })
	return out, nil
}

// CapacityRow is one facility's line of the monthly capacity sheet.
type CapacityRow struct {
	Facility Facility
	// Current is the facility's report for the month; Has says whether
	// one exists (a zero report and no report are different things).
	Current schema.Capacity
	Has     bool
	// Previous is the report of the month before, shown for comparison.
	Previous schema.Capacity
	HasPrev  bool
}

// LoadCapacity reads the reports of month and the month before for each
// facility. Closed facilities are left out unless they have a report for
// the month: nobody reports beds for a closed home, but a report entered
// before it closed must stay visible and correctable.
func LoadCapacity(st *agent.Store, facilities []Facility, month string) ([]CapacityRow, error) {
	prev := PrevMonth(month)
	out := make([]CapacityRow, 0, len(facilities))
	for _, f := range facilities {
		row := CapacityRow{Facility: f}
		var err error
		if row.Has, err = getCapacity(st, f.ID, month, &row.Current); err != nil {
			return nil, err
		}
		if prev != "" {
			if row.HasPrev, err = getCapacity(st, f.ID, prev, &row.Previous); err != nil {
				return nil, err
			}
		}
		if f.Status == schema.StatusClosed && !row.Has {
			continue
		}
		out = append(out, row)
	}
	return out, nil
}

func getCapacity(st *agent.Store, facility, month string, c *schema.Capacity) (bool, error) {
	r, err := st.Get(schema.KindCapacity, schema.CapacityID(facility, month))
	if errors.Is(err, agent.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load capacity report: %w", err)
	}
	if err := r.Decode(c); err != nil {
		return false, fmt.Errorf("capacity %s: %w", r.ID, err)
	}
	return true, nil
}

// Person is a served person with what the visit list needs to know.
type Person struct {
	ID   string
	Unit schema.Code
	schema.Person
	// LastVisit is the date of the person's latest counted visit.
	LastVisit string
	// Due says the person still needs a visit: an elderly person in
	// special difficulty without a monthly visit (月探访) dated this month,
	// or a newborn without a newborn visit (新生儿访视) — the same visits
	// the visit-rate indicators count.
	Due bool
}

// needsVisit reports whether a person is one the visit rates count: an
// elderly person in a special-difficulty category or a newborn.
func needsVisit(p *schema.Person) bool {
	for _, c := range p.Categories {
		if c == schema.CatNewborn || c.SpecialDifficulty() {
			return true
		}
	}
	return false
}

// NewPersonRow is the row of a person just registered, who has no visit
// yet.
func NewPersonRow(id string, unit schema.Code, p schema.Person) Person {
	return Person{ID: id, Unit: unit, Person: p, Due: needsVisit(&p)}
}

// NoteVisit updates the row with a counted visit: after loading, and
// after the user records one, so the list need not be read again.
func (p *Person) NoteVisit(v schema.Visit, month string) {
	p.LastVisit = max(p.LastVisit, v.Date)
	switch {
	case p.Has(schema.CatNewborn):
		if v.Kind == schema.VisitNewborn {
			p.Due = false
		}
	case v.Kind == schema.VisitMonthly && strings.HasPrefix(v.Date, month+"-"):
		p.Due = false
	}
}

// PersonMatch reports whether a person matches a search: part of the name
// or of the ID number.
func PersonMatch(p *Person, text string) bool {
	return text == "" || contains(p.Name, text) || contains(p.IDNumber, text)
}

// LoadPersons reads the area's persons and their visits, with the persons
// who still need a visit this month first, then by village and name.
func LoadPersons(st *agent.Store, area schema.Code, month string) ([]Person, error) {
	var out []Person
	err := st.List(schema.KindPerson, area, func(r *schema.Record) error {
		p := Person{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&p.Person); err != nil {
			return fmt.Errorf("person %s: %w", r.ID, err)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load persons of %s: %w", area, err)
	}
	visits, err := loadVisits(st, area)
	if err != nil {
		return nil, err
	}
	vi := indexVisits(visits)
	for i := range out {
		p := &out[i]
		p.Due = needsVisit(&p.Person)
		for _, v := range vi.byPerson[p.ID] {
			p.NoteVisit(v.Visit, month)
		}
	}
	sortByUnitThenName(out, func(p Person) schema.Code { return p.Unit }, func(p Person) string { return p.Name })
	// Stable: within the due and the not-due group the village order holds.
	due := make([]Person, 0, len(out))
	rest := make([]Person, 0, len(out))
	for _, p := range out {
		if p.Due {
			due = append(due, p)
		} else {
			rest = append(rest, p)
		}
	}
	return append(due, rest...), nil
}

// Visit is a visit record with its id and unit.
type Visit struct {
	ID   string
	Unit schema.Code
	schema.Visit
}

// loadVisits reads the area's visits for counting: who, when, what kind
// and what they correct. The free text (visitor, outcome, note) is
// dropped, because a township's years of visits are most of its records
// and the lists never show it; VisitsOf reads a person's in full.
func loadVisits(st *agent.Store, area schema.Code) ([]Visit, error) {
	var out []Visit
	err := st.List(schema.KindVisit, area, func(r *schema.Record) error {
		v := Visit{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&v.Visit); err != nil {
			return fmt.Errorf("visit %s: %w", r.ID, err)
		}
		v.Visitor, v.Outcome, v.Note = "", "", ""
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load visits of %s: %w", area, err)
	}
	return out, nil
}

// VisitsOf returns a person's counted visits, newest first, for the
// person's history.
func VisitsOf(st *agent.Store, personID string) ([]Visit, error) {
	all, err := VisitHistory(st, personID)
	if err != nil {
		return nil, err
	}
	out := make([]Visit, 0, len(all))
	for _, v := range all {
		if !v.Corrected {
			out = append(out, v.Visit)
		}
	}
	return out, nil
}

// HistoryVisit is one of a person's visits as the history lists it.
type HistoryVisit struct {
	Visit
	// Corrected is set when a counted visit supersedes this one: the
	// history shows it as 已更正 and no rate counts it (schema/measure.go).
	Corrected bool
}

// VisitHistory returns every visit of a person, corrected ones included
// and marked, newest first: staff correcting a visit want to see what
// they corrected.
func VisitHistory(st *agent.Store, personID string) ([]HistoryVisit, error) {
	recs, err := st.VisitsOf(personID)
	if err != nil {
		return nil, err
	}
	vs := make([]Visit, 0, len(recs))
	for _, r := range recs {
		v := Visit{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&v.Visit); err != nil {
			return nil, fmt.Errorf("visit %s: %w", r.ID, err)
		}
		vs = append(vs, v)
	}
	counted := map[string]bool{}
	for _, v := range indexVisits(vs).byPerson[personID] {
		counted[v.ID] = true
	}
	out := make([]HistoryVisit, len(vs))
	for i, v := range vs {
		out[i] = HistoryVisit{Visit: v, Corrected: !counted[v.ID]}
	}
	// By visit date, not entry order: visits are often typed in days
	// after they were made.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date > out[j].Date
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// PopulationRow is one unit's line of the population sheet.
type PopulationRow struct {
	Unit  schema.Unit
	Value schema.Population
	Has   bool
}

// LoadPopulation reads the population records of year for the area and
// each of its villages, one row per unit whether entered or not.
func LoadPopulation(st *agent.Store, area Area, year int64) ([]PopulationRow, error) {
	rows := make([]PopulationRow, len(area.Units))
	for i, u := range area.Units {
		rows[i] = PopulationRow{Unit: u, Value: schema.Population{Year: year}}
		r, err := st.Get(schema.KindPopulation, schema.PopulationID(u.Code, year))
		if errors.Is(err, agent.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load population: %w", err)
		}
		if err := r.Decode(&rows[i].Value); err != nil {
			return nil, fmt.Errorf("population %s: %w", r.ID, err)
		}
		rows[i].Has = true
	}
	return rows, nil
}

// Targets returns the targets set for the area unit itself, the latest
// target year per indicator: a plan's 2025 target replaces its 2022 one.
func Targets(st *agent.Store, area schema.Code) (map[string]schema.Target, error) {
	out := map[string]schema.Target{}
	err := st.List(schema.KindTarget, area, func(r *schema.Record) error {
		if r.Unit != area {
			return nil
		}
		var t schema.Target
		if err := r.Decode(&t); err != nil {
			return fmt.Errorf("target %s: %w", r.ID, err)
		}
		if cur, ok := out[t.Indicator]; !ok || t.Year > cur.Year {
			out[t.Indicator] = t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load targets of %s: %w", area, err)
	}
	return out, nil
}

// Reported returns the values departments entered for the area unit
// itself, the latest period per indicator, for indicators nobody can
// compute from records.
func Reported(st *agent.Store, area schema.Code) (map[string]schema.Reported, error) {
	out := map[string]schema.Reported{}
	err := st.List(schema.KindReported, area, func(r *schema.Record) error {
		if r.Unit != area {
			return nil
		}
		var v schema.Reported
		if err := r.Decode(&v); err != nil {
			return fmt.Errorf("reported value %s: %w", r.ID, err)
		}
		if cur, ok := out[v.Indicator]; !ok || v.Period > cur.Period {
			out[v.Indicator] = v
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load reported values of %s: %w", area, err)
	}
	return out, nil
}
