package targets

import (
	"context"
	"errors"
	"testing"

	"laoxiao/schema"
)

// TestSplitPerCountyMinimum: 雅安's "每个县(区)至少有1所老年大学" gives every
// county 1, whatever its population, instead of dividing 1 over them;
// the scope comes from the plan when the request names none.
func TestSplitPerCountyMinimum(t *testing.T) {
	s := newServer(t)
	counties := s.divs.Children("5118")
	for i, c := range counties {
		s.putPopulation(t, c, schema.Population{Year: 2025, Resident: int64(100000 * (i + 1)), Aged60: int64(20000 * (i + 1))})
	}
	for _, tc := range []struct {
		indicator string
		year      int
		value     string
		want      float64
		text      string
	}{
		{"senior_universities", 2025, "1", 1, "≥1"},
		{"county_tekun_homes", 2022, "1", 1, "≥1"},
		{"county_quality_childcare", 2025, "1", 1, "≥1"},
	} {
		res, err := Split(context.Background(), s.eng, s.in, SplitRequest{Unit: "5118", Indicator: tc.indicator,
			Year: tc.year, Value: tc.value, Weight: WeightPop60})
		if err != nil {
			t.Fatalf("%s: %v", tc.indicator, err)
		}
		if res.Scope != schema.ScopeEachBelow || res.Proportional || len(res.Allocations) != len(counties) {
			t.Errorf("%s: scope %q proportional %v over %d counties", tc.indicator, res.Scope, res.Proportional, len(res.Allocations))
		}
		got := s.targets(t)
		for _, c := range counties {
			tg := got[schema.TargetID(c, tc.indicator, int64(tc.year))]
			if tg.Value != tc.want || tg.ValueText != tc.text {
				t.Errorf("%s: county %s got %v %q, want %v %q", tc.indicator, c, tg.Value, tg.ValueText, tc.want, tc.text)
			}
		}
		if city := got[schema.TargetID("5118", tc.indicator, int64(tc.year))]; city.Scope != schema.ScopeEachBelow {
			t.Errorf("%s: the city's target lost its scope: %+v", tc.indicator, city)
		}
	}
	// Asked as a total, the same figure is divided: the scope is what
	// keeps a minimum whole.
	res, err := PlanSplit(context.Background(), s.eng, SplitRequest{Unit: "5118", Indicator: "beds_total",
		Year: 2025, Value: "7", Weight: WeightPop60})
	if err != nil || !res.Proportional || res.Scope != schema.ScopeTotal {
		t.Fatalf("a total split: %+v, %v", res, err)
	}
	// A per-county minimum needs no population figures.
	bare := newServer(t)
	if _, err := PlanSplit(context.Background(), bare.eng, SplitRequest{Unit: "5118", Indicator: "beds_total", Year: 2025,
		Value: "2", Weight: WeightPop60, Scope: schema.ScopeEachBelow}); err != nil {
		t.Errorf("a minimum without population: %v", err)
	}
}

// TestSplitWholeTarget: the city's single 地市级托育服务指导中心 is the
// city's own, so splitting it is refused instead of landing in one county.
func TestSplitWholeTarget(t *testing.T) {
	s := newServer(t)
	_, err := PlanSplit(context.Background(), s.eng, SplitRequest{Unit: "5118", Indicator: "city_childcare_guidance_centers",
		Year: 2025, Value: "1", Weight: WeightEqual})
	if !errors.Is(err, ErrWholeTarget) {
		t.Errorf("splitting the city's guidance centre: %v, want ErrWholeTarget", err)
	}
}

// TestImportTakesThePlansDepartments: a target imported for 雅安市 carries
// the attribute, departments and scope 雅安's plan gives, not another
// plan's.
func TestImportTakesThePlansDepartments(t *testing.T) {
	s := newServer(t)
	sheet := "unit,indicator,baseline year,baseline value,target year,target value\n" +
		"5118,nursing_bed_share,2020,38,2025,55\n" +
		"5118,senior_universities,,,2025,1\n" +
		"511802,nursing_bed_share,2020,30,2025,55\n"
	if _, err := Import(context.Background(), []byte(sheet), s.divs, s.in, testNow); err != nil {
		t.Fatal(err)
	}
	got := s.targets(t)
	if tg := got[schema.TargetID("5118", "nursing_bed_share", 2025)]; tg.Lead != "市民政局" || tg.Cooperating != "" {
		t.Errorf("雅安 护理型床位占比: lead %q co %q, want 雅安's 市民政局", tg.Lead, tg.Cooperating)
	}
	if tg := got[schema.TargetID("5118", "senior_universities", 2025)]; tg.Scope != schema.ScopeEachBelow {
		t.Errorf("雅安 老年大学: scope %q", tg.Scope)
	}
	if tg := got[schema.TargetID("511802", "nursing_bed_share", 2025)]; tg.Lead != "" {
		t.Errorf("a county without a plan got departments %q", tg.Lead)
	}
}
