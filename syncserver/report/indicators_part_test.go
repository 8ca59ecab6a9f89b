package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// yaanResult is an evaluation of 雅安市 with two of its counties, each
// unit's present values given by indicator id.
func yaanResult(values map[schema.Code]map[string]float64, targets []indicators.UnitTarget) *indicators.Result {
	units := map[schema.Code]string{"5118": "雅安市", "511802": "雨城区", "511803": "名山区"}
	res := &indicators.Result{Scope: "5118", Period: indicators.Period{Year: 2025}, Units: map[schema.Code]*indicators.UnitResult{},
		Targets: targets, Indicators: schema.Catalogue()}
	for code, name := range units {
		u := &indicators.UnitResult{Unit: schema.Unit{Code: code, Name: name}}
		for _, ind := range schema.Catalogue() {
			v := indicators.Value{Indicator: ind.ID, Reason: "未填报 / none"}
			if x, ok := values[code][ind.ID]; ok {
				v = indicators.Value{Indicator: ind.ID, Present: true, Value: x, Lineage: indicators.Lineage{Records: 1}}
			}
			u.Values = append(u.Values, v)
		}
		res.Units[code] = u
	}
	return res
}

func yaanTable(t *testing.T, res *indicators.Result, ids ...string) *Table {
	t.Helper()
	tb, err := assemble(res, Options{Unit: "5118", Year: 2025, Period: indicators.Period{Year: 2025}, Indicators: ids},
		time.Date(2026, 1, 5, 9, 0, 0, 0, schema.ChinaTime))
	if err != nil {
		t.Fatal(err)
	}
	tb.evaluateCells()
	return tb
}

func column(t *testing.T, tb *Table, id string) (int, Column) {
	t.Helper()
	for i, c := range tb.Columns {
		if c.Indicator.ID == id {
			return i, c
		}
	}
	t.Fatalf("no column %s", id)
	return 0, Column{}
}

// TestColumnsNameTheUnitsOwnDepartments: 雅安's columns carry 雅安's plan's
// departments, years and milestones; an indicator 雅安's plan does not
// set has no department rather than 黔江's 区民政局.
func TestColumnsNameTheUnitsOwnDepartments(t *testing.T) {
	tb := yaanTable(t, yaanResult(nil, nil), "nursing_bed_share", "beds_per_1000_elderly", "lottery_fund_share",
		"senior_universities", "county_tekun_homes")
	if _, c := column(t, tb, "nursing_bed_share"); c.Lead != "市民政局" || c.BaselineYear != 2020 || c.TargetYear != 2025 {
		t.Errorf("护理型床位占比: %+v", c)
	}
	if _, c := column(t, tb, "beds_per_1000_elderly"); c.Lead != "" || c.Cooperating != "" || c.Attribute != schema.AttrUnstated {
		t.Errorf("每千名老年人养老床位数 borrowed %q / %q / %q from another plan", c.Lead, c.Cooperating, c.Attribute)
	}
	if _, c := column(t, tb, "lottery_fund_share"); len(c.Milestones) != 1 || c.Milestones[0] != (Milestone{2022, "≥55"}) ||
		!strings.Contains(c.years(), "阶段目标2022年≥55") {
		t.Errorf("福彩公益金: milestones %v, years %q", c.Milestones, c.years())
	}
	if _, c := column(t, tb, "senior_universities"); c.Scope != schema.ScopeEachBelow {
		t.Errorf("老年大学 scope %q", c.Scope)
	}
	if _, c := column(t, tb, "county_tekun_homes"); c.Scope != schema.ScopeEachBelow || c.Lead == "" {
		t.Errorf("敬老院 (a 2022 target only): %+v", c)
	}
	for _, f := range []Format{FormatCSV, FormatText, FormatHTML} {
		var buf bytes.Buffer
		if err := tb.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "区民政局") {
			t.Errorf("雅安's %s table names 区民政局", f)
		}
		if f != FormatCSV && !strings.Contains(buf.String(), "完成率 = 当前值 ÷ 目标值") {
			t.Errorf("the %s table's notes lack the completion rule", f)
		}
	}
}

// TestOneCompletionRule is the example: 护理型床位占比 at 38.0 of
// 55 is 69.1% complete in a county and in the city alike, though the city
// started from 38 (its change since the baseline, 0.0, is its own column).
func TestOneCompletionRule(t *testing.T) {
	values := map[schema.Code]map[string]float64{
		"5118": {"nursing_bed_share": 38}, "511802": {"nursing_bed_share": 38}, "511803": {"nursing_bed_share": 40},
	}
	var targets []indicators.UnitTarget
	for _, c := range []schema.Code{"511802", "511803"} {
		targets = append(targets, indicators.UnitTarget{Unit: c, Target: schema.Target{Indicator: "nursing_bed_share", Year: 2025, Value: 55, ValueText: "55"}})
	}
	tb := yaanTable(t, yaanResult(values, targets), "nursing_bed_share")
	county, city := tb.Rows[0].Cells[0], tb.Rows[2].Cells[0]
	if !city.Baseline.OK || city.Baseline.V != 38 {
		t.Fatalf("city baseline %+v, want the plan's 38", city.Baseline)
	}
	for name, c := range map[string]Cell{"county": county, "city": city} {
		if got := showCompletion(c.Completion); got != "69.1%" {
			t.Errorf("%s completion %s, want 69.1%% (38 ÷ 55)", name, got)
		}
	}
	if !city.Change.OK || city.Change.V != 0 {
		t.Errorf("city change since baseline %+v, want 0", city.Change)
	}
	if county.Change.OK {
		t.Errorf("county without a baseline has a change %+v", county.Change)
	}
	if c := tb.Rows[1].Cells[0]; math.Abs(c.Completion.V-40.0/55) > 1e-9 {
		t.Errorf("名山区 completion %v, want 40 ÷ 55", c.Completion.V)
	}
}

// TestPerCountyMinimumTotal: "每个县(区)至少有1所老年大学" is met when every
// county has one; the total row counts the counties that do.
func TestPerCountyMinimumTotal(t *testing.T) {
	values := map[schema.Code]map[string]float64{"511802": {"senior_universities": 1}, "511803": {"senior_universities": 0}}
	targets := []indicators.UnitTarget{
		{Unit: "5118", Target: schema.Target{Indicator: "senior_universities", Year: 2025, Value: 1, ValueText: "1", Scope: schema.ScopeEachBelow}},
		{Unit: "511802", Target: schema.Target{Indicator: "senior_universities", Year: 2025, Value: 1, ValueText: "≥1"}},
		{Unit: "511803", Target: schema.Target{Indicator: "senior_universities", Year: 2025, Value: 1, ValueText: "≥1"}},
	}
	tb := yaanTable(t, yaanResult(values, targets), "senior_universities")
	total := tb.Rows[2].Cells[0]
	if total.Current.V != 1 || total.Target.V != 2 || total.Completion.V != 0.5 || total.Status != StatusNotMet {
		t.Errorf("total %+v, want 1 of 2 counties, 50%%, 未达标 after 2025", total)
	}
	if tb.Rows[0].Cells[0].Status != StatusMet || tb.Rows[1].Cells[0].Status != StatusNotMet {
		t.Errorf("county statuses %q, %q", tb.Rows[0].Cells[0].Status, tb.Rows[1].Cells[0].Status)
	}
	values["511803"]["senior_universities"] = 2
	tb = yaanTable(t, yaanResult(values, targets), "senior_universities")
	if total := tb.Rows[2].Cells[0]; total.Status != StatusMet || total.Current.V != 2 {
		t.Errorf("every county has one: total %+v", total)
	}
	// Nobody split the city's minimum: every county's target is still 1.
	tb = yaanTable(t, yaanResult(values, targets[:1]), "senior_universities")
	for _, r := range tb.Rows[:2] {
		if c := r.Cells[0]; c.Target.V != 1 || c.Target.Text != "≥1" || c.Status != StatusMet {
			t.Errorf("%s without its own target: %+v", r.Unit.Name, c)
		}
	}
}

// TestDatedBaselines: a baseline comes from records only where the
// records carry the date: capacity reports and population, reported
// values of the year or before; never a coverage, which counts
// facilities as they are now.
func TestDatedBaselines(t *testing.T) {
	ind := func(id string) schema.Indicator { i, _ := schema.IndicatorByID(id); return i }
	present := func(num float64, period string) indicators.Value {
		return indicators.Value{Present: true, Value: 1, Numerator: num, Period: period, Lineage: indicators.Lineage{Records: 3}}
	}
	for _, tc := range []struct {
		id   string
		v    indicators.Value
		want bool
	}{
		{"beds_total", present(120, ""), true},
		{"beds_total", present(0, ""), false}, // no report that old
		{"places_per_1000", present(300, ""), true},
		{"community_care_coverage", present(5, ""), false},
		{"visit_rate_special", present(5, ""), false},
		{"pension_insurance_rate", present(0, "2019"), true},
		{"pension_insurance_rate", present(0, "2023"), false},
		{"beds_total", indicators.Value{}, false},
	} {
		if got := datedAt(ind(tc.id), tc.v, 2020); got != tc.want {
			t.Errorf("%s %+v: datedAt = %v, want %v", tc.id, tc.v, got, tc.want)
		}
	}
}
