package schema

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

const (
	township Code = "511802001"    // 东城街道, 雨城区
	village  Code = "511802001001" // 东大街社区居委会
)

// now is 2025-06-15 10:00 in Beijing.
var now = time.Date(2025, 6, 15, 10, 0, 0, 0, ChinaTime)

func testCtx() ValidationContext {
	return ValidationContext{Divisions: BuiltinDivisions(), Scope: "511802", Now: now}
}

func mustID(t testing.TB, prefix string) string {
	t.Helper()
	id, err := CompleteIDNumber(prefix)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func validFacility() Facility {
	return Facility{Name: "东城街道综合养老服务中心", Kind: FKStreetCenter, Ownership: OwnPublic, Filing: FilingFiled,
		Opened: "2021-05-01", Status: StatusOperating, Address: "东大街1号"}
}

func validCapacity() Capacity {
	return Capacity{Facility: "f1", Period: "2025-05", BedsTotal: 10, BedsNursing: 6, BedsOccupied: 8,
		PlacesTotal: 20, PlacesInclusive: 10, ChildrenEnrolled: 15, CareStaff: 5, CertifiedStaff: 4}
}

func validPerson(t testing.TB) Person {
	return Person{Name: "李四", IDNumber: mustID(t, "51180219400506123"), BirthDate: "1940-05-06",
		Categories: []PersonCategory{CatTekun, CatDisabled}, SupportMode: SupportCentralized, WantsCentralized: true}
}

func validVisit() Visit {
	return Visit{Person: "p1", Date: "2025-06-15", Visitor: "王五", Kind: VisitMonthly, Outcome: "良好"}
}

func validPopulation() Population {
	return Population{Year: 2024, Resident: 1000, Aged60: 300, Aged65: 200, Aged0to3: 30, Births: 10}
}

func validReported() Reported {
	return Reported{Indicator: "pension_insurance_rate", Period: "2024", Value: 92.5, Department: "区人社局"}
}

func validTarget() Target {
	return Target{Indicator: "nursing_bed_share", Year: 2025, Value: 55, ValueText: "55", BaselineYear: 2020,
		Baseline: 38, BaselineText: "38", HasBaseline: true}
}

func TestValidRecordsPass(t *testing.T) {
	ctx := testCtx()
	newborn := Person{Name: "小明", BirthDate: "2025-06-01", Categories: []PersonCategory{CatNewborn}}
	for _, tc := range []struct {
		kind Kind
		unit Code
		v    any
	}{
		{KindFacility, township, validFacility()},
		{KindFacility, village, ptr(validFacility())},
		{KindFacility, village, Facility{Name: "社区托育点", Kind: FKCommunityChildcare, Ownership: OwnPrivate, Status: StatusSuspended}},
		{KindCapacity, village, validCapacity()},
		{KindCapacity, township, Capacity{Facility: "f1", Period: "2025-06"}}, // all zero, this month
		{KindPerson, village, validPerson(t)},
		{KindPerson, village, newborn},
		{KindPerson, township, Person{Name: "赵六", Categories: []PersonCategory{CatAlone, CatOldest}}},
		{KindVisit, village, validVisit()},
		{KindVisit, village, ptr(validVisit())},
		{KindPopulation, village, validPopulation()},
		{KindPopulation, "511802", validPopulation()},
		{KindPopulation, "511802", Population{Year: 2025}},
		{KindReported, "511802", validReported()},
		{KindReported, township, Reported{Indicator: "life_expectancy", Period: "2025-06", Value: 79.5}},
		{KindTarget, "511802", validTarget()},
		{KindTarget, "511802", Target{Indicator: "mother_baby_rooms", Year: 2025, ValueText: "应建尽建"}},
	} {
		if ps := ValidateRecord(tc.kind, tc.unit, tc.v, ctx); len(ps) != 0 {
			t.Errorf("%s %+v: %v", tc.kind, tc.v, ps)
		}
	}
	// The context's parts are optional.
	if ps := ValidateRecord(KindFacility, "110105001", validFacility(), ValidationContext{}); len(ps) != 0 {
		t.Errorf("empty context: %v", ps)
	}
}

func ptr[T any](v T) *T { return &v }

// TestValidateRecordRules checks each rule fails with the right field and
// a message in both languages.
func TestValidateRecordRules(t *testing.T) {
	ctx := testCtx()
	type tc struct {
		name  string
		kind  Kind
		unit  Code
		v     any
		field string
		en    string // substring of the English message
		zh    string // substring of the Chinese message
	}
	fac := func(f func(*Facility)) Facility { v := validFacility(); f(&v); return v }
	capa := func(f func(*Capacity)) Capacity { v := validCapacity(); f(&v); return v }
	per := func(f func(*Person)) Person { v := validPerson(t); f(&v); return v }
	vis := func(f func(*Visit)) Visit { v := validVisit(); f(&v); return v }
	pop := func(f func(*Population)) Population { v := validPopulation(); f(&v); return v }
	rep := func(f func(*Reported)) Reported { v := validReported(); f(&v); return v }
	tgt := func(f func(*Target)) Target { v := validTarget(); f(&v); return v }
	cases := []tc{
		// units
		{"unit bad shape", KindFacility, "51180200", validFacility(), "facility.unit", "not a division code", "格式不正确"},
		{"unit does not exist", KindFacility, "511802999", validFacility(), "facility.unit", "does not exist", "不存在"},
		{"unit outside scope", KindFacility, "511803100", validFacility(), "facility.unit", "outside", "管辖范围"},
		{"facility at county level", KindFacility, "511802", validFacility(), "facility.unit", "township or village", "乡镇(街道)或村(社区)"},
		{"capacity at county level", KindCapacity, "511802", validCapacity(), "capacity.unit", "township or village", "乡镇"},
		{"person at county level", KindPerson, "511802", validPerson(t), "person.unit", "township or village", "乡镇"},

		// facility
		{"facility name", KindFacility, village, fac(func(f *Facility) { f.Name = "  " }), "facility.name", "required", "机构名称不能为空"},
		{"facility kind missing", KindFacility, village, fac(func(f *Facility) { f.Kind = "" }), "facility.kind", "required", "机构类型不能为空"},
		{"facility kind unknown", KindFacility, village, fac(func(f *Facility) { f.Kind = "hospital" }), "facility.kind", "unknown", "不是可选的取值"},
		{"ownership missing", KindFacility, village, fac(func(f *Facility) { f.Ownership = "" }), "facility.ownership", "required", "举办性质不能为空"},
		{"ownership unknown", KindFacility, village, fac(func(f *Facility) { f.Ownership = "state" }), "facility.ownership", "unknown", "举办性质"},
		{"status missing", KindFacility, village, fac(func(f *Facility) { f.Status = "" }), "facility.status", "required", "运营状态不能为空"},
		{"status unknown", KindFacility, village, fac(func(f *Facility) { f.Status = "open" }), "facility.status", "unknown", "运营状态"},
		{"filing unknown", KindFacility, village, fac(func(f *Facility) { f.Filing = "yes" }), "facility.filing", "unknown", "备案状态"},
		{"opened malformed", KindFacility, village, fac(func(f *Facility) { f.Opened = "2021-5-1" }), "facility.opened", "YYYY-MM-DD", "开业日期"},
		{"opened not a date", KindFacility, village, fac(func(f *Facility) { f.Opened = "2021-02-30" }), "facility.opened", "YYYY-MM-DD", "不是有效日期"},
		{"opened in the future", KindFacility, village, fac(func(f *Facility) { f.Opened = "2025-06-16" }), "facility.opened", "future", "晚于今天"},

		// capacity
		{"capacity facility", KindCapacity, village, capa(func(c *Capacity) { c.Facility = "" }), "capacity.facility", "required", "所属机构不能为空"},
		{"capacity period missing", KindCapacity, village, capa(func(c *Capacity) { c.Period = "" }), "capacity.period", "required", "填报月份不能为空"},
		{"capacity period malformed", KindCapacity, village, capa(func(c *Capacity) { c.Period = "2025-5" }), "capacity.period", "YYYY-MM", "格式不正确"},
		{"capacity period a day", KindCapacity, village, capa(func(c *Capacity) { c.Period = "2025-05-01" }), "capacity.period", "YYYY-MM", "格式不正确"},
		{"capacity period in the future", KindCapacity, village, capa(func(c *Capacity) { c.Period = "2025-07" }), "capacity.period", "future", "晚于本月"},
		{"negative beds", KindCapacity, village, capa(func(c *Capacity) { c.BedsTotal = -1 }), "capacity.beds_total", "negative", "床位总数(-1)不能为负数"},
		{"negative staff", KindCapacity, village, capa(func(c *Capacity) { c.CareStaff = -3 }), "capacity.care_staff", "negative", "不能为负数"},
		{"nursing > total", KindCapacity, village, capa(func(c *Capacity) { c.BedsNursing = 12 }), "capacity.beds_nursing", "nursing beds (12) exceed total beds (10)", "护理型床位(12)超过床位总数(10)"},
		{"occupied > total", KindCapacity, village, capa(func(c *Capacity) { c.BedsOccupied = 11 }), "capacity.beds_occupied", "occupied beds (11) exceed total beds (10)", "已入住床位(11)超过床位总数(10)"},
		{"inclusive > places", KindCapacity, village, capa(func(c *Capacity) { c.PlacesInclusive = 21 }), "capacity.places_inclusive", "exceed total childcare places (20)", "普惠托位(21)超过托位总数(20)"},
		{"enrolled > places", KindCapacity, village, capa(func(c *Capacity) { c.ChildrenEnrolled = 25 }), "capacity.children_enrolled", "children enrolled (25) exceed", "在托婴幼儿(25)超过托位总数(20)"},
		{"certified > care", KindCapacity, village, capa(func(c *Capacity) { c.CertifiedStaff = 6 }), "capacity.certified_staff", "certified staff (6) exceed care staff (5)", "超过护理(保育)人员(5)"},

		// person
		{"person name", KindPerson, village, per(func(p *Person) { p.Name = "" }), "person.name", "required", "姓名不能为空"},
		{"no category", KindPerson, village, per(func(p *Person) { p.Categories, p.SupportMode = nil, "" }), "person.categories", "required", "服务对象类别不能为空"},
		{"unknown category", KindPerson, village, per(func(p *Person) { p.Categories, p.SupportMode = []PersonCategory{"rich"}, "" }), "person.categories", "unknown", "不是可选的取值"},
		{"repeated category", KindPerson, village, per(func(p *Person) { p.Categories = []PersonCategory{CatTekun, CatTekun} }), "person.categories", "twice", "重复"},
		{"newborn and elderly", KindPerson, village, Person{Name: "x", Categories: []PersonCategory{CatNewborn, CatAlone}}, "person.categories", "newborn", "新生儿"},
		{"support mode unknown", KindPerson, village, per(func(p *Person) { p.SupportMode = "home" }), "person.support_mode", "unknown", "供养方式"},
		{"support mode without tekun", KindPerson, village, per(func(p *Person) { p.Categories = []PersonCategory{CatAlone} }), "person.support_mode", "特困", "特困"},
		{"birth date malformed", KindPerson, village, per(func(p *Person) { p.BirthDate = "1940/05/06"; p.IDNumber = "" }), "person.birth_date", "YYYY-MM-DD", "出生日期"},
		{"birth date in the future", KindPerson, village, Person{Name: "x", BirthDate: "2025-07-01", Categories: []PersonCategory{CatNewborn}}, "person.birth_date", "future", "晚于今天"},
		{"id bad checksum", KindPerson, village, per(func(p *Person) {
			p.IDNumber = p.IDNumber[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", p.IDNumber[17])+1)%11])
		}), "person.id_number", "check character", "校验码"},
		{"id bad length", KindPerson, village, per(func(p *Person) { p.IDNumber = "5118021940" }), "person.id_number", "18 characters", "18位"},
		{"id bad embedded date", KindPerson, village, per(func(p *Person) { p.IDNumber = "51180219401306123X" }), "person.id_number", "not a valid date", "出生日期"},
		{"id disagrees with birth date", KindPerson, village, per(func(p *Person) { p.BirthDate = "1940-05-07" }), "person.birth_date", "does not match", "不一致"},
		{"id birth in the future", KindPerson, village, per(func(p *Person) { p.IDNumber = mustID(t, "51180220250701123"); p.BirthDate = "" }), "person.id_number", "future", "晚于今天"},

		// visit
		{"visit person", KindVisit, village, vis(func(v *Visit) { v.Person = "" }), "visit.person", "required", "探访对象不能为空"},
		{"visit date missing", KindVisit, village, vis(func(v *Visit) { v.Date = "" }), "visit.date", "required", "探访日期不能为空"},
		{"visit date malformed", KindVisit, village, vis(func(v *Visit) { v.Date = "15/06/2025" }), "visit.date", "YYYY-MM-DD", "探访日期"},
		{"visit in the future", KindVisit, village, vis(func(v *Visit) { v.Date = "2025-06-16" }), "visit.date", "future", "晚于今天"},
		{"visit kind missing", KindVisit, village, vis(func(v *Visit) { v.Kind = "" }), "visit.kind", "required", "探访类型不能为空"},
		{"visit kind unknown", KindVisit, village, vis(func(v *Visit) { v.Kind = "social" }), "visit.kind", "unknown", "探访类型"},

		// population
		{"population year", KindPopulation, village, pop(func(p *Population) { p.Year = 0 }), "population.year", "required", "年份不能为空"},
		{"population year implausible", KindPopulation, village, pop(func(p *Population) { p.Year = 24 }), "population.year", "between", "年份"},
		{"population year in the future", KindPopulation, village, pop(func(p *Population) { p.Year = 2026 }), "population.year", "future", "晚于今年"},
		{"population negative", KindPopulation, village, pop(func(p *Population) { p.Births = -1 }), "population.births", "negative", "出生人口(-1)不能为负数"},
		{"aged60 > resident", KindPopulation, village, pop(func(p *Population) { p.Aged60 = 1001 }), "population.aged60", "people aged 60+ (1001) exceed resident population (1000)", "60岁及以上人口(1001)超过常住人口(1000)"},
		{"aged65 > aged60", KindPopulation, village, pop(func(p *Population) { p.Aged65 = 301 }), "population.aged65", "exceed people aged 60+ (300)", "65岁及以上人口(301)超过60岁及以上人口(300)"},
		{"aged0_3 > resident", KindPopulation, village, pop(func(p *Population) { p.Aged0to3 = 1500 }), "population.aged0_3", "exceed resident population", "0-3岁婴幼儿(1500)超过常住人口(1000)"},

		// reported
		{"reported indicator", KindReported, "511802", rep(func(r *Reported) { r.Indicator = "" }), "reported.indicator", "required", "指标不能为空"},
		{"reported indicator unknown", KindReported, "511802", rep(func(r *Reported) { r.Indicator = "happiness" }), "reported.indicator", "unknown", "不在指标目录中"},
		{"reported indicator computed", KindReported, "511802", rep(func(r *Reported) { r.Indicator = "nursing_bed_share" }), "reported.indicator", "computed", "不能填报"},
		{"reported period", KindReported, "511802", rep(func(r *Reported) { r.Period = "" }), "reported.period", "required", "填报期不能为空"},
		{"reported period malformed", KindReported, "511802", rep(func(r *Reported) { r.Period = "24" }), "reported.period", "YYYY", "格式不正确"},
		{"reported period future year", KindReported, "511802", rep(func(r *Reported) { r.Period = "2026" }), "reported.period", "future", "晚于今年"},
		{"reported period future month", KindReported, "511802", rep(func(r *Reported) { r.Period = "2025-07" }), "reported.period", "future", "晚于本月"},
		{"reported value NaN", KindReported, "511802", rep(func(r *Reported) { r.Value = math.NaN() }), "reported.value", "not a number", "不是有效数字"},
		{"reported value negative", KindReported, "511802", rep(func(r *Reported) { r.Value = -1 }), "reported.value", "negative", "不能为负数"},
		{"reported percent over 100", KindReported, "511802", rep(func(r *Reported) { r.Value = 101 }), "reported.value", "100%", "不能超过100%"},

		// target
		{"target indicator", KindTarget, "511802", tgt(func(g *Target) { g.Indicator = "" }), "target.indicator", "required", "指标不能为空"},
		{"target indicator unknown", KindTarget, "511802", tgt(func(g *Target) { g.Indicator = "x" }), "target.indicator", "unknown", "指标目录"},
		{"target year", KindTarget, "511802", tgt(func(g *Target) { g.Year = 0 }), "target.year", "required", "目标年份不能为空"},
		{"target year implausible", KindTarget, "511802", tgt(func(g *Target) { g.Year = 20250 }), "target.year", "between", "目标年份"},
		{"target value infinite", KindTarget, "511802", tgt(func(g *Target) { g.Value = math.Inf(1) }), "target.value", "not a number", "目标值不是有效数字"},
		{"target percent over 100", KindTarget, "511802", tgt(func(g *Target) { g.Value = 155 }), "target.value", "100%", "目标值"},
		{"baseline negative", KindTarget, "511802", tgt(func(g *Target) { g.Baseline = -2 }), "target.baseline", "negative", "基期值"},
		{"baseline year after target", KindTarget, "511802", tgt(func(g *Target) { g.BaselineYear = 2026 }), "target.baseline_year", "after target year", "晚于目标年份"},

		// shape
		{"wrong type for kind", KindFacility, village, validCapacity(), "facility", "cannot hold", "数据类型"},
		{"nil pointer", KindFacility, village, (*Facility)(nil), "facility", "missing", "为空"},
		{"unknown kind", Kind("bed"), village, validCapacity(), "record.kind", "unknown", "未知"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := ValidateRecord(c.kind, c.unit, c.v, ctx)
			var hit *Problem
			for i := range ps {
				if ps[i].Field == c.field {
					hit = &ps[i]
				}
			}
			if hit == nil {
				t.Fatalf("no problem for %s; got %v", c.field, ps)
			}
			if !strings.Contains(hit.En, c.en) || !strings.Contains(hit.Zh, c.zh) {
				t.Errorf("%s: got %q / %q, want %q / %q", c.field, hit.En, hit.Zh, c.en, c.zh)
			}
			if hit.En == "" || hit.Zh == "" {
				t.Errorf("%s: a language is missing: %+v", c.field, hit)
			}
			for _, p := range ps {
				if p.Field != c.field {
					t.Errorf("unrelated problem besides %s: %v", c.field, p)
				}
			}
		})
	}
}

func TestValidateRecordReportsEverythingAtOnce(t *testing.T) {
	c := Capacity{Period: "2025-13", BedsTotal: 10, BedsNursing: 11, PlacesTotal: 5, ChildrenEnrolled: 6}
	ps := ValidateRecord(KindCapacity, "511803100", c, testCtx())
	for _, f := range []string{"capacity.unit", "capacity.facility", "capacity.period", "capacity.beds_nursing", "capacity.children_enrolled"} {
		if !ps.Has(f) {
			t.Errorf("missing %s in %v", f, ps)
		}
	}
	// Negative figures suppress comparisons that would only confuse.
	ps = ValidateRecord(KindCapacity, village, Capacity{Facility: "f", Period: "2025-01", BedsTotal: -1, BedsNursing: 3}, testCtx())
	if len(ps) != 1 || ps[0].Field != "capacity.beds_total" {
		t.Errorf("got %v", ps)
	}
}

func TestFutureUsesChinaDate(t *testing.T) {
	// 23:30 UTC on 14 June is 07:30 on 15 June in Beijing: a visit dated
	// the 15th is today, not the future.
	ctx := ValidationContext{Now: time.Date(2025, 6, 14, 23, 30, 0, 0, time.UTC)}
	if ps := ValidateRecord(KindVisit, village, validVisit(), ctx); len(ps) != 0 {
		t.Errorf("visit dated today in Beijing refused: %v", ps)
	}
	// A zero Now skips future checks.
	v := validVisit()
	v.Date = "2099-01-01"
	if ps := ValidateRecord(KindVisit, village, v, ValidationContext{}); len(ps) != 0 {
		t.Errorf("zero Now: %v", ps)
	}
}

func TestProblemsAndValidationError(t *testing.T) {
	var none Problems
	if none.Err() != nil {
		t.Error("no problems gave an error")
	}
	ps := ValidateRecord(KindCapacity, village, Capacity{Facility: "f", Period: "2025-01", BedsTotal: 10, BedsNursing: 12}, testCtx())
	err := ps.Err()
	if err == nil {
		t.Fatal("no error")
	}
	want := "capacity.beds_nursing: nursing beds (12) exceed total beds (10) / 护理型床位(12)超过床位总数(10)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 {
		t.Fatalf("errors.As: %v", err)
	}
	if ve.Zh() != "护理型床位(12)超过床位总数(10)" {
		t.Errorf("Zh() = %q", ve.Zh())
	}
	two := Problems{{Field: "a.b", En: "e1", Zh: "中1"}, {Field: "a.c", En: "e2", Zh: "中2"}}
	if got := two.Err().Error(); got != "a.b: e1 / 中1; a.c: e2 / 中2" {
		t.Errorf("two problems: %q", got)
	}
	if got := two.Zh(); got != "中1；中2" {
		t.Errorf("Zh() = %q", got)
	}
	if !two.Has("a.c") || two.Has("a.d") {
		t.Error("Has")
	}
}

// --- ValidateChange ---

func change(t testing.TB, kind Kind, id string, unit Code, v any) *Change {
	t.Helper()
	f, err := EncodeFields(v)
	if err != nil {
		t.Fatal(err)
	}
	return &Change{Kind: kind, ID: id, Unit: unit, Set: f, Stamp: MakeStamp(now.UnixMilli(), 0), Device: "dev-1", Seq: 1}
}

func apply(t testing.TB, cur *Record, ch *Change) *Record {
	t.Helper()
	rec, _, err := Merge(cur, ch)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func wantOnly(t *testing.T, ps Problems, fields ...string) {
	t.Helper()
	for _, f := range fields {
		if !ps.Has(f) {
			t.Errorf("missing problem %s; got %v", f, ps)
		}
	}
	for _, p := range ps {
		found := false
		for _, f := range fields {
			found = found || p.Field == f
		}
		if !found {
			t.Errorf("unexpected problem %v", p)
		}
		if p.En == "" || p.Zh == "" {
			t.Errorf("problem lacks a language: %+v", p)
		}
	}
}

func TestValidateChangeValid(t *testing.T) {
	ctx := testCtx()
	for _, ch := range validChanges(t) {
		if ps := ValidateChange(nil, ch, ctx); len(ps) != 0 {
			t.Errorf("%s %s: %v", ch.Kind, ch.ID, ps)
		}
	}
}

// validChanges returns a valid change of every kind a site or office
// enters, and a delete.
func validChanges(t *testing.T) []*Change {
	return []*Change{
		change(t, KindFacility, NewID(), village, validFacility()),
		change(t, KindCapacity, CapacityID("f1", "2025-05"), village, validCapacity()),
		change(t, KindPerson, NewID(), village, validPerson(t)),
		change(t, KindVisit, NewID(), village, validVisit()),
		change(t, KindPopulation, PopulationID(village, 2024), village, validPopulation()),
		change(t, KindReported, ReportedID("511802", "pension_insurance_rate", "2024"), "511802", validReported()),
		change(t, KindTarget, TargetID("511802", "nursing_bed_share", 2025), "511802", validTarget()),
		{Kind: KindFacility, ID: "f1", Unit: village, Delete: true, Stamp: 5, Device: "d", Seq: 9},
	}
}

func TestValidateChangeEnvelope(t *testing.T) {
	ctx := testCtx()
	ch := change(t, KindFacility, "", village, validFacility())
	ch.Stamp, ch.Device, ch.Seq = 0, "", 0
	wantOnly(t, ValidateChange(nil, ch, ctx), "change.id", "change.stamp", "change.device", "change.seq")

	long := change(t, KindFacility, strings.Repeat("x", 129), village, validFacility())
	wantOnly(t, ValidateChange(nil, long, ctx), "change.id")
	ctrl := change(t, KindFacility, "a\x00b", village, validFacility())
	wantOnly(t, ValidateChange(nil, ctrl, ctx), "change.id")
	ok128 := change(t, KindFacility, strings.Repeat("x", 128), village, validFacility())
	wantOnly(t, ValidateChange(nil, ok128, ctx))

	bad := change(t, KindFacility, "f1", village, validFacility())
	bad.Kind = "bed"
	wantOnly(t, ValidateChange(nil, bad, ctx), "change.kind")

	empty := &Change{Kind: KindFacility, ID: "f1", Unit: village, Stamp: 1, Device: "d", Seq: 1}
	wantOnly(t, ValidateChange(nil, empty, ctx), "change.set")

	del := &Change{Kind: KindFacility, ID: "f1", Unit: village, Delete: true, Set: Fields{"name": MustMarshal("x")}, Stamp: 1, Device: "d", Seq: 1}
	wantOnly(t, ValidateChange(nil, del, ctx), "change.set")

	if ps := ValidateChange(nil, nil, ctx); len(ps) != 1 {
		t.Errorf("nil change: %v", ps)
	}
}

func TestValidateChangeUnits(t *testing.T) {
	ctx := testCtx()
	for _, tc := range []struct {
		name string
		unit Code
	}{
		{"outside scope", "511803100"},
		{"does not exist", "511802999"},
		{"bad shape", "51180x"},
		{"wrong level", "511802"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOnly(t, ValidateChange(nil, change(t, KindFacility, "f1", tc.unit, validFacility()), ctx), "facility.unit")
		})
	}
	// A delete is held to existence and scope, not to the level rule, so
	// a record filed at the wrong level can still be removed.
	del := &Change{Kind: KindFacility, ID: "f1", Unit: "511802", Delete: true, Stamp: 1, Device: "d", Seq: 1}
	wantOnly(t, ValidateChange(nil, del, ctx))
	del.Unit = "511803"
	wantOnly(t, ValidateChange(nil, del, ctx), "facility.unit")

	// The unit of an existing record cannot change.
	cur := apply(t, nil, change(t, KindFacility, "f1", village, validFacility()))
	moved := change(t, KindFacility, "f1", "511802001002", validFacility())
	wantOnly(t, ValidateChange(cur, moved, ctx), "facility.unit")
}

func TestValidateChangeFields(t *testing.T) {
	ctx := testCtx()
	base := func() *Change { return change(t, KindFacility, "f1", village, validFacility()) }

	ch := base()
	ch.Set["colour"] = MustMarshal("red")
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.colour")

	// Field names are exact: the decoder would fold "Name" into name.
	ch = base()
	ch.Set["Name"] = MustMarshal("别名")
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.Name")

	ch = base()
	ch.Set["medical"] = MustMarshal("yes")
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.medical")

	ch = base()
	ch.Set["name"] = MustMarshal(42)
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.name")

	ch = base()
	ch.Set["name"] = []byte{0x62, 0xff, 0xfe} // invalid UTF-8
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.name")

	ch = base()
	ch.Set["name"] = MustMarshal(strings.Repeat("长", MaxFieldValueSize/3+1))
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.name")

	capCh := change(t, KindCapacity, CapacityID("f1", "2025-05"), village, validCapacity())
	capCh.Set["beds_total"] = []byte{0x18, 0x0a} // 10, not in shortest form
	wantOnly(t, ValidateChange(nil, capCh, ctx), "capacity.beds_total")
	capCh.Set["beds_total"] = MustMarshal(10.0) // a float where a count belongs
	wantOnly(t, ValidateChange(nil, capCh, ctx), "capacity.beds_total")
	capCh.Set["beds_total"] = []byte{0xf6} // null
	wantOnly(t, ValidateChange(nil, capCh, ctx), "capacity.beds_total")

	// Several problems of different kinds come back together.
	ch = base()
	ch.Unit = "511803100"
	ch.Seq = 0
	ch.Set["colour"] = MustMarshal("red")
	ch.Set["status"] = MustMarshal("open")
	wantOnly(t, ValidateChange(nil, ch, ctx), "facility.unit", "change.seq", "facility.colour", "facility.status")
}

func TestValidateChangeDerivedIDs(t *testing.T) {
	ctx := testCtx()
	for _, tc := range []struct {
		name     string
		kind     Kind
		unit     Code
		v        any
		right    string
		wrongIDs []string
	}{
		{"capacity", KindCapacity, village, validCapacity(), CapacityID("f1", "2025-05"),
			[]string{NewID(), CapacityID("f1", "2025-04"), CapacityID("f2", "2025-05")}},
		{"population", KindPopulation, village, validPopulation(), PopulationID(village, 2024),
			[]string{NewID(), PopulationID(village, 2023), PopulationID(township, 2024)}},
		{"reported", KindReported, "511802", validReported(), ReportedID("511802", "pension_insurance_rate", "2024"),
			[]string{"rv:1", ReportedID("511802", "medical_insurance_rate", "2024"), ReportedID("511802", "pension_insurance_rate", "2023")}},
		{"target", KindTarget, "511802", validTarget(), TargetID("511802", "nursing_bed_share", 2025),
			[]string{"tg", TargetID("5118", "nursing_bed_share", 2025), TargetID("511802", "nursing_bed_share", 2024)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOnly(t, ValidateChange(nil, change(t, tc.kind, tc.right, tc.unit, tc.v), ctx))
			for _, id := range tc.wrongIDs {
				ps := ValidateChange(nil, change(t, tc.kind, id, tc.unit, tc.v), ctx)
				wantOnly(t, ps, "change.id")
			}
		})
	}
	// Editing a key field of an existing report would move it to another
	// month under the same id: refused.
	id := CapacityID("f1", "2025-05")
	cur := apply(t, nil, change(t, KindCapacity, id, village, validCapacity()))
	edit := &Change{Kind: KindCapacity, ID: id, Unit: village, Set: Fields{"period": MustMarshal("2025-04")},
		Stamp: MakeStamp(now.UnixMilli(), 1), Device: "dev-2", Seq: 1}
	wantOnly(t, ValidateChange(cur, edit, ctx), "change.id")
}

func TestValidateChangeMergedState(t *testing.T) {
	ctx := testCtx()
	id := CapacityID("f1", "2025-05")
	first := change(t, KindCapacity, id, village, validCapacity()) // total 10, nursing 6
	cur := apply(t, nil, first)

	// Device 2 edits only the total; with the stored nursing beds the
	// merged report would claim 6 nursing beds out of 5.
	edit := &Change{Kind: KindCapacity, ID: id, Unit: village, Set: Fields{"beds_total": MustMarshal(int64(5))},
		Stamp: first.Stamp + 10, Device: "dev-2", Seq: 1}
	ps := ValidateChange(cur, edit, ctx)
	wantOnly(t, ps, "capacity.beds_nursing", "capacity.beds_occupied")
	if !strings.Contains(ps[0].En+ps[1].En, "exceed total beds (5)") {
		t.Errorf("messages do not show the merged total: %v", ps)
	}

	// The same edit stamped before the stored one loses every field, so
	// the merged state is the stored, valid one.
	edit.Stamp = first.Stamp - 10
	wantOnly(t, ValidateChange(cur, edit, ctx))

	// A fresh report that sets only some fields is checked as a whole:
	// the required ones it lacks are reported.
	partial := &Change{Kind: KindCapacity, ID: id, Unit: village, Set: Fields{"beds_total": MustMarshal(int64(5))},
		Stamp: 1, Device: "d", Seq: 1}
	wantOnly(t, ValidateChange(nil, partial, ctx), "capacity.facility", "capacity.period")

	// Person: an ID number edit that disagrees with the stored birth date.
	pid := NewID()
	pcur := apply(t, nil, change(t, KindPerson, pid, village, validPerson(t)))
	idEdit := &Change{Kind: KindPerson, ID: pid, Unit: village, Set: Fields{"id_number": MustMarshal(mustID(t, "51180219410506123"))},
		Stamp: MakeStamp(now.UnixMilli(), 5), Device: "dev-2", Seq: 3}
	wantOnly(t, ValidateChange(pcur, idEdit, ctx), "person.birth_date")
}

func TestValidateChangeVisitsAreInsertOnly(t *testing.T) {
	ctx := testCtx()
	id := NewID()
	create := change(t, KindVisit, id, village, validVisit())
	cur := apply(t, nil, create)
	// Redelivery of the same change is harmless.
	wantOnly(t, ValidateChange(cur, create, ctx))
	edit := &Change{Kind: KindVisit, ID: id, Unit: village, Set: Fields{"outcome": MustMarshal("差")},
		Stamp: create.Stamp + 1, Device: "dev-1", Seq: 2}
	wantOnly(t, ValidateChange(cur, edit, ctx), "visit.outcome")
	// A correction is a new visit naming the old one.
	fix := validVisit()
	fix.Supersedes = id
	wantOnly(t, ValidateChange(nil, change(t, KindVisit, NewID(), village, fix), ctx))
	self := change(t, KindVisit, id, village, fix)
	wantOnly(t, ValidateChange(nil, self, ctx), "visit.supersedes")
	// Deleting a visit entered by mistake is allowed.
	del := &Change{Kind: KindVisit, ID: id, Unit: village, Delete: true, Stamp: create.Stamp + 2, Device: "dev-1", Seq: 3}
	wantOnly(t, ValidateChange(cur, del, ctx))
}

func TestValidateChangeAgainstOtherRecord(t *testing.T) {
	ctx := testCtx()
	cur := apply(t, nil, change(t, KindFacility, "f1", village, validFacility()))
	wantOnly(t, ValidateChange(cur, change(t, KindFacility, "f2", village, validFacility()), ctx), "change.id")
}

// TestRecordFieldsCoverEveryField makes sure the reflection table knows
// each record type's fields by their wire names.
func TestRecordFieldsCoverEveryField(t *testing.T) {
	for _, k := range Kinds {
		v, _ := NewValue(k)
		f, err := EncodeFields(v)
		if err != nil {
			t.Fatal(err)
		}
		for name := range f {
			if _, ok := recordFields[k][name]; !ok {
				t.Errorf("%s field %q missing from recordFields", k, name)
			}
		}
		if len(f) != alwaysEncoded(k) {
			t.Errorf("%s: %d encoded fields, %d known without omitempty", k, len(f), alwaysEncoded(k))
		}
	}
}
