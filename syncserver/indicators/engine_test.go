package indicators

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

var testNow = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// buildCity writes the hand-computed fixture the tests below check. The
// expected figures are worked out in the comments next to each record.
func buildCity(t *testing.T) *fixture {
	f := newFixture(t)
	const (
		street = schema.Code("990201001") // 甲街道: villages 001, 002
		town   = schema.Code("990201002") // 乙镇: villages 001, 002, 003
		other  = schema.Code("990202001") // 丁镇 in county 990202
	)
	fac := func(id string, unit schema.Code, kind schema.FacilityKind, own schema.Ownership, incl bool, st schema.FacilityStatus) schema.Facility {
		fa := schema.Facility{Name: id, Kind: kind, Ownership: own, Inclusive: incl, Status: st, Filing: schema.FilingNone}
		f.put(id, unit, fa)
		return fa
	}
	capa := func(fid string, unit schema.Code, period string, c schema.Capacity) {
		c.Facility, c.Period = fid, period
		f.put(schema.CapacityID(fid, period), unit, c)
	}
	op := schema.StatusOperating

	// County 990201, 甲街道.
	fac("F1", street, schema.FKStreetCenter, schema.OwnPublic, false, op)
	capa("F1", street, "2025-05", schema.Capacity{BedsTotal: 20, BedsNursing: 5, CareStaff: 3})
	capa("F1", street, "2025-06", schema.Capacity{BedsTotal: 30, BedsNursing: 10, CareStaff: 4}) // latest ≤ 2025-06
	capa("F1", street, "2025-07", schema.Capacity{BedsTotal: 99})                                // after the period
	fac("F2", street+"001", schema.FKElderlyInstitution, schema.OwnPrivate, true, op)
	capa("F2", street+"001", "2024-12", schema.Capacity{BedsTotal: 80})
	capa("F2", street+"001", "2025-03", schema.Capacity{BedsTotal: 100, BedsNursing: 60, CareStaff: 10})
	fac("F3", street+"002", schema.FKDayCare, schema.OwnPublicPrivate, false, op) // no report: 0 beds, covers its village
	fac("F4", street+"001", schema.FKElderlyInstitution, schema.OwnPublic, false, schema.StatusClosed)
	capa("F4", street+"001", "2025-06", schema.Capacity{BedsTotal: 500})
	f5 := schema.Facility{Name: "F5", Kind: schema.FKChildcareInst, Ownership: schema.OwnPrivate, Inclusive: true,
		Demo: true, Filing: schema.FilingFiled, Status: op}
	f.put("F5", street+"001", f5)
	capa("F5", street+"001", "2025-06", schema.Capacity{PlacesTotal: 50, PlacesInclusive: 30, CareStaff: 6, CertifiedStaff: 3})

	// County 990201, 乙镇.
	fac("F6", town+"001", schema.FKTekunHome, schema.OwnPublic, false, op)
	capa("F6", town+"001", "2025-01", schema.Capacity{BedsTotal: 40, BedsNursing: 20, CareStaff: 5})
	fac("F7", town, schema.FKTownshipCenter, schema.OwnPublic, false, op)
	capa("F7", town, "2025-06", schema.Capacity{BedsTotal: 10, CareStaff: 2})
	fac("F8", town+"002", schema.FKRuralHappiness, schema.OwnPublic, false, op)
	capa("F8", town+"002", "2025-06", schema.Capacity{BedsTotal: 5})
	f9 := fac("F9", town+"003", schema.FKFamilyChildcare, schema.OwnPrivate, false, op)
	f9.Filing = schema.FilingPending
	f.put("F9", town+"003", f9)
	capa("F9", town+"003", "2025-06", schema.Capacity{PlacesTotal: 10, CareStaff: 2, CertifiedStaff: 2})
	fac("F10", town+"001", schema.FKElderlyInstitution, schema.OwnPublic, false, op)
	capa("F10", town+"001", "2025-06", schema.Capacity{BedsTotal: 1000})
	f.del(schema.KindFacility, "F10", town+"001")

	// County 990202.
	fac("F11", other+"001", schema.FKCountyElderlyCenter, schema.OwnPublic, false, op)
	capa("F11", other+"001", "2025-06", schema.Capacity{BedsTotal: 200, BedsNursing: 150, CareStaff: 30})
	f.put("F12", other, schema.Facility{Name: "F12", Kind: schema.FKChildcareGuidance, Ownership: schema.OwnPublic,
		Filing: schema.FilingFiled, Status: op})

	// Persons of 甲街道 and their visits; the report month is 2025-06.
	person := func(id string, unit schema.Code, p schema.Person) { p.Name = id; f.put(id, unit, p) }
	visit := func(id string, unit schema.Code, v schema.Visit) { f.put(id, unit, v) }
	s1 := street + "001"
	person("P1", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatAlone}})
	visit("V01", s1, schema.Visit{Person: "P1", Date: "2025-06-10", Kind: schema.VisitMonthly})
	visit("V10", s1, schema.Visit{Person: "P1", Date: "2025-06-12", Kind: schema.VisitMonthly})
	f.del(schema.KindVisit, "V10", s1) // deleted: does not count
	person("P2", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatDisabled, schema.CatTekun},
		SupportMode: schema.SupportCentralized, WantsCentralized: true})
	visit("V02", s1, schema.Visit{Person: "P2", Date: "2025-06-02", Kind: schema.VisitMonthly})
	// The correction moves the visit to May: P2 is not visited in June.
	visit("V03", s1, schema.Visit{Person: "P2", Date: "2025-05-30", Kind: schema.VisitMonthly, Supersedes: "V02"})
	visit("V04", s1, schema.Visit{Person: "P2", Date: "2025-06-15", Kind: schema.VisitDisabledSupport})
	person("P3", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatOldest}})
	visit("V05", s1, schema.Visit{Person: "P3", Date: "2025-05-20", Kind: schema.VisitMonthly})
	visit("V11", s1, schema.Visit{Person: "P3", Date: "2025-06-11", Kind: schema.VisitMonthly})
	// A deleted correction hides nothing: V11 still counts.
	visit("V12", s1, schema.Visit{Person: "P3", Date: "2025-04-01", Kind: schema.VisitMonthly, Supersedes: "V11"})
	f.del(schema.KindVisit, "V12", s1)
	person("P4", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatNewborn}})
	visit("V06", s1, schema.Visit{Person: "P4", Date: "2025-01-05", Kind: schema.VisitNewborn})
	person("P5", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatNewborn}})
	// Born and visited the year before: not one of 2025's births.
	visit("V14", s1, schema.Visit{Person: "P5", Date: "2024-12-28", Kind: schema.VisitNewborn})
	person("P6", street, schema.Person{Categories: []schema.PersonCategory{schema.CatDisabled}})
	// A chain of corrections: V09 replaces V08, which replaced V07. Only
	// V09 (a monthly visit) counts, so P6 is visited but not supported.
	visit("V07", street, schema.Visit{Person: "P6", Date: "2025-06-01", Kind: schema.VisitDisabledSupport})
	visit("V08", street, schema.Visit{Person: "P6", Date: "2025-06-03", Kind: schema.VisitDisabledSupport, Supersedes: "V07"})
	visit("V09", street, schema.Visit{Person: "P6", Date: "2025-06-20", Kind: schema.VisitMonthly, Supersedes: "V08"})
	person("P7", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatTekun}, SupportMode: schema.SupportDispersed, WantsCentralized: true})
	person("P8", s1, schema.Person{Categories: []schema.PersonCategory{schema.CatAlone}})
	visit("V13", s1, schema.Visit{Person: "P8", Date: "2025-06-13", Kind: schema.VisitMonthly})
	f.del(schema.KindPerson, "P8", s1) // deleted person: counts nowhere
	person("P9", town, schema.Person{Categories: []schema.PersonCategory{schema.CatDisabled, schema.CatTekun}, SupportMode: schema.SupportDispersed})

	// Population. 甲街道 entered its own; 乙镇 only its villages; county
	// 990202 entered a county total (without the 60+ figure) and its town
	// entered one too, which must not count twice.
	pop := func(unit schema.Code, year, res, a60 int64) {
		f.put(schema.PopulationID(unit, year), unit, schema.Population{Year: year, Resident: res, Aged60: a60})
	}
	pop(street, 2024, 10000, 2000)
	// 甲街道 had 4 births in 2025: the newborn visit rate's denominator.
	f.put(schema.PopulationID(street, 2025), street, schema.Population{Year: 2025, Resident: 11000, Aged60: 2200, Births: 4})
	pop(street, 2026, 99999, 9999) // after the report year
	pop(town+"001", 2025, 3000, 900)
	pop(town+"002", 2025, 2000, 500)
	pop("990202", 2025, 8000, 0)
	pop(other, 2025, 7000, 1000)

	// Reported values.
	rep := func(unit schema.Code, ind, period string, v float64) {
		f.put(schema.ReportedID(unit, ind, period), unit, schema.Reported{Indicator: ind, Period: period, Value: v, Department: "市人社局"})
	}
	rep("9902", "pension_insurance_rate", "2024", 91)
	rep("9902", "pension_insurance_rate", "2025-03", 92.5) // latest ≤ 2025-06
	rep("9902", "pension_insurance_rate", "2025-09", 99)
	rep(street, "key_elderly_enterprises", "2025-01", 2)
	rep(town, "key_elderly_enterprises", "2024", 3)
	rep("990202", "key_elderly_enterprises", "2025", 7) // the year ends after 2025-06
	rep("990202", "key_elderly_enterprises", "2024", 4)

	// Targets.
	f.put(schema.TargetID("9902", "beds_total", 2025), "9902", schema.Target{Indicator: "beds_total", Year: 2025, Value: 500, ValueText: "500"})
	f.put(schema.TargetID("990201", "beds_total", 2025), "990201", schema.Target{Indicator: "beds_total", Year: 2025, Value: 300, ValueText: "300"})

	// Devices: 甲街道 synced yesterday (through a village device), 乙镇 two
	// months ago, 丙乡 never; the county office account does not count.
	f.device("d-street", street, store.RoleSite, testNow.Add(-48*time.Hour))
	f.device("d-street-v", street+"001", store.RoleSite, testNow.Add(-24*time.Hour))
	f.device("d-town", town, store.RoleSite, testNow.Add(-60*24*time.Hour))
	f.device("d-office", "990201", store.RoleOffice, testNow)
	f.device("d-other", other, store.RoleSite, testNow.Add(-time.Hour))
	f.commit()
	return f
}

func evaluate(t *testing.T, st store.Store, divs *schema.Divisions, scope schema.Code, period string) *Result {
	t.Helper()
	p, err := ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Store: st, Divisions: func() *schema.Divisions { return divs }, Now: func() time.Time { return testNow }}
	r, err := e.Evaluate(context.Background(), scope, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func value(t *testing.T, r *Result, unit schema.Code, id string) Value {
	t.Helper()
	v, ok := r.Value(unit, id)
	if !ok {
		t.Fatalf("no value of %s for %s", id, unit)
	}
	return v
}

func wantValue(t *testing.T, r *Result, unit schema.Code, id string, want float64) {
	t.Helper()
	v := value(t, r, unit, id)
	if !v.Present {
		t.Errorf("%s %s: absent (%s), want %.4f", unit, id, v.Reason, want)
		return
	}
	if math.Abs(v.Value-want) > 1e-9 {
		t.Errorf("%s %s = %.6f, want %.6f (%v / %v)", unit, id, v.Value, want, v.Numerator, v.Denominator)
	}
}

func wantAbsent(t *testing.T, r *Result, unit schema.Code, id, reason string) {
	t.Helper()
	v := value(t, r, unit, id)
	if v.Present {
		t.Errorf("%s %s = %v, want absent", unit, id, v.Value)
		return
	}
	if !strings.Contains(v.Reason, reason) {
		t.Errorf("%s %s: reason %q, want it to mention %q", unit, id, v.Reason, reason)
	}
}

func TestEngineCounty(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	r := evaluate(t, f.st, divs, "9902", "2025-06")
	const c = "990201"

	// Beds over operating elderly-care facilities, latest report ≤ June:
	// F1 30, F2 100, F3 0, F6 40, F7 10, F8 5.
	wantValue(t, r, c, "beds_total", 185)
	wantValue(t, r, c, "elderly_nursing_staff", 4+10+0+5+2+0)
	// Institutions F2 (100/60) and F6 (40/20).
	wantValue(t, r, c, "nursing_bed_share", 80.0/140*100)
	wantValue(t, r, c, "socialized_bed_share", 100.0/185*100)        // F2 民办, F3 公建民营 (0 beds)
	wantValue(t, r, c, "inclusive_elderly_bed_share", 100.0/185*100) // F2
	wantValue(t, r, c, "safety_net_and_inclusive_bed_share", 140.0/185*100)
	// Population: 甲街道 2025 (2200) + 乙镇's villages (900+500).
	wantValue(t, r, c, "beds_per_1000_elderly", 185.0/3600*1000)
	// Childcare F5 (50/30, staff 6/3) and F9 (10/0, 2/2).
	wantValue(t, r, c, "places_total", 60)
	wantValue(t, r, c, "inclusive_place_share", 50)
	wantValue(t, r, c, "childcare_certified_rate", 5.0/8*100)
	wantValue(t, r, c, "childcare_care_staff", 8)
	wantValue(t, r, c, "places_per_1000", 60.0/16000*1000)
	wantValue(t, r, c, "childcare_institutions_filed", 1)
	wantValue(t, r, c, "demo_childcare_institutions", 1)
	// Coverage over the registry's 6 villages and 3 townships.
	wantValue(t, r, c, "community_care_coverage", 2.0/6*100)
	wantValue(t, r, c, "community_childcare_coverage", 2.0/6*100)
	wantValue(t, r, c, "township_center_coverage", 2.0/3*100)
	wantValue(t, r, c, "street_center_coverage", 100)
	wantValue(t, r, c, "street_childcare_coverage", 100)
	wantValue(t, r, c, "township_inclusive_childcare_coverage", 1.0/3*100)
	wantValue(t, r, c, "township_demo_inclusive_childcare", 1.0/3)
	// Persons: special P1 P2 P3 P6 P7 P9; visited in June P1 (V01), P3
	// (V11; its deleted correction hides nothing), P6 (V09).
	wantValue(t, r, c, "visit_rate_special", 50)
	wantValue(t, r, c, "visit_rate_disabled_poor", 0) // P2's June visit was corrected to May; P9 unvisited
	wantValue(t, r, c, "disabled_poor_centralized_rate", 50)
	wantValue(t, r, c, "disabled_support_rate", 100.0/3) // P2 only: P6's support visits were replaced
	// Newborns visited in 2025 up to June (P4; P5's visit was in 2024)
	// over 2025's births (4).
	wantValue(t, r, c, "newborn_visit_rate", 25)
	// 乡镇 without 街道: 乙镇 has its centre, 丙乡 none. 社区 apart from 村:
	// 二社区 has a day-care centre (F3), of 4 村 only 乙镇's 二村 has a
	// 幸福院 (F8).
	wantValue(t, r, c, "town_center_coverage", 50)
	wantValue(t, r, c, "urban_community_care_coverage", 50)
	wantValue(t, r, c, "rural_home_care_coverage", 25)
	wantValue(t, r, c, "willing_centralized_support_rate", 50)
	// Reported counts add up from townships; rates do not.
	wantValue(t, r, c, "key_elderly_enterprises", 5)
	wantAbsent(t, r, c, "pension_insurance_rate", "未填报")
	wantValue(t, r, "9902", "pension_insurance_rate", 92.5)
	if v := value(t, r, "9902", "pension_insurance_rate"); v.Period != "2025-03" || v.Department != "市人社局" {
		t.Errorf("reported value from period %q by %q, want 2025-03 by 市人社局", v.Period, v.Department)
	}
	wantValue(t, r, "990202", "key_elderly_enterprises", 4)
	wantValue(t, r, "9902", "key_elderly_enterprises", 9)

	// The city adds its counties; county 990202's own population record
	// speaks for it (aged 60+ not entered), not its town's.
	wantValue(t, r, "9902", "beds_total", 385)
	wantValue(t, r, "9902", "beds_per_1000_elderly", 385.0/3600*1000)
	if p := r.Units["9902"].Population; p.Resident != 24000 || p.Aged60 != 3600 || p.Records != 4 {
		t.Errorf("city population %+v, want resident 24000, aged60 3600 from 4 records", p)
	}
	wantValue(t, r, "990202001", "beds_per_1000_elderly", 200.0/1000*1000)
	wantValue(t, r, "990202", "county_elderly_centers", 1)
	wantValue(t, r, "990202", "city_childcare_guidance_centers", 1)
	wantValue(t, r, "990202", "nursing_bed_share", 75)
}

func TestEngineEmptyDenominators(t *testing.T) {
	f := buildCity(t)
	r := evaluate(t, f.st, testDivisions(t), "9902", "2025-06")
	wantAbsent(t, r, "990202", "beds_per_1000_elderly", "无60岁以上人口数据 / no population aged 60+ recorded")
	wantAbsent(t, r, "990202", "inclusive_place_share", "无托位数据")
	wantAbsent(t, r, "990202", "visit_rate_special", "无登记的特殊困难老年人")
	wantAbsent(t, r, "990202", "street_center_coverage", "辖区内无街道")
	// 丙乡 has units but no records at all.
	wantAbsent(t, r, "990201003", "community_care_coverage", noDataReason)
	for _, v := range r.Units["990201003"].Values {
		if v.Present {
			t.Errorf("丙乡 %s = %v, want absent: nothing was ever entered", v.Indicator, v.Value)
		}
	}
}

func TestEngineUnitWithoutData(t *testing.T) {
	f := buildCity(t)
	r := evaluate(t, f.st, testDivisions(t), "9902", "2025-06")
	u := r.Units["990203"]
	if u == nil || u.Records != 0 {
		t.Fatalf("county 990203: %+v, want a unit with no records", u)
	}
	for _, v := range u.Values {
		if v.Present {
			t.Errorf("990203 %s = %v, want absent", v.Indicator, v.Value)
		}
		if !strings.Contains(v.Reason, "无") && !strings.Contains(v.Reason, "未填报") {
			t.Errorf("990203 %s: reason %q does not say what is missing", v.Indicator, v.Reason)
		}
	}
	v := value(t, r, "990203", "beds_total")
	if !reflect.DeepEqual(v.Lineage.Missing, []schema.Code{"990203001"}) || len(v.Lineage.Contributors) != 0 {
		t.Errorf("lineage %+v, want township 990203001 missing and no contributor", v.Lineage)
	}
	// The empty county adds nothing to the city and breaks nothing.
	wantValue(t, r, "9902", "beds_total", 385)
}

func TestEngineLineage(t *testing.T) {
	f := buildCity(t)
	r := evaluate(t, f.st, testDivisions(t), "9902", "2025-06")
	v := value(t, r, "990201", "beds_total")
	// Six operating facilities and the five latest reports they have.
	if v.Lineage.Records != 11 {
		t.Errorf("beds_total from %d records, want 11", v.Lineage.Records)
	}
	want := []Contribution{
		{Unit: "990201001", Records: 5, LastSync: testNow.Add(-24 * time.Hour)},
		{Unit: "990201002", Records: 6, LastSync: testNow.Add(-60 * 24 * time.Hour)},
	}
	if len(v.Lineage.Contributors) != len(want) {
		t.Fatalf("contributors %+v, want %+v", v.Lineage.Contributors, want)
	}
	for i, c := range v.Lineage.Contributors {
		if c.Unit != want[i].Unit || c.Records != want[i].Records || !c.LastSync.Equal(want[i].LastSync) {
			t.Errorf("contributor %+v, want %+v", c, want[i])
		}
	}
	if !reflect.DeepEqual(v.Lineage.Missing, []schema.Code{"990201003"}) {
		t.Errorf("missing %v, want [990201003]", v.Lineage.Missing)
	}
	// The share reads the institutions (F2, F6) and their reports once.
	if v := value(t, r, "990201", "nursing_bed_share"); v.Lineage.Records != 4 {
		t.Errorf("nursing_bed_share from %d records, want 4", v.Lineage.Records)
	}
	// Six persons and the three visits that made three of them visited.
	if v := value(t, r, "990201", "visit_rate_special"); v.Lineage.Records != 9 {
		t.Errorf("visit_rate_special from %d records, want 9", v.Lineage.Records)
	}
	// Beds (11) and the three population records of the county.
	v = value(t, r, "990201", "beds_per_1000_elderly")
	if v.Lineage.Records != 14 {
		t.Errorf("beds_per_1000_elderly from %d records, want 14", v.Lineage.Records)
	}
	if len(v.Lineage.Contributors) != 2 || v.Lineage.Contributors[0].Records != 6 || v.Lineage.Contributors[1].Records != 8 {
		t.Errorf("beds_per_1000_elderly contributors %+v, want 甲街道 6 and 乙镇 8", v.Lineage.Contributors)
	}
	// A county's own population record is credited to the county.
	v = value(t, r, "990202", "places_per_1000")
	if len(v.Lineage.Contributors) == 0 || v.Lineage.Contributors[0].Unit != "990202" {
		t.Errorf("places_per_1000 of 990202: contributors %+v, want the county's own record", v.Lineage.Contributors)
	}
}

func TestEngineStaleTownships(t *testing.T) {
	f := buildCity(t)
	r := evaluate(t, f.st, testDivisions(t), "9902", "2025-06")
	for code, want := range map[schema.Code]struct {
		last    time.Time
		devices int
		stale   bool
	}{
		"990201001": {testNow.Add(-24 * time.Hour), 2, false},
		"990201002": {testNow.Add(-60 * 24 * time.Hour), 1, true},
		"990201003": {time.Time{}, 0, true},
		"990202001": {testNow.Add(-time.Hour), 1, false},
		"990203001": {time.Time{}, 0, true},
	} {
		s := r.Townships[code]
		if s == nil {
			t.Errorf("no sync status for %s", code)
			continue
		}
		if !s.LastSync.Equal(want.last) || s.Devices != want.devices || s.Stale != want.stale {
			t.Errorf("%s: last sync %v, %d devices, stale %v; want %v, %d, %v", code, s.LastSync, s.Devices, s.Stale,
				want.last, want.devices, want.stale)
		}
	}
	// 14 visits written, V10 and V12 deleted; V13 to a deleted person
	// is still a live record.
	if n := r.Townships["990201001"].Records[schema.KindVisit]; n != 12 {
		t.Errorf("甲街道 has %d live visits, want 12", n)
	}
}

func TestEngineLatestCapacityPerFacility(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	// As of 2025-05 F1's May report (20 beds) is the latest, F2's March
	// one still holds, F7 and F8 have none yet, F6 has January's.
	r := evaluate(t, f.st, divs, "990201001", "2025-05")
	wantValue(t, r, "990201001", "beds_total", 20+100)
	r = evaluate(t, f.st, divs, "990201", "2025-05")
	wantValue(t, r, "990201", "beds_total", 20+100+40)
	// As of 2024 only F2's December report exists.
	r = evaluate(t, f.st, divs, "990201", "2024")
	wantValue(t, r, "990201", "beds_total", 80)
	// A whole year reads the December month for monthly visits: nobody
	// was visited in December 2025.
	r = evaluate(t, f.st, divs, "990201", "2025")
	wantValue(t, r, "990201", "visit_rate_special", 0)
	wantValue(t, r, "990201", "beds_total", 99+100+40+10+5) // F1's July report is the latest of 2025
}

func TestEngineSubScopes(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	city := evaluate(t, f.st, divs, "9902", "2025-06")
	for _, scope := range []schema.Code{"990201", "990201001", "990201002"} {
		r := evaluate(t, f.st, divs, scope, "2025-06")
		for _, ind := range r.Indicators {
			a, b := value(t, r, scope, ind.ID), value(t, city, scope, ind.ID)
			if a.Present != b.Present || math.Abs(a.Value-b.Value) > 1e-9 {
				t.Errorf("%s %s: alone %v/%v, within the city %v/%v", scope, ind.ID, a.Present, a.Value, b.Present, b.Value)
			}
		}
	}
	// A village scope counts only itself.
	r := evaluate(t, f.st, divs, "990201001002", "2025-06")
	wantValue(t, r, "990201001002", "community_care_coverage", 100) // F3 stands there
	wantAbsent(t, r, "990201001002", "township_center_coverage", "辖区内无乡镇")
}

// plainStore hides the raw scan, so the engine takes the ScanRecords path.
type plainStore struct{ store.Store }

func TestEngineScanPathsAgree(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	raw := evaluate(t, f.st, divs, "9902", "2025-06")
	plain := evaluate(t, plainStore{f.st}, divs, "9902", "2025-06")
	if !reflect.DeepEqual(raw.Units, plain.Units) {
		t.Error("the raw scan and ScanRecords give different results")
	}
	if raw.Scanned != plain.Scanned || raw.Scanned == 0 {
		t.Errorf("scanned %d and %d records", raw.Scanned, plain.Scanned)
	}
}

// TestEveryMeasureImplemented walks schema.Measures, as the schema
// package asks, and every computed indicator of the catalogue.
func TestEveryMeasureImplemented(t *testing.T) {
	for _, m := range schema.Measures {
		if _, err := lookupMeasure(m); err != nil {
			t.Error(err)
		}
		if zh, en := MeasureLabel(m); zh == string(m) || en == "" {
			t.Errorf("measure %s has no label", m)
		}
	}
	if len(measureInfos) != len(schema.Measures) {
		t.Errorf("engine knows %d measures, schema lists %d", len(measureInfos), len(schema.Measures))
	}
	f := buildCity(t)
	r := evaluate(t, f.st, testDivisions(t), "9902", "2025-06")
	for _, v := range r.Units["990201"].Values {
		if strings.Contains(v.Reason, "formula") {
			t.Errorf("%s: %s", v.Indicator, v.Reason)
		}
	}
}

func TestEngineTargetsAndScopeErrors(t *testing.T) {
	f := buildCity(t)
	divs := testDivisions(t)
	r := evaluate(t, f.st, divs, "9902", "2025-06")
	if len(r.Targets) != 2 {
		t.Fatalf("found %d targets, want 2", len(r.Targets))
	}
	e := &Engine{Store: f.st, Divisions: func() *schema.Divisions { return divs }}
	if _, err := e.Evaluate(context.Background(), "990299", Period{Year: 2025}); err == nil {
		t.Error("an unknown unit was evaluated")
	}
}
