package indicators

import (
	"sort"
	"time"

	"laoxiao/schema"
)

// evaluation is one Evaluate call: the merged findings of its scans.
type evaluation struct {
	divs   *schema.Divisions
	scope  schema.Code
	period Period
	now    time.Time

	towns    map[schema.Code]*townAcc
	own      map[schema.Code]int
	pops     map[schema.Code]popRec
	reported map[repKey]repRec
	targets  []UnitTarget
	scanned  int
}

// merge takes a finished scan. Scans cover disjoint units, so nothing
// needs combining beyond the union.
func (ev *evaluation) merge(st *scanState) {
	for c, t := range st.towns {
		ev.towns[c] = t
	}
	for c, n := range st.own {
		ev.own[c] += n
	}
	for c, p := range st.pops {
		ev.pops[c] = p
	}
	for k, r := range st.reported {
		ev.reported[k] = r
	}
	ev.targets = append(ev.targets, st.targets...)
	ev.scanned += st.scanned
}

// unitAgg is a unit's share of the townships' sums.
type unitAgg struct {
	unit    schema.Unit
	p       partial
	records int
	towns   []*townAcc // townships with an accumulator, by code
	// registry lists the registry townships in the unit.
	registry []schema.Code
}

// units lists the scope and every unit below it down to township level,
// registry units first, then townships that records name but the
// registry lacks (under a known parent, so they are not lost from totals).
func (ev *evaluation) units() map[schema.Code]*unitAgg {
	out := map[schema.Code]*unitAgg{}
	var walk func(schema.Code)
	walk = func(c schema.Code) {
		u, _ := ev.divs.Lookup(c)
		out[c] = &unitAgg{unit: u}
		if c.Level() >= schema.LevelTownship {
			return
		}
		for _, ch := range ev.divs.Children(c) {
			walk(ch)
		}
	}
	walk(ev.scope)
	if ev.scope.Level() == schema.LevelVillage {
		return out
	}
	for c := range ev.towns {
		if out[c] == nil && out[c.Parent()] != nil {
			out[c] = &unitAgg{unit: schema.Unit{Code: c, Name: string(c), Level: schema.LevelTownship, Parent: c.Parent()}}
		}
	}
	return out
}

// result derives every unit's values from the township sums.
func (ev *evaluation) result(sync map[schema.Code]*TownshipStatus) *Result {
	aggs := ev.units()
	codes := make([]schema.Code, 0, len(ev.towns))
	for c := range ev.towns {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	// Each township's sums go to every unit above it up to the scope; for
	// a village scope, the one township partial is the village's.
	for _, c := range codes {
		t := ev.towns[c]
		for a := c; a != "" && a.Within(ev.scope); a = a.Parent() {
			ag := aggs[a]
			if ag == nil {
				continue
			}
			ag.p.add(&t.p)
			ag.records += t.records
			ag.towns = append(ag.towns, t)
		}
		if ev.scope.Level() == schema.LevelVillage {
			ag := aggs[ev.scope]
			ag.p.add(&t.p)
			ag.records += t.records
			ag.towns = append(ag.towns, t)
		}
	}
	for c, n := range ev.own {
		for a := c; a != "" && a.Within(ev.scope); a = a.Parent() {
			if ag := aggs[a]; ag != nil {
				ag.records += n
			}
		}
	}
	for c, ag := range aggs {
		if c.Level() <= schema.LevelTownship {
			for _, t := range ev.divs.Descendants(c, schema.LevelTownship) {
				ag.registry = append(ag.registry, t)
			}
			if c.Level() == schema.LevelTownship {
				if _, ok := ev.divs.Lookup(c); ok {
					ag.registry = []schema.Code{c}
				}
			}
		}
	}

	cat := schema.Catalogue()
	res := &Result{Scope: ev.scope, Period: ev.period, Now: ev.now, Units: map[schema.Code]*UnitResult{},
		Townships: sync, Targets: ev.targets, Scanned: ev.scanned, Indicators: cat}
	pops := popFigures{ev: ev, memo: map[schema.Code]popFigure{}}
	reps := repFigures{ev: ev, memo: map[repKey]repFigure{}}
	for c, ag := range aggs {
		pop := pops.of(c)
		ur := &UnitResult{Unit: ag.unit, Records: ag.records, Townships: ag.registry, Population: pop.Population,
			Values: make([]Value, 0, len(cat))}
		for _, ind := range cat {
			if ind.Computed() {
				ur.Values = append(ur.Values, ev.computed(ind, ag, pop, sync))
			} else {
				ur.Values = append(ur.Values, ev.reportedValue(ind, c, ag, reps, sync))
			}
		}
		res.Units[c] = ur
	}
	return res
}

// noDataReason is why a unit nobody synced anything for has no computed
// values: zero beds would claim a fact nobody reported.
const noDataReason = "本单位尚无任何记录 / no records from this unit yet"

// computed evaluates a formula indicator for one unit.
func (ev *evaluation) computed(ind schema.Indicator, ag *unitAgg, pop popFigure, sync map[schema.Code]*TownshipStatus) Value {
	v := Value{Indicator: ind.ID}
	num, err1 := lookupMeasure(ind.Numerator)
	den, err2 := measure(-1), error(nil)
	if ind.Denominator != "" {
		den, err2 = lookupMeasure(ind.Denominator)
	}
	if err1 != nil || err2 != nil {
		// The catalogue refuses unknown measures and the tests prove every
		// known one is implemented, so this is a release mismatch.
		v.Reason = "指标公式无法计算 / formula names a measure this server does not implement"
		return v
	}
	contrib := map[schema.Code]int{}
	for _, t := range ag.towns {
		if n := lineageRecords(&t.p, num, den); n > 0 {
			contrib[t.code] += n
		}
	}
	v.Lineage.Records = lineageRecords(&ag.p, num, den)
	if !num.additive() || (den >= 0 && !den.additive()) {
		v.Lineage.Records += pop.Records
		for u, n := range pop.sources {
			contrib[u] += n
		}
	}
	v.Lineage.Contributors, v.Lineage.Missing = contributions(contrib, ag.registry, sync)
	if ag.records == 0 {
		v.Reason = noDataReason
		return v
	}
	n, ok := ev.measureValue(num, ag, pop)
	if !ok {
		v.Reason = emptyReason(num)
		return v
	}
	v.Numerator = n
	if den < 0 {
		v.Present, v.Value = true, n
		return v
	}
	d, ok := ev.measureValue(den, ag, pop)
	v.Denominator = d
	if !ok || d == 0 {
		v.Reason = emptyReason(den)
		return v
	}
	v.Present, v.Value = true, n/d*ind.Scale
	return v
}

// measureValue is a measure's value for a unit; ok is false for a
// population figure nobody entered.
func (ev *evaluation) measureValue(m measure, ag *unitAgg, pop popFigure) (float64, bool) {
	switch m {
	case mPopResident:
		return float64(pop.Resident), pop.Present
	case mPopAged60:
		return float64(pop.Aged60), pop.Present
	case mPopBirths:
		return float64(pop.Births), pop.Present
	}
	return float64(ag.p.sum[m]), true
}

// lineageRecords counts the records behind a measure or a ratio of two
// (den < 0 for none). Measures of one family read the same records, and
// the denominator's are a superset of the numerator's, so they count
// once; visits that made persons count as visited come on top.
func lineageRecords(p *partial, num, den measure) int {
	n := 0
	if num.additive() {
		n = p.base[num] + p.extra[num]
	}
	if den < 0 || !den.additive() {
		return n
	}
	if num.additive() && measureInfos[num].fam == measureInfos[den].fam {
		return max(p.base[num], p.base[den]) + p.extra[num] + p.extra[den]
	}
	return n + p.base[den] + p.extra[den]
}

// contributions turns record counts by unit into the lineage lists.
func contributions(contrib map[schema.Code]int, registry []schema.Code, sync map[schema.Code]*TownshipStatus) ([]Contribution, []schema.Code) {
	var out []Contribution
	for u, n := range contrib {
		c := Contribution{Unit: u, Records: n}
		if s := sync[u]; s != nil {
			c.LastSync = s.LastSync
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit < out[j].Unit })
	var missing []schema.Code
	for _, t := range registry {
		if contrib[t] == 0 {
			missing = append(missing, t)
		}
	}
	return out, missing
}

// reportedValue is a reported indicator's value for a unit.
func (ev *evaluation) reportedValue(ind schema.Indicator, unit schema.Code, ag *unitAgg, reps repFigures, sync map[schema.Code]*TownshipStatus) Value {
	v := Value{Indicator: ind.ID}
	f := reps.of(unit, ind)
	v.Lineage.Records = f.records
	v.Lineage.Contributors, v.Lineage.Missing = contributions(f.sources, ag.registry, sync)
	if !f.present {
		v.Reason = "未填报 / not reported"
		if ind.IsRate() {
			v.Reason = "本单位未填报(比率不能由下级汇总) / not reported for this unit (a rate cannot be added up from the units below)"
		}
		return v
	}
	v.Present, v.Value, v.Period, v.Department = true, f.value, f.period, f.department
	return v
}
