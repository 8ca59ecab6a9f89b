package indicators

import (
	"bytes"
	"fmt"

	"laoxiao/schema"
)

// Person flags.
const (
	pSpecial uint8 = 1 << iota
	pDisabled
	pTekun
	pNewborn
	pCentralized
	pWantsCentralized
)

// Visit kinds that a measure counts, as bits.
const (
	vMonthly uint8 = 1 << iota // 月探访 dated in the report month
	vSupport                   // 失能老人帮扶 dated in the report period
	vNewborn                   // 新生儿访视, any date
)

type personRec struct {
	town    *townAcc
	flags   uint8
	visited uint8
	visits  [3]int // counted visits per bit above
}

type facilityRec struct {
	id         string
	unit       schema.Code
	town       *townAcc
	info       schema.FacilityKindInfo
	inclusive  bool
	demo       bool
	filed      bool
	socialized bool
}

type capRec struct {
	month                             int // monthIndex of the period
	beds, nursing, places, placesIncl int64
	careStaff, certifiedStaff         int64
}

type visitRec struct {
	id       string
	person   *personRec // when the person was scanned before the visit
	personID string     // otherwise
	bit      uint8
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
	superseded map[string]bool
	pops       map[schema.Code]popRec
	reported   map[repKey]repRec
	targets    []UnitTarget
	own        map[schema.Code]int // live non-target records of units above townships
	scanned    int
}

func newScanState(scope schema.Code, p Period) *scanState {
	return &scanState{period: p, scope: scope, towns: map[schema.Code]*townAcc{},
		caps: map[string]*capRec{}, persons: map[string]*personRec{}, superseded: map[string]bool{},
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
		if kind != schema.KindTarget {
			town.records++
		}
	} else if kind != schema.KindTarget {
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
			o := string(schema.FieldText(it.Value))
			f.socialized = o == string(schema.OwnPublicPrivate) || o == string(schema.OwnPrivate)
		case "filing":
			f.filed = string(schema.FieldText(it.Value)) == string(schema.FilingFiled)
		case "inclusive":
			f.inclusive = schema.FieldBool(it.Value)
		case "demo":
			f.demo = schema.FieldBool(it.Value)
		}
	}
	if !operating {
		return
	}
	info, ok := schema.FacilityKind(kind).Info()
	if !ok {
		return
	}
	f.id, f.unit, f.town, f.info = string(v.ID), schema.Code(string(v.Unit)), town, info
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
			c.beds = schema.FieldInt(it.Value)
		case "beds_nursing":
			c.nursing = schema.FieldInt(it.Value)
		case "places_total":
			c.places = schema.FieldInt(it.Value)
		case "places_inclusive":
			c.placesIncl = schema.FieldInt(it.Value)
		case "care_staff":
			c.careStaff = schema.FieldInt(it.Value)
		case "certified_staff":
			c.certifiedStaff = schema.FieldInt(it.Value)
		}
	}
	if c.month < 0 || c.month > s.period.lastMonthIndex() || len(fid) == 0 {
		return
	}
	if cur := s.caps[string(fid)]; cur != nil {
		if c.month > cur.month {
			*cur = c
		}
		return
	}
	s.caps[string(fid)] = &c
}

func (s *scanState) person(v *schema.RecordView, town *townAcc) {
	p := &personRec{town: town}
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "categories":
			schema.EachFieldText(it.Value, func(c []byte) {
				switch string(c) {
				case string(schema.CatNewborn):
					p.flags |= pNewborn
				case string(schema.CatDisabled):
					p.flags |= pDisabled | pSpecial
				case string(schema.CatTekun):
					p.flags |= pTekun | pSpecial
				case string(schema.CatAlone), string(schema.CatEmptyNest), string(schema.CatLeftBehind),
					string(schema.CatOldest), string(schema.CatFamilyPlan):
					p.flags |= pSpecial
				}
			})
		case "support_mode":
			if string(schema.FieldText(it.Value)) == string(schema.SupportCentralized) {
				p.flags |= pCentralized
			}
		case "wants_centralized":
			if schema.FieldBool(it.Value) {
				p.flags |= pWantsCentralized
			}
		}
	}
	s.persons[string(v.ID)] = p
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
	var bit uint8
	switch string(kind) {
	case string(schema.VisitMonthly):
		if dateMonthIndex(date) == s.period.lastMonthIndex() {
			bit = vMonthly
		}
	case string(schema.VisitDisabledSupport):
		if m := dateMonthIndex(date); m >= s.period.firstMonthIndex() && m <= s.period.lastMonthIndex() {
			bit = vSupport
		}
	case string(schema.VisitNewborn):
		if len(date) > 0 {
			bit = vNewborn
		}
	}
	if bit == 0 || len(person) == 0 {
		return
	}
	r := visitRec{id: string(v.ID), bit: bit}
	if p := s.persons[string(person)]; p != nil {
		r.person = p
	} else {
		r.personID = string(person)
	}
	s.visits = append(s.visits, r)
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
