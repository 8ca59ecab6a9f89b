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
func (s *scanState) add(v *recordView) error {
	s.scanned++
	if v.deleted {
		return nil
	}
	if !within(v.unit, s.scope) {
		return nil
	}
	ki := kindIndex(v.kind)
	if ki < 0 {
		return nil // a kind this server does not know yet
	}
	kind := schema.Kinds[ki]
	var town *townAcc
	if len(v.unit) >= 9 {
		town = s.town(v.unit)
		town.byKind[ki]++
		if kind != schema.KindTarget {
			town.records++
		}
	} else if kind != schema.KindTarget {
		s.own[schema.Code(string(v.unit))]++
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

func (s *scanState) facility(v *recordView, town *townAcc) {
	var f facilityRec
	var kind []byte
	operating := false
	for it := v.iter(); it.next(); {
		switch string(it.name) {
		case "kind":
			kind = str(it.val)
		case "status":
			operating = string(str(it.val)) == string(schema.StatusOperating)
		case "ownership":
			o := string(str(it.val))
			f.socialized = o == string(schema.OwnPublicPrivate) || o == string(schema.OwnPrivate)
		case "filing":
			f.filed = string(str(it.val)) == string(schema.FilingFiled)
		case "inclusive":
			f.inclusive = flag(it.val)
		case "demo":
			f.demo = flag(it.val)
		}
	}
	if !operating {
		return
	}
	info, ok := schema.FacilityKind(kind).Info()
	if !ok {
		return
	}
	f.id, f.unit, f.town, f.info = string(v.id), schema.Code(string(v.unit)), town, info
	s.facilities = append(s.facilities, f)
}

func (s *scanState) capacity(v *recordView) {
	var fid []byte
	c := capRec{month: -1}
	for it := v.iter(); it.next(); {
		switch string(it.name) {
		case "facility":
			fid = str(it.val)
		case "period":
			c.month = monthIndex(str(it.val))
		case "beds_total":
			c.beds = i64(it.val)
		case "beds_nursing":
			c.nursing = i64(it.val)
		case "places_total":
			c.places = i64(it.val)
		case "places_inclusive":
			c.placesIncl = i64(it.val)
		case "care_staff":
			c.careStaff = i64(it.val)
		case "certified_staff":
			c.certifiedStaff = i64(it.val)
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

func (s *scanState) person(v *recordView, town *townAcc) {
	p := &personRec{town: town}
	for it := v.iter(); it.next(); {
		switch string(it.name) {
		case "categories":
			eachStr(it.val, func(c []byte) {
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
			if string(str(it.val)) == string(schema.SupportCentralized) {
				p.flags |= pCentralized
			}
		case "wants_centralized":
			if flag(it.val) {
				p.flags |= pWantsCentralized
			}
		}
	}
	s.persons[string(v.id)] = p
}

func (s *scanState) visit(v *recordView) {
	var person, date, kind []byte
	for it := v.iter(); it.next(); {
		switch string(it.name) {
		case "person":
			person = str(it.val)
		case "date":
			date = str(it.val)
		case "kind":
			kind = str(it.val)
		case "supersedes":
			if old := str(it.val); len(old) > 0 {
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
	r := visitRec{id: string(v.id), bit: bit}
	if p := s.persons[string(person)]; p != nil {
		r.person = p
	} else {
		r.personID = string(person)
	}
	s.visits = append(s.visits, r)
}

func (s *scanState) population(v *recordView) {
	var r popRec
	for it := v.iter(); it.next(); {
		switch string(it.name) {
		case "year":
			r.year = i64(it.val)
		case "resident":
			r.resident = i64(it.val)
		case "aged60":
			r.aged60 = i64(it.val)
		case "aged65":
			r.aged65 = i64(it.val)
		case "aged0_3":
			r.aged0to3 = i64(it.val)
		case "births":
			r.births = i64(it.val)
		}
	}
	if r.year == 0 || r.year > int64(s.period.Year) {
		return
	}
	unit := schema.Code(string(v.unit))
	if cur, ok := s.pops[unit]; !ok || r.year > cur.year {
		s.pops[unit] = r
	}
}

func (s *scanState) reportedValue(v *recordView) {
	var r repRec
	var ind string
	for it := v.iter(); it.next(); {
		switch string(it.name) {
		case "indicator":
			ind = string(str(it.val))
		case "period":
			r.period = string(str(it.val))
		case "value":
			r.value = f64(it.val)
		case "department":
			r.department = string(str(it.val))
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
	k := repKey{schema.Code(string(v.unit)), ind}
	// The latest period wins; a year and its December end together, and
	// the year's own figure is preferred as the one that speaks for it.
	if cur, ok := s.reported[k]; !ok || r.end > cur.end || (r.end == cur.end && r.year && !cur.year) {
		s.reported[k] = r
	}
}

func (s *scanState) target(v *recordView) error {
	f := schema.Fields{}
	for it := v.iter(); it.next(); {
		f[string(it.name)] = bytes.Clone(it.val)
	}
	var t schema.Target
	if err := schema.DecodeFields(f, &t); err != nil {
		return fmt.Errorf("target %s: %w", v.id, err)
	}
	s.targets = append(s.targets, UnitTarget{Unit: schema.Code(string(v.unit)), ID: string(v.id), Target: t})
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
