package schema

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The five plans as published (testdata/plans, copied from
// shared/data/plans), by source code.
var planSourceFiles = map[string]string{
	"000": "yaan.txt", "001": "qianjiang.txt", "002": "gangcheng.txt", "003": "liuzhou.txt", "004": "kunming.txt",
}

func readPlan(t *testing.T, source string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/plans/" + planSourceFiles[source])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPlanTargetCounts pins how many targets each plan states, so a row
// lost or added by accident shows. The counts are the plans': 雅安's table
// of 38 plus 12 in its text; 黔江's annex of 39 plus 7 in its text and
// lists; 钢城's 13 in text and annexes; 柳州's 10 goals plus its 2023
// milestone; 昆明's 34 elderly-care targets (one stated twice, so 33 rows)
// and 12 childcare targets.
func TestPlanTargetCounts(t *testing.T) {
	for source, want := range map[string]int{"000": 50, "001": 46, "002": 13, "003": 11, "004": 45} {
		if got := len(PlanIndicators(source)); got != want {
			t.Errorf("plan %s (%s): %d targets, want %d", source, planSourceFiles[source], got, want)
		}
	}
}

// TestPlanTargetsOneRowPerYear: a plan sets an indicator at most once a
// year, or two target records would share one id.
func TestPlanTargetsOneRowPerYear(t *testing.T) {
	seen := map[string]string{}
	for _, p := range PlanIndicators("") {
		key := p.Source + "/" + p.Concept + "/" + strconv.Itoa(p.TargetYear)
		if first, dup := seen[key]; dup {
			t.Errorf("%s sets %s for %d twice: %q and %q", p.Jurisdiction, p.Concept, p.TargetYear, first, p.Name)
		}
		seen[key] = p.Name
		if p.TargetYear < 2021 || p.TargetYear > 2025 {
			t.Errorf("%s %s: target year %d", p.Jurisdiction, p.Name, p.TargetYear)
		}
	}
}

// TestPlanTargetsAgainstText reads a sample of figures back from the
// plans' own words: each phrase must occur in the plan, and the row must
// say what the phrase says.
func TestPlanTargetsAgainstText(t *testing.T) {
	for _, tc := range []struct {
		source, concept string
		year            int
		target          string
		baseline        string
		scope           TargetScope
		phrase          string // as the plan writes it
	}{
		{"000", "beds_total", 2025, "12000", "11634", ScopeTotal, "全市养老床位达到12000张"},
		{"000", "places_total", 2025, "6400", "3034", ScopeTotal, "全市达到6400个托位"},
		{"000", "new_childcare_institutions", 2025, ">20", "", ScopeTotal, "新增托育服务机构20家以上"},
		{"000", "county_quality_childcare", 2025, "1", "", ScopeEachBelow, "每个县(区)至少建成1个婴幼儿照护优质服务机构"},
		{"000", "county_tekun_homes", 2022, "1", "", ScopeEachBelow, "到2022年,每个县(区)至少建有一所"},
		{"000", "senior_universities", 2025, "1", "", ScopeEachBelow, "每个县(区)至少有1所老年大学"},
		{"000", "lottery_fund_share", 2022, "≥55", "", ScopeTotal, "到2022年底,将不低于55%的社会福利事业彩票公益金"},
		{"000", "places_per_1000", 2025, "4.5", "1.8", ScopeTotal, "每千人托位数2.07个"},
		{"001", "beds_total", 2025, "2800", "", ScopeTotal, "全区养老服务床位数达到0.28万张"},
		{"001", "disabled_tekun_care_centers", 2022, "≥1", "", ScopeTotal, "到2022年,建成至少1个区域性失能特困人员集中照护中心"},
		{"001", "township_center_coverage", 2022, "100", "", ScopeTotal, "各乡镇(街道)基本实现具有综合服务功能的养老机构全覆盖"},
		{"001", "community_elderly_facility_compliance", 2022, "100", "", ScopeTotal, "到2022年,社区养老服务设施配建达标率达到100%"},
		{"001", "inclusive_childcare_institutions", 2025, "≥10", "", ScopeTotal, "普惠性托育服务机构10家以上"},
		{"002", "nursing_bed_share", 2025, "≥65", "", ScopeTotal, "养老机构护理型床位占比不低于65%"},
		{"002", "places_per_1000", 2025, "5", "3", ScopeTotal, "全区每千人口托位数达到5个"},
		{"002", "inclusive_place_share", 2025, "≥60", "", ScopeTotal, "普惠性托位占比不低于60%"},
		{"002", "beds_inclusive", 2025, "≥2200", "", ScopeTotal, "普惠养老床位不少于2200余张"},
		{"002", "inclusive_elderly_price_ratio", 2025, "≤80", "", ScopeTotal, "不高于同等情况市场价格的80%"},
		{"002", "new_elderly_canteens", 2025, "20", "", ScopeTotal, "新增20处城乡老年助餐场所"},
		{"002", "elderly_caregivers_trained", 2025, "1000", "", ScopeTotal, "1000名养老护理员"},
		{"002", "elderly_social_workers_trained", 2025, "20", "", ScopeTotal, "培育20名专兼职老年社会工作者"},
		{"003", "beds_total", 2025, "26000", ">20000", ScopeTotal, "全市养老床位总数达2.6万张"},
		{"003", "places_total", 2025, "19700", "12811", ScopeTotal, "可提供托位12811个"},
		{"003", "places_per_1000", 2025, "4.5", "3.07", ScopeTotal, "托位数约3.07个"},
		{"003", "town_center_coverage", 2025, "60", "", ScopeTotal, "乡镇区域养老服务中心覆盖率达到60%"},
		{"003", "new_area_elderly_childcare_facility_rate", 2023, "100", "", ScopeTotal, "新建住宅小区配套建设社区养老托育服务设施达标率100%"},
		{"004", "beds_per_1000_elderly", 2025, "31", "23.7", ScopeTotal, "每千名常住老年人擁有養老床位數約為23.7張"},
		{"004", "nursing_bed_share", 2025, "≥60", "47.33", ScopeTotal, "護理型床位占比47.33%"},
		{"004", "elderly_caregivers_trained", 2025, "12000", "", ScopeTotal, "培養養老護理員12000名"},
		{"004", "family_care_beds", 2025, "≥4000", "", ScopeTotal, "家庭養老床位數不低于4000個"},
		{"004", "rural_home_care_coverage", 2025, ">70", "", ScopeTotal, "農村居家養老服務中心(站)覆蓋率超過70%"},
		{"004", "urban_community_care_coverage", 2025, "≥90", "", ScopeTotal, "社區日間照料機構覆蓋率不低于90%"},
		{"004", "senior_universities", 2025, "1", "", ScopeEachBelow, "全市每個縣(市)區至少建有1所老年大學"},
		{"004", "rural_regional_elderly_centers", 2025, "2", "", ScopeEachBelow, "每個縣(市)區至少建成2個農村區域養老服務中心"},
		{"004", "medical_care_institutions", 2025, "1", "", ScopeEachBelow, "每個縣(市)區至少建成1個醫養結合機構"},
		{"004", "places_per_1000", 2025, "4.5", "1.2", ScopeTotal, "千人托位數達1.2個"},
	} {
		text := readPlan(t, tc.source)
		if !strings.Contains(text, tc.phrase) {
			t.Errorf("%s does not say %q", planSourceFiles[tc.source], tc.phrase)
		}
		p, ok := PlanTarget(PlanIndicators(tc.source), tc.concept, tc.year)
		if !ok {
			t.Errorf("plan %s has no %s target for %d", tc.source, tc.concept, tc.year)
			continue
		}
		if p.TargetText != tc.target || p.BaselineText != tc.baseline || p.Scope != tc.scope {
			t.Errorf("plan %s %s %d: target %q baseline %q scope %q; the plan says %q (want %q, %q, %q)",
				tc.source, tc.concept, tc.year, p.TargetText, p.BaselineText, p.Scope, tc.phrase, tc.target, tc.baseline, tc.scope)
		}
	}
}

// TestPlanTargetFiguresOccurInText: every target figure of the plans that
// state targets in text (钢城, 柳州, 昆明, and 雅安's and 黔江's rows outside
// their tables) occurs in the plan, as written or in 万 (2.6万 for 26000).
func TestPlanTargetFiguresOccurInText(t *testing.T) {
	num := regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)
	for _, p := range PlanIndicators("") {
		if p.Seq != 0 {
			continue // a table row; TestPlanTargetsAgainstText samples those
		}
		text := readPlan(t, p.Source)
		fig := num.FindString(p.TargetText)
		if fig == "" {
			t.Errorf("%s %s: target %q has no figure", p.Jurisdiction, p.Name, p.TargetText)
			continue
		}
		forms := []string{fig + "%", fig + "张", fig + "張", fig + "个", fig + "個", fig + "名", fig + "所", fig + "家",
			fig + "处", fig + "支", fig + "余", fig + "人", fig + "億", fig + "亿", fig + "歲", fig + "岁", "-" + fig, fig + "-"}
		if v, err := strconv.ParseFloat(fig, 64); err == nil && v >= 10000 {
			forms = append(forms, strconv.FormatFloat(v/10000, 'f', -1, 64)+"万", strconv.FormatFloat(v/10000, 'f', -1, 64)+"萬")
		}
		if v, err := strconv.ParseFloat(fig, 64); err == nil && v >= 1000 && v < 10000 {
			forms = append(forms, strconv.FormatFloat(v/10000, 'f', -1, 64)+"万")
		}
		if fig == "1" {
			forms = append(forms, "一所") // 雅安 writes 至少建有一所
		}
		found := false
		for _, f := range forms {
			found = found || strings.Contains(text, f)
		}
		if !found {
			t.Errorf("%s %s: target %q: none of %v occurs in %s", p.Jurisdiction, p.Name, p.TargetText, forms, planSourceFiles[p.Source])
		}
	}
}

// TestPlanDepartmentsAreThePlans: every department a target names occurs
// in its own plan's text, so no plan borrows another's (雅安's rows name
// 市 departments, never 黔江's 区民政局).
func TestPlanDepartmentsAreThePlans(t *testing.T) {
	split := regexp.MustCompile(`[、,;]`)
	named := 0
	for _, p := range PlanIndicators("") {
		text := readPlan(t, p.Source)
		for _, d := range split.Split(p.Responsible+"、"+p.Cooperating, -1) {
			if d = strings.TrimSpace(d); d == "" {
				continue
			}
			named++
			if !strings.Contains(text, d) {
				t.Errorf("%s %s names %q, which its plan does not", p.Jurisdiction, p.Name, d)
			}
			if p.Source == "000" && strings.HasPrefix(d, "区") {
				t.Errorf("雅安 %s names a 区 department %q", p.Name, d)
			}
		}
	}
	if named < 150 {
		t.Errorf("only %d departments named over all plans", named)
	}
	// 黔江's annex names one department per indicator and the lead of its
	// tasks; 柳州 splits 牵头 and 配合.
	if p, _ := PlanTarget(PlanIndicators("001"), "community_elderly_facility_compliance", 2022); p.Responsible != "区住房城乡建委、区民政局、区卫生健康委" || !strings.HasPrefix(p.Cooperating, "区规划自然资源局") {
		t.Errorf("黔江 配建达标率: lead %q, co %q", p.Responsible, p.Cooperating)
	}
	if p, _ := PlanTarget(PlanIndicators("003"), "new_area_elderly_childcare_facility_rate", 2023); p.Responsible != "市自然资源和规划局" || !strings.HasPrefix(p.Cooperating, "市民政局") {
		t.Errorf("柳州 task 4: lead %q, co %q", p.Responsible, p.Cooperating)
	}
}

// TestPlanTargetRecord: a plan row becomes a target record with its
// figures parsed and its words kept.
func TestPlanTargetRecord(t *testing.T) {
	p, _ := PlanTarget(PlanIndicators("001"), "nursing_bed_share", 2025)
	tg := p.TargetRecord()
	if tg.Value != 60 || tg.Baseline != 30 || !tg.HasBaseline || tg.BaselineYear != 2020 || !tg.Binding() || tg.Lead != "区民政局" {
		t.Errorf("黔江 护理型床位占比 = %+v", tg)
	}
	p, _ = PlanTarget(PlanIndicators("000"), "senior_universities", 2025)
	if tg := p.TargetRecord(); tg.Scope != ScopeEachBelow || tg.Value != 1 || tg.HasBaseline || tg.Attribute != AttrUnstated {
		t.Errorf("雅安 老年大学 = %+v", tg)
	}
	p, _ = PlanTarget(PlanIndicators("000"), "county_senior_university_coverage", 2025)
	if tg := p.TargetRecord(); tg.HasBaseline || tg.BaselineText != "" {
		t.Errorf("a baseline of \"-\" became %+v", tg)
	}
	if got := len(PlanOf(Unit{Code: "5118", Name: "雅安市"})); got != 50 {
		t.Errorf("PlanOf(雅安市) has %d rows", got)
	}
	if got := PlanOf(Unit{Code: "500114", Name: "黔江区"}); len(got) != 46 || got[0].Jurisdiction != "重庆市黔江区" {
		t.Errorf("PlanOf(黔江区) has %d rows", len(got))
	}
	if got := PlanOf(Unit{Code: "511802", Name: "雨城区"}); got != nil {
		t.Errorf("雨城区 has a plan of %d rows", len(got))
	}
}

// TestPlanNotesQuoteThePlan: where a row's notes quote the plan restating
// or contradicting its figure ("restates: …"), the quote is the plan's.
func TestPlanNotesQuoteThePlan(t *testing.T) {
	quotes := 0
	for _, p := range PlanIndicators("") {
		_, rest, ok := strings.Cut(p.Notes, "restates: ")
		if !ok {
			continue
		}
		q, _, _ := strings.Cut(rest, ";")
		quotes++
		if !strings.Contains(readPlan(t, p.Source), strings.TrimSpace(q)) {
			t.Errorf("%s %s: the plan does not say %q", p.Jurisdiction, p.Name, q)
		}
	}
	if quotes < 10 {
		t.Errorf("only %d restatements quoted", quotes)
	}
}
