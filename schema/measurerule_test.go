package schema

import "testing"

// TestMeasureRulesComplete proves every measure has exactly one rule, in
// the order of Measures, carrying the fields its source reads: a rule
// missing its predicate would otherwise panic in the engine at start or
// count nothing on the desktop.
func TestMeasureRulesComplete(t *testing.T) {
	rs := MeasureRules()
	if len(rs) != len(Measures) {
		t.Fatalf("%d rules for %d measures", len(rs), len(Measures))
	}
	for i, r := range rs {
		if r.Measure != Measures[i] {
			t.Errorf("rule %d is for %s, want %s", i, r.Measure, Measures[i])
		}
		var ok bool
		switch r.Source {
		case SourceCapacity:
			ok = r.Facility != nil && r.Figure != nil
		case SourceFacilities:
			ok = r.Facility != nil
		case SourceCoverage:
			ok = r.Facility != nil && (r.Level == LevelVillage || r.Level == LevelTownship)
		case SourceUnits:
			ok = r.Level == LevelVillage || r.Level == LevelTownship
		case SourcePersons:
			ok = r.Person != nil && (r.Visit == "" || r.Visit.Window() != WindowNone)
		case SourcePopulation:
			ok = r.Population != nil
		}
		if !ok {
			t.Errorf("rule of %s (source %d) lacks what its source reads", r.Measure, r.Source)
		}
		if got, found := r.Measure.Rule(); !found || got.Source != r.Source {
			t.Errorf("%s.Rule() = %v, %v", r.Measure, got.Source, found)
		}
	}
}

func TestIndicatorRatio(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ind      Indicator
		num, den float64
		want     float64
		ok       bool
	}{
		{"count", Indicator{Numerator: MeasureBedsTotal, Scale: 1}, 7, 0, 7, true},
		{"percent", Indicator{Numerator: MeasureBedsNursing, Denominator: MeasureBedsTotal, Scale: 100}, 1, 4, 25, true},
		{"per thousand", Indicator{Numerator: MeasureBedsTotal, Denominator: MeasurePopAged60, Scale: 1000}, 3, 1000, 3, true},
		{"nothing to divide by", Indicator{Numerator: MeasureBedsNursing, Denominator: MeasureBedsTotal, Scale: 100}, 0, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.ind.Ratio(tc.num, tc.den)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Ratio(%v, %v) = %v, %v; want %v, %v", tc.num, tc.den, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestPersonFactsOf(t *testing.T) {
	p := Person{Categories: []PersonCategory{CatDisabled, CatTekun}, SupportMode: SupportCentralized}
	f := PersonFactsOf(p, VisitSet(0).With(VisitMonthly))
	if !f.Special || !f.Disabled || !f.Tekun || f.Newborn || !f.Centralized || f.WantsCentralized {
		t.Errorf("facts of a centralized disabled 特困 person: %+v", f)
	}
	if !f.Visited.Has(VisitMonthly) || f.Visited.Has(VisitNewborn) || f.Visited.Has("other") {
		t.Errorf("visited set %b", f.Visited)
	}
	if n := PersonFactsOf(Person{Categories: []PersonCategory{CatNewborn}}, 0); n.Special || !n.Newborn {
		t.Errorf("a newborn is not in special difficulty: %+v", n)
	}
}
