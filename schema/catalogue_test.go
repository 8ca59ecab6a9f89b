package schema

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestCatalogue(t *testing.T) {
	cat := Catalogue()
	if len(cat) != 100 {
		t.Errorf("%d indicators, want 100", len(cat))
	}
	if cat[0].ID != "pension_insurance_rate" || cat[len(cat)-1].ID != "complete_community_childcare_rate" {
		t.Errorf("order is not that of concepts.csv: first %s, last %s", cat[0].ID, cat[len(cat)-1].ID)
	}
	cat[0].Name = "changed"
	if Catalogue()[0].Name == "changed" {
		t.Error("Catalogue() hands out its own slice")
	}
	computed := 0
	for _, ind := range Catalogue() {
		if got, ok := IndicatorByID(ind.ID); !ok || got != ind {
			t.Errorf("IndicatorByID(%s) = %+v, %v", ind.ID, got, ok)
		}
		if ind.Domain != DomainElderly && ind.Domain != DomainChildcare {
			t.Errorf("%s: domain %q", ind.ID, ind.Domain)
		}
		if !ind.Computed() {
			if ind.Numerator != "" || ind.Scale != 0 {
				t.Errorf("reported %s has a formula", ind.ID)
			}
			continue
		}
		computed++
		if !ind.Numerator.Known() || (ind.Denominator != "" && !ind.Denominator.Known()) {
			t.Errorf("%s: unknown measure in %s / %s", ind.ID, ind.Numerator, ind.Denominator)
		}
		if ind.Formula == "" || ind.ScopeNote == "" {
			t.Errorf("%s: formula or scope note missing", ind.ID)
		}
		// The unit must agree with the scale, or reports would print
		// per-thousand figures as percentages.
		switch {
		case ind.Unit == "%":
			if ind.Scale != 100 || ind.Denominator == "" {
				t.Errorf("%s: unit %% but scale %v / %q", ind.ID, ind.Scale, ind.Denominator)
			}
		case strings.Contains(ind.Unit, "千"):
			if ind.Scale != 1000 || ind.Denominator == "" {
				t.Errorf("%s: unit %s but scale %v", ind.ID, ind.Unit, ind.Scale)
			}
		}
	}
	if computed != 35 {
		t.Errorf("%d computed indicators, want 35", computed)
	}
	if _, ok := IndicatorByID("no_such"); ok {
		t.Error("IndicatorByID found an unknown id")
	}
}

func TestIndicatorIsRate(t *testing.T) {
	for id, want := range map[string]bool{
		"nursing_bed_share":                 true,  // % computed
		"places_per_1000":                   true,  // per thousand
		"beds_per_1000_elderly":             true,  // per thousand elderly
		"township_demo_inclusive_childcare": true,  // share of townships
		"pension_insurance_rate":            true,  // reported %
		"social_workers_per_1000_elderly":   true,  // reported per thousand
		"beds_total":                        false, // count
		"childcare_care_staff":              false,
		"key_elderly_enterprises":           false, // reported count
		"mother_baby_rooms":                 false, // no unit at all
	} {
		ind, ok := IndicatorByID(id)
		if !ok {
			t.Fatalf("no %s", id)
		}
		if ind.IsRate() != want {
			t.Errorf("%s.IsRate() = %v, want %v", id, ind.IsRate(), want)
		}
	}
}

func TestFormulasOfKeyIndicators(t *testing.T) {
	for _, tc := range []struct {
		id       string
		num, den Measure
		scale    float64
	}{
		{"nursing_bed_share", MeasureBedsInstitutionNursing, MeasureBedsInstitution, 100},
		{"beds_per_1000_elderly", MeasureBedsTotal, MeasurePopAged60, 1000},
		{"places_per_1000", MeasureChildcarePlaces, MeasurePopResident, 1000},
		{"visit_rate_special", MeasurePersonsSpecialVisitedMonth, MeasurePersonsSpecial, 100},
		{"beds_total", MeasureBedsTotal, "", 1},
		{"township_demo_inclusive_childcare", MeasureTownshipsWithDemoInclusiveChildcare, MeasureTownships, 1},
		// The formula fixes: births of the year, 乡镇 without 街道,
		// 社区 apart from 农村, and 柳州's 完整居住社区 standard reported.
		{"newborn_visit_rate", MeasureNewbornsVisited, MeasurePopBirths, 100},
		{"town_center_coverage", MeasureTownsWithCenter, MeasureTowns, 100},
		{"urban_community_care_coverage", MeasureCommunitiesWithDayCare, MeasureCommunities, 100},
		{"rural_home_care_coverage", MeasureRuralVillagesWithHomeCare, MeasureRuralVillages, 100},
	} {
		ind, _ := IndicatorByID(tc.id)
		if ind.Numerator != tc.num || ind.Denominator != tc.den || ind.Scale != tc.scale {
			t.Errorf("%s = %s / %s × %v, want %s / %s × %v", tc.id, ind.Numerator, ind.Denominator, ind.Scale, tc.num, tc.den, tc.scale)
		}
	}
}

// TestFormulaTextsAgree: concepts.csv's plain formula and formulas.csv's
// scale say the same thing (township_demo_inclusive_childcare once said
// × 100 in one and scale 1 in the other), and 柳州's 完整居住社区 rate is
// reported, not a childcare-facility coverage under another name.
func TestFormulaTextsAgree(t *testing.T) {
	for _, ind := range Catalogue() {
		if ind.Computed() && (ind.Scale == 1) == strings.Contains(ind.Formula, "x 100") {
			t.Errorf("%s: formula %q but scale %v", ind.ID, ind.Formula, ind.Scale)
		}
	}
	if ind, _ := IndicatorByID("complete_community_childcare_rate"); ind.Computed() {
		t.Error("柳州's 完整居住社区托育服务设施达标率 is computed")
	}
	p, _ := PlanTarget(PlanIndicators("003"), "town_center_coverage", 2025)
	if p.Name != "乡镇区域养老服务中心覆盖率" {
		t.Errorf("柳州's 乡镇 coverage row: %+v", p)
	}
}

func TestUnitClasses(t *testing.T) {
	for _, tc := range []struct {
		u                                     Unit
		streets, towns, communities, villages bool
	}{
		{Unit{Code: "511802001", Name: "东城街道", Level: LevelTownship}, true, false, false, false},
		{Unit{Code: "511802101", Name: "北郊镇", Level: LevelTownship}, false, true, false, false},
		{Unit{Code: "511802001001", Name: "育德社区居委会", Level: LevelVillage}, false, false, true, false},
		{Unit{Code: "110101001001", Name: "大北家园社区居民委员会", Level: LevelVillage}, false, false, true, false},
		{Unit{Code: "511802101201", Name: "龙岗村委会", Level: LevelVillage}, false, false, false, true},
	} {
		town := MeasureRule{Level: LevelTownship, Units: UnitsTowns}
		street := MeasureRule{Level: LevelTownship, Units: UnitsStreets}
		comm := MeasureRule{Level: LevelVillage, Units: UnitsCommunities}
		rural := MeasureRule{Level: LevelVillage, Units: UnitsRural}
		if street.CountsUnit(tc.u) != tc.streets || town.CountsUnit(tc.u) != tc.towns ||
			comm.CountsUnit(tc.u) != tc.communities || rural.CountsUnit(tc.u) != tc.villages {
			t.Errorf("%s: streets %v towns %v communities %v villages %v", tc.u.Name, street.CountsUnit(tc.u),
				town.CountsUnit(tc.u), comm.CountsUnit(tc.u), rural.CountsUnit(tc.u))
		}
	}
}

func TestMeasures(t *testing.T) {
	seen := map[Measure]bool{}
	for _, m := range Measures {
		if m == "" || seen[m] || !m.Known() {
			t.Errorf("measure %q empty, repeated or unknown", m)
		}
		seen[m] = true
	}
	if Measure("beds").Known() {
		t.Error("an unlisted measure is known")
	}
}

func TestPlanIndicators(t *testing.T) {
	yaan := PlanIndicators("000")
	for _, p := range yaan[:38] {
		if p.Jurisdiction != "雅安市" || p.Seq == 0 || p.BaselineYear != 2020 || p.TargetYear != 2025 {
			t.Errorf("雅安 table row %+v", p)
		}
	}
	for _, p := range yaan {
		if _, ok := IndicatorByID(p.Concept); !ok {
			t.Errorf("row %s: concept %q unknown", p.Name, p.Concept)
		}
	}
	if yaan[0].Name != "基本养老保险参保率" || yaan[0].Domain != DomainElderly || yaan[0].Responsible != "市人力资源社会保障局" {
		t.Errorf("first 雅安 row %+v", yaan[0])
	}
	if v, cmp, ok := yaan[1].Target(); !ok || v != 95 || cmp != ">" {
		t.Errorf("医保 target = %v %q %v", v, cmp, ok)
	}
	if _, _, ok := yaan[12].Baseline(); ok {
		t.Errorf("row 13's baseline %q parsed", yaan[12].BaselineText)
	}
	qianjiang := PlanIndicators("001")
	binding := 0
	for _, p := range qianjiang {
		if p.Attribute.Binding() {
			binding++
		}
	}
	if binding == 0 || binding == len(qianjiang) {
		t.Errorf("黔江: %d rows, %d binding", len(qianjiang), binding)
	}
	liuzhou := PlanIndicators("003")
	if len(liuzhou) == 0 || liuzhou[0].Seq != 0 || liuzhou[0].Notes == "" || liuzhou[0].BaselineText == "" {
		t.Errorf("柳州 rows %+v", liuzhou)
	}
	all := PlanIndicators("")
	if len(all) != len(yaan)+len(qianjiang)+len(PlanIndicators("002"))+len(liuzhou)+len(PlanIndicators("004")) {
		t.Errorf("PlanIndicators(\"\") has %d rows", len(all))
	}
}

func TestParseTargetText(t *testing.T) {
	for _, tc := range []struct {
		in  string
		v   float64
		cmp string
		ok  bool
	}{
		{"95", 95, "", true},
		{">95", 95, ">", true},
		{"≥60", 60, "≥", true},
		{"≤ 5", 5, "≤", true},
		{"<3", 3, "<", true},
		{">=80", 80, "≥", true},
		{"＞90", 90, ">", true},
		{"7.60", 7.6, "", true},
		{"50.48", 50.48, "", true},
		{" 100 ", 100, "", true},
		{"95%", 95, "", true},
		{"1950000", 1950000, "", true},
		{"50-100", 50, "≥", true},
		{"不低于90", 90, "≥", true},
		{"-", 0, "", false},
		{"", 0, "", false},
		{"应建尽建", 0, "", false},
		{"2万余", 0, "", false},
		{">", 0, "", false},
		{"100-50", 0, "", false},
		{"NaN", 0, "", false},
		{"Inf", 0, "", false},
		{"0x10", 0, "", false},
		{"1e3", 0, "", false},
	} {
		v, cmp, ok := ParseTargetText(tc.in)
		if v != tc.v || cmp != tc.cmp || ok != tc.ok {
			t.Errorf("ParseTargetText(%q) = %v, %q, %v; want %v, %q, %v", tc.in, v, cmp, ok, tc.v, tc.cmp, tc.ok)
		}
	}
	// Every target and baseline in the plans either parses or is one of
	// the known non-numbers, so no figure is silently dropped.
	for _, p := range PlanIndicators("") {
		for _, s := range []string{p.TargetText, p.BaselineText} {
			if _, _, ok := ParseTargetText(s); !ok && s != "" && s != "-" && s != "应建尽建" {
				t.Errorf("%s %s: %q does not parse", p.Source, p.Name, s)
			}
		}
	}
}

// TestCatalogueLoaderFailsLoudly checks each way the embedded files could
// disagree is refused, and that the init path panics on it.
func TestCatalogueLoaderFailsLoudly(t *testing.T) {
	concepts := "concept,name,domain,unit,how,formula,records,direction\n" +
		"a_rate,甲率,养老,%,computed,x / y,,up\n" +
		"b_count,乙数,托育,个,computed,count,,up\n" +
		"c_rep,丙,养老,%,reported,,,up\n"
	formulas := "concept,numerator,denominator,scale,scope_note\n" +
		"a_rate,beds_nursing,beds_total,100,n\n" +
		"b_count,childcare_demo,,1,n\n"
	plans := "source,jurisdiction,domain,seq,name,unit,baseline_year,baseline,target_year,target,attribute,responsible,cooperating,scope,concept,notes\n" +
		"000,雅安市,养老,1,甲率,%,2020,1,2025,2,约束性,局,,,a_rate,\n"
	fsys := func(c, f, p string) fstest.MapFS {
		return fstest.MapFS{
			"indicators/concepts.csv":   {Data: []byte(c)},
			"indicators/formulas.csv":   {Data: []byte(f)},
			"indicators/indicators.csv": {Data: []byte(p)},
		}
	}
	cat, rows, err := loadIndicators(fsys(concepts, formulas, plans))
	if err != nil || len(cat) != 3 || len(rows) != 1 || !rows[0].Attribute.Binding() {
		t.Fatalf("good files: %v, %d, %v", cat, len(rows), err)
	}
	for _, tc := range []struct {
		name, c, f, p, want string
	}{
		{"computed concept without formula", concepts, strings.Replace(formulas, "b_count,childcare_demo,,1,n\n", "", 1), plans, "b_count"},
		{"unknown numerator", concepts, strings.Replace(formulas, "beds_nursing", "beds_nurse", 1), plans, "beds_nurse"},
		{"unknown denominator", concepts, strings.Replace(formulas, "beds_total", "beds_all", 1), plans, "beds_all"},
		{"zero scale", concepts, strings.Replace(formulas, ",100,", ",0,", 1), plans, "scale"},
		{"count with scale", concepts, strings.Replace(formulas, "childcare_demo,,1", "childcare_demo,,100", 1), plans, "scale 1"},
		{"formula for reported concept", concepts, formulas + "c_rep,beds_total,,1,n\n", plans, "reported"},
		{"formula for unknown concept", concepts, formulas + "d_x,beds_total,,1,n\n", plans, "unknown concept"},
		{"second formula", concepts, formulas + "a_rate,beds_total,,1,n\n", plans, "second formula"},
		{"unknown how", strings.Replace(concepts, "reported", "guessed", 1), formulas, plans, "guessed"},
		{"unknown domain", strings.Replace(concepts, "托育", "教育", 1), formulas, plans, "domain"},
		{"bad direction", strings.Replace(concepts, ",up\n", ",sideways\n", 1), formulas, plans, "direction"},
		{"duplicate concept", concepts + "c_rep,丙,养老,%,reported,,,up\n", formulas, plans, "twice"},
		{"missing column", strings.Replace(concepts, "direction", "dir", 1), formulas, plans, "direction"},
		{"plan row with unknown concept", concepts, formulas, strings.Replace(plans, "a_rate,", "z_rate,", 1), "z_rate"},
		{"plan row with bad attribute", concepts, formulas, strings.Replace(plans, "约束性", "必须", 1), "attribute"},
		{"plan row with bad scope", concepts, formulas, strings.Replace(plans, ",,a_rate", ",everywhere,a_rate", 1), "scope"},
		{"plan row with bad year", concepts, formulas, strings.Replace(plans, "2025", "二〇二五", 1), "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := loadIndicators(fsys(tc.c, tc.f, tc.p))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "no formula") {
				t.Errorf("mustLoadIndicators did not panic as expected: %v", r)
			}
		}()
		mustLoadIndicators(fsys(concepts, strings.Replace(formulas, "b_count,childcare_demo,,1,n\n", "", 1), plans))
	}()
	// The real embedded files load (init would have panicked otherwise,
	// but say it out loud).
	if _, _, err := loadIndicators(indicatorFiles); err != nil {
		t.Fatal(err)
	}
}
