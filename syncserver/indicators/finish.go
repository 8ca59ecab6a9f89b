package indicators

import (
	"laoxiao/schema"
)

// coverage counts, per township, the facilities that make it or its
// villages count in the coverage measures. A facility counts for the
// township it stands in, whether registered at the township itself or
// at one of its villages.
type coverage struct {
	villagesCare, villagesChild map[schema.Code]int // facilities per village
	centers                     int                 // township_center or street_center
	streetCenters               int                 // street_center
	childcare                   int                 // any childcare facility
	inclusiveChildcare          int
	demoInclusiveChildcare      int
}

// finish resolves what a county scan gathered into township partials:
// visits are matched to persons once every correction is known, capacity
// reports to their facilities, and the registry's units are counted.
// prefix is the unit that was scanned.
func (s *scanState) finish(divs *schema.Divisions, prefix schema.Code) {
	for _, t := range townshipsOf(divs, prefix) {
		if s.towns[t] == nil {
			s.towns[t] = &townAcc{code: t}
		}
	}
	s.countVisits()
	for _, p := range s.persons {
		addPerson(&p.town.p, p)
	}
	cov := map[*townAcc]*coverage{}
	for i := range s.facilities {
		f := &s.facilities[i]
		c := cov[f.town]
		if c == nil {
			c = &coverage{villagesCare: map[schema.Code]int{}, villagesChild: map[schema.Code]int{}}
			cov[f.town] = c
		}
		s.addFacility(f, c)
	}
	for _, t := range s.towns {
		c := cov[t]
		if c == nil {
			c = &coverage{}
		}
		t.addUnits(divs, s.scope, c)
	}
}

// townshipsOf lists the registry townships a scan of prefix covers, so a
// township nobody entered anything for still counts in the denominators.
func townshipsOf(divs *schema.Divisions, prefix schema.Code) []schema.Code {
	switch prefix.Level() {
	case schema.LevelCounty:
		return divs.Descendants(prefix, schema.LevelTownship)
	case schema.LevelTownship:
		if _, ok := divs.Lookup(prefix); ok {
			return []schema.Code{prefix}
		}
	case schema.LevelVillage:
		if _, ok := divs.Lookup(prefix.Parent()); ok {
			return []schema.Code{prefix.Parent()}
		}
	}
	return nil
}

// countVisits marks persons visited. A visit counts unless a live visit
// in the scan supersedes it: a correction replaces the visit it corrects,
// and a correction of a correction replaces that one without bringing the
// first back. A deleted correction hides nothing.
func (s *scanState) countVisits() {
	for _, v := range s.visits {
		if s.superseded[v.id] {
			continue
		}
		p := v.person
		if p == nil {
			p = s.persons[v.personID]
		}
		if p == nil {
			continue // a person outside the scan, or deleted
		}
		p.visited |= v.bit
		switch v.bit {
		case vMonthly:
			p.visits[0]++
		case vSupport:
			p.visits[1]++
		case vNewborn:
			p.visits[2]++
		}
	}
}

func addPerson(pt *partial, p *personRec) {
	has := func(f uint8) bool { return p.flags&f == f }
	monthly := p.visited&vMonthly != 0
	if has(pSpecial) {
		pt.inc(mPersonsSpecial, 1, 1)
		if monthly {
			pt.inc(mPersonsSpecialVisitedMonth, 1, 1)
			pt.extra[mPersonsSpecialVisitedMonth] += p.visits[0]
		}
	}
	if has(pDisabled | pTekun) {
		pt.inc(mPersonsDisabledTekun, 1, 1)
		if monthly {
			pt.inc(mPersonsDisabledTekunVisitedMonth, 1, 1)
			pt.extra[mPersonsDisabledTekunVisitedMonth] += p.visits[0]
		}
		if has(pCentralized) {
			pt.inc(mPersonsDisabledTekunCentralized, 1, 1)
		}
	}
	if has(pDisabled) {
		pt.inc(mPersonsDisabled, 1, 1)
		if p.visited&vSupport != 0 {
			pt.inc(mPersonsDisabledSupported, 1, 1)
			pt.extra[mPersonsDisabledSupported] += p.visits[1]
		}
	}
	if has(pNewborn) {
		pt.inc(mNewborns, 1, 1)
		if p.visited&vNewborn != 0 {
			pt.inc(mNewbornsVisited, 1, 1)
			pt.extra[mNewbornsVisited] += p.visits[2]
		}
	}
	if has(pTekun | pWantsCentralized) {
		pt.inc(mPersonsWantingCentralized, 1, 1)
		if has(pCentralized) {
			pt.inc(mPersonsWantingCentralizedServed, 1, 1)
		}
	}
}

// addFacility adds an operating facility and its latest capacity report
// (if any: a facility without one contributes 0 but still counts as read).
func (s *scanState) addFacility(f *facilityRec, c *coverage) {
	pt := &f.town.p
	var r capRec
	n := 1
	if cr := s.caps[f.id]; cr != nil {
		r, n = *cr, 2
	}
	village := f.unit.Level() == schema.LevelVillage
	switch f.info.Domain {
	case schema.DomainElderly:
		pt.inc(mBedsTotal, r.beds, n)
		pt.inc(mBedsNursing, r.nursing, n)
		pt.inc(mElderlyCareStaff, r.careStaff, n)
		if f.info.Institution {
			pt.inc(mBedsInstitution, r.beds, n)
			pt.inc(mBedsInstitutionNursing, r.nursing, n)
		}
		if f.socialized {
			pt.inc(mBedsSocialized, r.beds, n)
		}
		if f.inclusive {
			pt.inc(mBedsInclusive, r.beds, n)
		}
		if f.inclusive || f.info.Kind == schema.FKTekunHome {
			pt.inc(mBedsSafetyNet, r.beds, n)
		}
		switch f.info.Kind {
		case schema.FKCountyElderlyCenter:
			pt.inc(mCountyElderlyCenters, 1, 1)
		case schema.FKDayCare, schema.FKRuralHappiness:
			if village {
				c.villagesCare[f.unit]++
			}
		case schema.FKTownshipCenter:
			c.centers++
		case schema.FKStreetCenter:
			c.centers++
			c.streetCenters++
		}
	case schema.DomainChildcare:
		pt.inc(mChildcarePlaces, r.places, n)
		pt.inc(mChildcarePlacesInclusive, r.placesIncl, n)
		pt.inc(mChildcareCareStaff, r.careStaff, n)
		pt.inc(mChildcareCertifiedStaff, r.certifiedStaff, n)
		if f.filed {
			pt.inc(mChildcareFiled, 1, 1)
		}
		if f.demo {
			pt.inc(mChildcareDemo, 1, 1)
		}
		switch f.info.Kind {
		case schema.FKChildcareGuidance:
			pt.inc(mChildcareGuidanceCenters, 1, 1)
		case schema.FKCountyChildcare:
			pt.inc(mCountyChildcareCenters, 1, 1)
		}
		if village {
			c.villagesChild[f.unit]++
		}
		c.childcare++
		if f.inclusive {
			c.inclusiveChildcare++
			if f.demo {
				c.demoInclusiveChildcare++
			}
		}
	}
}

// addUnits counts the registry's units of the township that lie in scope
// and those of them with the facilities the coverage measures look for.
func (t *townAcc) addUnits(divs *schema.Divisions, scope schema.Code, c *coverage) {
	pt := &t.p
	if u, ok := divs.Lookup(t.code); ok && t.code.Within(scope) {
		pt.inc(mTownships, 1, 0)
		if c.centers > 0 {
			pt.inc(mTownshipsWithCenter, 1, c.centers)
		}
		if c.inclusiveChildcare > 0 {
			pt.inc(mTownshipsWithInclusiveChildcare, 1, c.inclusiveChildcare)
		}
		if c.demoInclusiveChildcare > 0 {
			pt.inc(mTownshipsWithDemoInclusiveChildcare, 1, c.demoInclusiveChildcare)
		}
		if u.IsStreet() {
			pt.inc(mStreets, 1, 0)
			if c.streetCenters > 0 {
				pt.inc(mStreetsWithCenter, 1, c.streetCenters)
			}
			if c.childcare > 0 {
				pt.inc(mStreetsWithChildcare, 1, c.childcare)
			}
		}
	}
	for _, v := range divs.Children(t.code) {
		if v.Level() != schema.LevelVillage || !v.Within(scope) {
			continue
		}
		pt.inc(mVillages, 1, 0)
		if n := c.villagesCare[v]; n > 0 {
			pt.inc(mVillagesWithCommunityCare, 1, n)
		}
		if n := c.villagesChild[v]; n > 0 {
			pt.inc(mVillagesWithChildcare, 1, n)
		}
	}
}
