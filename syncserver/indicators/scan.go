package indicators

import (
	"bytes"
	"fmt"

	"laoxiao/schema"
)

type personRec struct {
	town   *townAcc
	facts  schema.PersonFacts
	visits [3]int // counted visits per measuredVisits slot
}

type facilityRec struct {
	id    string
	unit  schema.Code
	town  *townAcc
	facts schema.FacilityFacts
}

// capRec is a facility's latest capacity report: the month and the
// figures the rules read, and its id for the lineage (Engine.Counted).
type capRec struct {
	month int // monthIndex of the period
	fig   schema.Capacity
	id    string
}

type visitRec struct {
	id       string
	person   *personRec // when the person was scanned before the visit
	personID string     // otherwise
	slot     int        // in measuredVisits
}

// popRec is a unit's latest population record not after the report year.
type popRec struct {
	year                                       int64
	resident, aged60, aged65, aged0to3, births int64
}

type repKey struct {
	unit      schema.Code
	indicator string
}

// repRec is a unit's latest reported value for an indicator.
type repRec struct {
	end        int // monthIndex of the period's last month
	year       bool
	period     string
	value      float64
	department string
}

// UnitTarget is a target record and the unit it is set for.
type UnitTarget struct {
	Unit   schema.Code
	ID     string
	Target schema.Target
}

// scanState is what one scan (a county, or a unit's own records) leaves
// behind: compact extracts of the records the measures read, resolved
// into township partials by finish.
type scanState struct {
	period Period
	scope  schema.Code

	towns    map[schema.Code]*townAcc
	lastTown *townAcc

	facilities []facilityRec
	caps       map[string]*capRec
	persons    map[string]*personRec
	visits     []visitRec
	// merged maps a merged duplicate person's or facility's id to its
	// survivor; finish resolves visits and capacity reports through it.
	merged schema.Redirects
	// movedFrom lists the units outside the scope that persons in it
	// were moved from, whose visits count for them (moved.go).
	movedFrom []schema.Code
	// movedIn lists the units scanMovedIn read: a change in one of them
	// reaches this scan (incremental.go).
	movedIn    []schema.Code
	superseded map[string]bool
	pops       map[schema.Code]popRec
	reported   map[repKey]repRec
	targets    []UnitTarget
	own        map[schema.Code]int // live non-target records of units above townships
	scanned    int
}

func newScanState(scope schema.Code, p Period) *scanState {
	return &scanState{period: p, scope: scope, towns: map[schema.Code]*townAcc{},
		caps: map[string]*capRec{}, persons: map[string]*personRec{}, superseded: map[string]bool{}, merged: schema.Redirects{},
		pops: map[schema.Code]popRec{}, reported: map[repKey]repRec{}, own: map[schema.Code]int{}}
}

// town returns the accumulator of the township a unit lies in. Records
// arrive ordered by unit, so the last township is nearly always the one.
func (s *scanState) town(unit []byte) *townAcc {
	t := unit[:9]
	if s.lastTown != nil && string(s.lastTown.code) == string(t) {
		return s.lastTown
	}
	acc := s.towns[schema.Code(t)]
	if acc == nil {
		acc = &townAcc{code: schema.Code(string(t))}
		s.towns[acc.code] = acc
	}
	s.lastTown = acc
	return acc
}

// add takes one record of the scan.
func (s *scanState) add(v *schema.RecordView) error {
	s.scanned++
	if v.Deleted {
		s.moved(v)
		return nil
	}
	if !within(v.Unit, s.scope) {
		return nil
	}
	ki := kindIndex(v.Kind)
	if ki < 0 {
		return nil // a kind this server does not know yet
	}
	kind := schema.Kinds[ki]
	var town *townAcc
	if len(v.Unit) >= 9 {
		town = s.town(v.Unit)
		town.byKind[ki]++
		// Targets and locks are set from above: not a unit's own data.
		if !kind.FlowsDown() {
			town.records++
		}
	} else if !kind.FlowsDown() {
		s.own[schema.Code(string(v.Unit))]++
	}
	switch kind {
	case schema.KindFacility:
		if town != nil {
			s.facility(v, town)
		}
	case schema.KindCapacity:
		s.capacity(v)
	case schema.KindPerson:
		if town != nil {
			s.person(v, town)
		}
	case schema.KindVisit:
		s.visit(v)
	case schema.KindPopulation:
		s.population(v)
	case schema.KindReported:
		s.reportedValue(v)
	case schema.KindTarget:
		return s.target(v)
	}
	return nil
}

func (s *scanState) facility(v *schema.RecordView, town *townAcc) {
	var f facilityRec
	var kind []byte
	operating := false
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "kind":
			kind = schema.FieldText(it.Value)
		case "status":
			operating = string(schema.FieldText(it.Value)) == string(schema.StatusOperating)
		case "ownership":
			f.facts.Ownership = schema.Ownership(schema.FieldText(it.Value))
		case "filing":
			f.facts.Filing = schema.Filing(schema.FieldText(it.Value))
		case "inclusive":
			f.facts.Inclusive = schema.FieldBool(it.Value)
		case "demo":
			f.facts.Demo = schema.FieldBool(it.Value)
		case "merged_into":
			if to := schema.FieldText(it.Value); len(to) > 0 {
				s.merged[string(v.ID)] = string(to)
				return // a duplicate counts through its survivor only
			}
		}
	}
	if !operating {
		return
	}
	info, ok := schema.FacilityKind(kind).Info()
	if !ok {
		return
	}
	f.id, f.unit, f.town, f.facts.Info = string(v.ID), schema.Code(string(v.Unit)), town, info
	s.facilities = append(s.facilities, f)
}

func (s *scanState) capacity(v *schema.RecordView) {
	var fid []byte
	c := capRec{month: -1}
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "facility":
			fid = schema.FieldText(it.Value)
		case "period":
			c.month = monthIndex(schema.FieldText(it.Value))
		case "beds_total":
			c.fig.BedsTotal = schema.FieldInt(it.Value)
		case "beds_nursing":
			c.fig.BedsNursing = schema.FieldInt(it.Value)
		case "places_total":
			c.fig.PlacesTotal = schema.FieldInt(it.Value)
		case "places_inclusive":
			c.fig.PlacesInclusive = schema.FieldInt(it.Value)
		case "care_staff":
			c.fig.CareStaff = schema.FieldInt(it.Value)
		case "certified_staff":
			c.fig.CertifiedStaff = schema.FieldInt(it.Value)
		}
	}
	if c.month < 0 || c.month > s.period.lastMonthIndex() || len(fid) == 0 {
		return
	}
	// The id is copied only for the report kept, not for every one read.
	if cur := s.caps[string(fid)]; cur != nil {
		if c.month > cur.month {
			*cur = c
			cur.id = string(v.ID)
		}
		return
	}
	c.id = string(v.ID)
	s.caps[string(fid)] = &c
}

func (s *scanState) person(v *schema.RecordView, town *townAcc) {
	p := &personRec{town: town}
	var status, leftOn []byte
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "status":
			status = schema.FieldText(it.Value)
		case "left_on":
			leftOn = schema.FieldText(it.Value)
		case "categories":
			schema.EachFieldText(it.Value, func(c []byte) {
				p.facts.AddCategory(schema.PersonCategory(c))
			})
		case "support_mode":
			p.facts.Centralized = string(schema.FieldText(it.Value)) == string(schema.SupportCentralized)
		case "wants_centralized":
			p.facts.WantsCentralized = schema.FieldBool(it.Value)
		case "merged_into", "moved_to":
			if to := schema.FieldText(it.Value); len(to) > 0 {
				s.merged[string(v.ID)] = string(to)
				return // a duplicate, or a moved record, counts through the record it points to only
			}
		case "moved_from_unit":
			s.noteMovedFrom(schema.FieldText(it.Value))
		}
	}
	if len(status) > 0 && schema.LeftBefore(schema.PersonStatus(status), string(leftOn), s.period.String()) {
		return // died or moved away before the period: not counted in it
	}
	s.persons[string(v.ID)] = p
}

// moved notes the pointers of a deleted person within the scope: one
// moved to another township (schema/moved.go), whose visits count for
// the new record.
func (s *scanState) moved(v *schema.RecordView) {
	if string(v.Kind) == string(schema.KindPerson) && within(v.Unit, s.scope) {
		s.movedPointers(v)
	}
}

func (s *scanState) visit(v *schema.RecordView) {
	var person, date, kind []byte
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "person":
			person = schema.FieldText(it.Value)
		case "date":
			date = schema.FieldText(it.Value)
		case "kind":
			kind = schema.FieldText(it.Value)
		case "supersedes":
			if old := schema.FieldText(it.Value); len(old) > 0 {
				s.superseded[string(old)] = true
			}
		}
	}
	slot := -1
	for i, k := range measuredVisits {
		if string(kind) == string(k) { // compared in place: a million visits, no copies
			slot = i
		}
	}
	if slot < 0 || len(person) == 0 || !s.inWindow(measuredVisits[slot].Window(), date) {
		return
	}
	r := visitRec{id: string(v.ID), slot: slot}
	if p := s.persons[string(person)]; p != nil {
		r.person = p
	} else {
		r.personID = string(person)
	}
	s.visits = append(s.visits, r)
}

// inWindow reports whether a visit dated date lies in the window of the
// report period (schema.VisitWindow).
func (s *scanState) inWindow(w schema.VisitWindow, date []byte) bool {
	switch w {
	case schema.WindowLastMonth:
		return dateMonthIndex(date) == s.period.lastMonthIndex()
	case schema.WindowPeriod:
		m := dateMonthIndex(date)
		return m >= s.period.firstMonthIndex() && m <= s.period.lastMonthIndex()
	case schema.WindowEver:
		return len(date) > 0
	case schema.WindowYearToDate:
		m := dateMonthIndex(date)
		return m >= s.period.Year*12 && m <= s.period.lastMonthIndex()
	}
	return false
}

func (s *scanState) population(v *schema.RecordView) {
	var r popRec
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "year":
			r.year = schema.FieldInt(it.Value)
		case "resident":
			r.resident = schema.FieldInt(it.Value)
		case "aged60":
			r.aged60 = schema.FieldInt(it.Value)
		case "aged65":
			r.aged65 = schema.FieldInt(it.Value)
		case "aged0_3":
			r.aged0to3 = schema.FieldInt(it.Value)
		case "births":
			r.births = schema.FieldInt(it.Value)
		}
	}
	if r.year == 0 || r.year > int64(s.period.Year) {
		return
	}
	unit := schema.Code(string(v.Unit))
	if cur, ok := s.pops[unit]; !ok || r.year > cur.year {
		s.pops[unit] = r
	}
}

func (s *scanState) reportedValue(v *schema.RecordView) {
	var r repRec
	var ind string
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "indicator":
			ind = string(schema.FieldText(it.Value))
		case "period":
			r.period = string(schema.FieldText(it.Value))
		case "value":
			r.value = schema.FieldNumber(it.Value)
		case "department":
			r.department = string(schema.FieldText(it.Value))
		}
	}
	switch {
	case len(r.period) == 4:
		y, ok := digits([]byte(r.period))
		if !ok {
			return
		}
		r.end, r.year = y*12+11, true
	default:
		r.end = monthIndex([]byte(r.period))
	}
	if r.end < 0 || r.end > s.period.lastMonthIndex() || ind == "" {
		return
	}
	k := repKey{schema.Code(string(v.Unit)), ind}
	// The latest period wins; a year and its December end together, and
	// the year's own figure is preferred as the one that speaks for it.
	if cur, ok := s.reported[k]; !ok || r.end > cur.end || (r.end == cur.end && r.year && !cur.year) {
		s.reported[k] = r
	}
}

func (s *scanState) target(v *schema.RecordView) error {
	f := schema.Fields{}
	for it := v.Fields(); it.Next(); {
		f[string(it.Name)] = bytes.Clone(it.Value)
	}
	var t schema.Target
	if err := schema.DecodeFields(f, &t); err != nil {
		return fmt.Errorf("target %s: %w", v.ID, err)
	}
	s.targets = append(s.targets, UnitTarget{Unit: schema.Code(string(v.Unit)), ID: string(v.ID), Target: t})
	return nil
}

// within is schema.Code.Within for a code still in the record's bytes.
func within(unit []byte, scope schema.Code) bool {
	switch len(unit) {
	case 2, 4, 6, 9, 12:
	default:
		return false
	}
	for _, c := range unit {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(unit) >= len(scope) && string(unit[:len(scope)]) == string(scope)
}
