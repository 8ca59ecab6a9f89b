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
	// keys are the name's pinyin keys (pinyin.go), made when the row is
	// loaded or first searched or sorted; a row built with a new name
	// leaves them empty.
	keys nameKeys
}

// searchKeys returns the name's pinyin keys, making them the first time.
func (f *Facility) searchKeys() *nameKeys {
	if f.keys.key == "" && f.Name != "" {
		f.keys = makeNameKeys(f.Name, false)
	}
	return &f.keys
}

// CompareFacilities is the order of the facilities list: by village
// (unit code), then by the pinyin of the name (CompareNames), then by id.
// The list's full sort and its insertion of a saved row both use it, so
// they cannot disagree.
func CompareFacilities(a, b *Facility) int {
	if c := strings.Compare(string(a.Unit), string(b.Unit)); c != 0 {
		return c
	}
	if c := compareNames(a.searchKeys().key, b.searchKeys().key, a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// FacilityFilter selects facilities for the list; zero fields match all.
type FacilityFilter struct {
	// Text is part of the name, also as pinyin or its initials (jly for
	// 敬老院), or part of the address.
	Text   string
	Kind   schema.FacilityKind
	Unit   schema.Code
	Status schema.FacilityStatus
}

// Match reports whether f passes the filter. A list filters with a
// Matcher, which prepares the text once.
func (ff FacilityFilter) Match(f *Facility) bool {
	m := ff.Matcher()
	return m.Match(f)
}

// FacilityMatcher is a FacilityFilter prepared for matching many rows.
type FacilityMatcher struct {
	ff    FacilityFilter
	name  nameQuery
	upper string // the text with ASCII letters upper-cased, for the address
}

// Matcher prepares the filter for matching every row of a list on a
// keystroke: matching then allocates nothing.
func (ff FacilityFilter) Matcher() FacilityMatcher {
	m := FacilityMatcher{ff: ff, upper: upperASCII(ff.Text)}
	for _, r := range ff.Text {
		m.name.add(r)
	}
	return m
}

// Match reports whether f passes the filter. It may make f's search key
// (see Facility), so f must be the list's own row.
func (m *FacilityMatcher) Match(f *Facility) bool {
	ff := &m.ff
	return (ff.Kind == "" || f.Kind == ff.Kind) &&
		(ff.Unit == "" || f.Unit == ff.Unit) &&
		(ff.Status == "" || f.Status == ff.Status) &&
		(ff.Text == "" || m.name.match(f.Name, f.searchKeys()) || containsFold(f.Address, m.upper))
}

// LoadFacilities reads the area's live facilities in CompareFacilities
// order: by village, then by the pinyin of the name.
func LoadFacilities(st *agent.Store, area schema.Code) ([]Facility, error) {
	var out []Facility
	err := st.List(schema.KindFacility, area, func(r *schema.Record) error {
		f := Facility{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&f.Facility); err != nil {
			return fmt.Errorf("facility %s: %w", r.ID, err)
		}
		f.searchKeys()
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load facilities of %s: %w", area, err)
	}
	sort.Slice(out, func(i, j int) bool { return CompareFacilities(&out[i], &out[j]) < 0 })
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
	// keys are the name's pinyin keys, its first character read as a
	// surname (pinyin.go), made when the row is loaded or first searched
	// or sorted; a row built with a new name leaves them empty.
	keys nameKeys
}

// searchKeys returns the name's pinyin keys, making them the first time.
func (p *Person) searchKeys() *nameKeys {
	if p.keys.key == "" && p.Name != "" {
		p.keys = makeNameKeys(p.Name, true)
	}
	return &p.keys
}

// ComparePersons orders persons by village (unit code), then by the
// pinyin of the name, the surname read as a surname (曾国藩 under z),
// then by id.
func ComparePersons(a, b *Person) int {
	if c := strings.Compare(string(a.Unit), string(b.Unit)); c != 0 {
		return c
	}
	if c := compareNames(a.searchKeys().key, b.searchKeys().key, a.Name, b.Name); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// needsVisit reports whether a person is one the visit rates count: an
// elderly person in a special-difficulty category or a newborn.
func needsVisit(p *schema.Person) bool {
	if p.Left() {
		return false // died or moved away: nobody is due to visit them
	}
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
	row := Person{ID: id, Unit: unit, Person: p, Due: needsVisit(&p)}
	row.searchKeys()
	return row
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

// PersonMatch reports whether a person matches a search (see
// PersonQuery). A list prepares the query once with NewPersonQuery.
func PersonMatch(p *Person, text string) bool {
	q := NewPersonQuery(text)
	return q.Match(p)
}

// PersonQuery is a search of the persons list, prepared once per
// keystroke. What is typed is part of the name — as characters, as
// pinyin, as initials, or mixed: 张三, zs, zhangsan, zhang san, 张s — and
// runs of digits (with a final X), each of which must occur in the ID
// number: "zs 1957" finds 张三 born in 1957.
type PersonQuery struct {
	name nameQuery
	ids  []string // upper case
}

// NewPersonQuery prepares a search typed into the persons list.
func NewPersonQuery(text string) PersonQuery {
	var q PersonQuery
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := narrow(rs[i])
		switch {
		case r >= '0' && r <= '9':
			j := i
			for j < len(rs) && narrow(rs[j]) >= '0' && narrow(rs[j]) <= '9' {
				j++
			}
			if j < len(rs) && (narrow(rs[j]) == 'x' || narrow(rs[j]) == 'X') {
				j++
			}
			id := make([]byte, 0, j-i)
			for _, d := range rs[i:j] {
				id = append(id, byte(narrow(d)))
			}
			q.ids = append(q.ids, upperASCII(string(id)))
			i = j - 1
		default:
			q.name.add(r)
		}
	}
	return q
}

// Match reports whether p matches the query, without allocating. It may
// make p's search key (see Person), so p must be the list's own row.
func (q *PersonQuery) Match(p *Person) bool {
	for _, id := range q.ids {
		if !containsFold(p.IDNumber, id) {
			return false
		}
	}
	return q.name.match(p.Name, p.searchKeys())
}

// LoadPersons reads the area's persons and their visits, with the persons
// who still need a visit this month first, then in ComparePersons order:
// by village, then by the pinyin of the name.
func LoadPersons(st *agent.Store, area schema.Code, month string) ([]Person, error) {
	var out []Person
	err := st.List(schema.KindPerson, area, func(r *schema.Record) error {
		p := Person{ID: r.ID, Unit: r.Unit}
		if err := r.Decode(&p.Person); err != nil {
			return fmt.Errorf("person %s: %w", r.ID, err)
		}
		p.searchKeys()
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
	vi := indexVisits(resolveVisits(visits, mergedPersons(out)))
	for i := range out {
		p := &out[i]
		// A merged duplicate is visited on its survivor.
		p.Due = needsVisit(&p.Person) && p.MergedInto == ""
		for _, v := range vi.byPerson[p.ID] {
			p.NoteVisit(v.Visit, month)
		}
	}
	sort.Slice(out, func(i, j int) bool { return ComparePersons(&out[i], &out[j]) < 0 })
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
	recs, merged, err := visitsWithMerged(st, personID)
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
	for _, v := range indexVisits(resolveVisits(vs, merged)).byPerson[personID] {
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
