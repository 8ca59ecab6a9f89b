package indicators

import (
	"laoxiao/schema"
)

// coverKey names one coverage rule (its index in rules.coverage) and
// one unit of the rule's level; the value is how many facilities the rule
// accepts stand at that unit, which is also what the lineage counts.
type coverKey struct {
	rule int
	unit schema.Code
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
	s.resolveMerged()
	s.countVisits()
	for _, p := range s.persons {
		addPerson(&p.town.p, p)
	}
	cov := map[coverKey]int{}
	for i := range s.facilities {
		s.addFacility(&s.facilities[i], cov)
	}
	for _, t := range s.towns {
		t.addUnits(divs, s.scope, cov)
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
			p = s.persons[s.merged.Resolve(v.personID)]
		}
		if p == nil {
			continue // a person outside the scan, or deleted
		}
		p.facts.Visited = p.facts.Visited.With(measuredVisits[v.slot])
		p.visits[v.slot]++
	}
}

// addPerson adds a person to every person measure whose rule accepts it;
// the visits that made it count are read records too.
func addPerson(pt *partial, p *personRec) {
	for _, r := range rules.persons {
		if !r.accept(p.facts) {
			continue
		}
		pt.inc(r.m, 1, 1)
		if r.slot >= 0 {
			pt.extra[r.m] += p.visits[r.slot]
		}
	}
}

// addFacility adds an operating facility and its latest capacity report
// (if any: a facility without one contributes 0 but still counts as read)
// to the measures whose rules accept it, and counts it at the units of
// the coverage rules that do.
func (s *scanState) addFacility(f *facilityRec, cov map[coverKey]int) {
	pt := &f.town.p
	var fig schema.Capacity
	n := 1
	if cr := s.caps[f.id]; cr != nil {
		fig, n = cr.fig, 2
	}
	for _, r := range rules.capacity {
		if r.accept(f.facts) {
			pt.inc(r.m, r.figure(&fig), n)
		}
	}
	for _, r := range rules.facilities {
		if r.accept(f.facts) {
			pt.inc(r.m, 1, 1)
		}
	}
	for i, r := range rules.coverage {
		if !r.accept(f.facts) {
			continue
		}
		// A facility stands at the unit of the rule's level it lies in;
		// one registered at a township stands at no village.
		if u := f.unit.Ancestor(r.rule.Level); u != "" {
			cov[coverKey{i, u}]++
		}
	}
}

// addUnits counts the registry's units of the township that lie in scope,
// and those of them with the facilities the coverage rules look for.
func (t *townAcc) addUnits(divs *schema.Divisions, scope schema.Code, cov map[coverKey]int) {
	if u, ok := divs.Lookup(t.code); ok && t.code.Within(scope) {
		t.addUnit(u, cov)
	}
	for _, v := range divs.Children(t.code) {
		if v.Level() != schema.LevelVillage || !v.Within(scope) {
			continue
		}
		u, _ := divs.Lookup(v)
		t.addUnit(u, cov)
	}
}

// addUnit counts one registry unit in the unit measures of its level, and
// in each coverage measure of its level whose facilities stand at it.
func (t *townAcc) addUnit(u schema.Unit, cov map[coverKey]int) {
	for _, r := range rules.units {
		if r.rule.CountsUnit(u) {
			t.p.inc(r.m, 1, 0)
		}
	}
	for i, r := range rules.coverage {
		if !r.rule.CountsUnit(u) {
			continue
		}
		if n := cov[coverKey{i, u.Code}]; n > 0 {
			t.p.inc(r.m, 1, n)
		}
	}
}
