package indicators

import (
	"laoxiao/schema"
)

// Population figures and reported values are not additive like the other
// measures: a unit's own record speaks for it, and only a unit without one
// is the sum of the units below it. Otherwise a county that entered its
// total and whose townships entered theirs would count everyone twice.

// lineageUnit is the unit a record is credited to in a lineage: its
// township, or the unit itself above township level.
func lineageUnit(c schema.Code) schema.Code {
	if t := c.Ancestor(schema.LevelTownship); t != "" {
		return t
	}
	return c
}

type popFigure struct {
	Population
	sources map[schema.Code]int // records by lineage unit
}

// popFigures computes population figures top-down with memory, so a city
// and each of its counties reuse the townships' figures.
type popFigures struct {
	ev   *evaluation
	memo map[schema.Code]popFigure
}

func (pf popFigures) of(c schema.Code) popFigure {
	if f, ok := pf.memo[c]; ok {
		return f
	}
	f := popFigure{sources: map[schema.Code]int{}}
	if r, ok := pf.ev.pops[c]; ok {
		f.Population = Population{Present: true, Resident: r.resident, Aged60: r.aged60, Aged65: r.aged65,
			Aged0to3: r.aged0to3, Births: r.births, Records: 1}
		f.sources[lineageUnit(c)] = 1
	} else {
		for _, ch := range pf.ev.divs.Children(c) {
			cf := pf.of(ch)
			if !cf.Present {
				continue
			}
			f.Present = true
			f.Resident += cf.Resident
			f.Aged60 += cf.Aged60
			f.Aged65 += cf.Aged65
			f.Aged0to3 += cf.Aged0to3
			f.Births += cf.Births
			f.Records += cf.Records
			for u, n := range cf.sources {
				f.sources[u] += n
			}
		}
	}
	pf.memo[c] = f
	return f
}

type repFigure struct {
	present            bool
	value              float64
	end                int
	period, department string
	records            int
	sources            map[schema.Code]int
}

// repFigures computes reported values with memory. A count (enterprises,
// people trained) not reported for a unit is the sum over the units below
// that reported it; a rate is not, since adding rates means nothing.
type repFigures struct {
	ev   *evaluation
	memo map[repKey]repFigure
}

func (rf repFigures) of(c schema.Code, ind schema.Indicator) repFigure {
	key := repKey{c, ind.ID}
	if f, ok := rf.memo[key]; ok {
		return f
	}
	f := repFigure{sources: map[schema.Code]int{}}
	if r, ok := rf.ev.reported[key]; ok {
		f = repFigure{present: true, value: r.value, end: r.end, period: r.period, department: r.department,
			records: 1, sources: map[schema.Code]int{lineageUnit(c): 1}}
	} else if !ind.IsRate() {
		first := true
		for _, ch := range rf.ev.divs.Children(c) {
			cf := rf.of(ch, ind)
			if !cf.present {
				continue
			}
			f.present = true
			f.value += cf.value
			f.records += cf.records
			if cf.end > f.end {
				f.end, f.period = cf.end, cf.period
			}
			// The department is shown only when every part came from
			// the same one.
			if first {
				f.department = cf.department
			} else if f.department != cf.department {
				f.department = ""
			}
			first = false
			for u, n := range cf.sources {
				f.sources[u] += n
			}
		}
	}
	rf.memo[key] = f
	return f
}
