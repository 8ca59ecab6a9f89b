package indicators

import (
	"context"
	"errors"
	"testing"
	"time"

	"laoxiao/schema"
)

// TestCountedAddsUpToTheValue: for every township of the test city and
// every measure a computed indicator reads, the records Counted lists add
// up to the measure's value Evaluate gave the township (a coverage
// measure: at least one facility wherever it counted a unit), and unit
// and population measures are ErrNotRecords.
func TestCountedAddsUpToTheValue(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	e := &Engine{Store: f.st, Divisions: func() *schema.Divisions { return divs }, Now: func() time.Time { return testNow }}
	p, err := ParsePeriod("2025-06")
	if err != nil {
		t.Fatal(err)
	}
	coverage := map[measure]bool{}
	for _, r := range rules.coverage {
		coverage[r.m] = true
	}
	res := evaluate(t, f.st, divs, "9902", "2025-06")
	checked := 0
	for _, town := range divs.Descendants("9902", schema.LevelTownship) {
		for _, ind := range schema.Catalogue() {
			if !ind.Computed() {
				continue
			}
			v := value(t, res, town, ind.ID)
			for side, id := range map[string]schema.Measure{"numerator": ind.Numerator, "denominator": ind.Denominator} {
				if id == "" {
					continue
				}
				want := v.Numerator
				if side == "denominator" {
					want = v.Denominator
				}
				m, _ := lookupMeasure(id)
				recs, err := e.Counted(context.Background(), town, p, id)
				if !m.additive() || isUnitMeasure(m) {
					if !errors.Is(err, ErrNotRecords) {
						t.Errorf("%s %s: err %v, want ErrNotRecords", town, id, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s %s: %v", town, id, err)
				}
				var sum int64
				for _, r := range recs {
					sum += r.Figure
				}
				switch {
				case coverage[m] && want > 0 && len(recs) == 0:
					t.Errorf("%s %s counts %v units but lists no facility", town, id, want)
				case !coverage[m] && float64(sum) != want:
					t.Errorf("%s %s (%s of %s): records add up to %d, the value is %v", town, id, side, ind.ID, sum, want)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d township measures checked", checked)
	}
}

// TestCountedNamesTheCapacityReportUsed: a facility's figure comes from
// its latest report not after the period, and Counted names that report.
func TestCountedNamesTheCapacityReportUsed(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	e := &Engine{Store: f.st, Divisions: func() *schema.Divisions { return divs }, Now: func() time.Time { return testNow }}
	recs, err := e.Counted(context.Background(), "990201001", Period{Year: 2025, Month: 6}, schema.MeasureBedsTotal)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.ID == "F1" {
			if r.Report != schema.CapacityID("F1", "2025-06") || r.Figure != 30 {
				t.Errorf("F1 counted %+v, want 30 beds from its 2025-06 report", r)
			}
			return
		}
	}
	t.Errorf("F1 not among the records counted: %+v", recs)
}
