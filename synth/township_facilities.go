package synth

import (
	"fmt"
	"time"

	"laoxiao/schema"
)

// townFacility is a generated facility with its id and kind.
type townFacility struct {
	id   string
	unit schema.Code
	f    schema.Facility
}

func (g *townshipGen) facilities() ([]townFacility, error) {
	town := g.town.Name
	v := func(i int) schema.Unit { return g.village(i) }
	mk := func(name string, unit schema.Code, kind schema.FacilityKind, own schema.Ownership, inclusive, medical, demoFlag bool, filing schema.Filing, opened, addr string) townFacility {
		return townFacility{id: schema.NewID(), unit: unit, f: schema.Facility{Name: name, Kind: kind, Ownership: own,
			Inclusive: inclusive, Filing: filing, Opened: opened, Status: schema.StatusOperating, Medical: medical,
			Demo: demoFlag, Address: addr}}
	}
	tc := g.town.Code
	facs := []townFacility{
		mk(town+"敬老院", tc, schema.FKTekunHome, schema.OwnPublic, true, true, false, schema.FilingFiled, "2008-06-18", town+"场镇福寿街12号"),
		mk(town+"区域养老服务中心", tc, schema.FKTownshipCenter, schema.OwnPublicPrivate, true, true, false, schema.FilingFiled, "2021-10-09", town+"场镇康宁路8号"),
		mk("雅安康乐颐养院", v(3).Code, schema.FKElderlyInstitution, schema.OwnPrivate, false, true, false, schema.FilingFiled, "2016-04-01", shortName(v(3))+"3组"),
		mk(shortName(v(0))+"日间照料中心", v(0).Code, schema.FKDayCare, schema.OwnPublic, true, false, false, schema.FilingFiled, "2019-09-20", shortName(v(0))+"党群服务中心一楼"),
		mk(shortName(v(1))+"日间照料中心", v(1).Code, schema.FKDayCare, schema.OwnPublicPrivate, true, false, false, schema.FilingPending, "2023-03-15", shortName(v(1))+"文化广场旁"),
		mk(town+"老年助餐点", v(0).Code, schema.FKMealPoint, schema.OwnPublicPrivate, true, false, false, schema.FilingNone, "2024-01-08", shortName(v(0))+"幸福巷5号"),
		mk(town+"中心幼儿园托班", tc, schema.FKKindergartenClass, schema.OwnPublic, true, false, false, schema.FilingFiled, "2022-09-01", town+"场镇育才路2号"),
		mk(shortName(v(1))+"托育点", v(1).Code, schema.FKCommunityChildcare, schema.OwnPublicPrivate, true, false, true, schema.FilingFiled, "2023-06-01", shortName(v(1))+"邻里中心二楼"),
		mk("小太阳家庭托育点", v(0).Code, schema.FKFamilyChildcare, schema.OwnPrivate, false, false, false, schema.FilingPending, "2024-05-20", shortName(v(0))+"滨河路17号"),
		mk("贝贝佳托育中心", v(0).Code, schema.FKChildcareInst, schema.OwnPrivate, true, false, true, schema.FilingFiled, "2020-08-15", shortName(v(0))+"新华路36号"),
	}
	for i, idx := range []int{2, 4, 6, 8, 10, 13, 16} {
		if idx >= len(g.villages) {
			break
		}
		u := g.villages[idx]
		f := mk(shortName(u)+"农村幸福院", u.Code, schema.FKRuralHappiness, schema.OwnPublic, true, false, false,
			schema.FilingNone, fmt.Sprintf("%d-0%d-1%d", 2018+i%5, 3+i%6, i%9), shortName(u)+"村委会旁")
		if i == 5 {
			f.f.Status = schema.StatusSuspended
		}
		facs = append(facs, f)
	}
	kinds := schema.FacilityKinds
	for i := 0; i < g.cfg.Facilities; i++ {
		k := kinds[i%len(kinds)]
		u := g.village(i * 7)
		f := mk(fmt.Sprintf("%s第%d%s", shortName(u), i/len(kinds)+1, k.Label), u.Code, k.Kind,
			[]schema.Ownership{schema.OwnPublic, schema.OwnPublicPrivate, schema.OwnPrivate}[i%3],
			i%2 == 0, i%5 == 0, i%11 == 0, schema.FilingFiled, "2019-03-01", fmt.Sprintf("%s%d组", shortName(u), i%9+1))
		if i%17 == 16 {
			f.f.Status = schema.StatusClosed
		}
		facs = append(facs, f)
	}
	for _, f := range facs {
		if err := g.add(schema.KindFacility, f.id, f.unit, f.f); err != nil {
			return nil, err
		}
		g.sum.Facilities++
	}
	return facs, g.flush()
}

// capacityBase is a facility kind's typical monthly figures.
type capacityBase struct{ beds, nursing, occupied, places, inclusive, enrolled, staff, certified int64 }

var capacityBases = map[schema.FacilityKind]capacityBase{
	schema.FKTekunHome:           {beds: 80, nursing: 36, occupied: 61, staff: 12, certified: 9},
	schema.FKTownshipCenter:      {beds: 30, nursing: 12, occupied: 19, staff: 6, certified: 4},
	schema.FKStreetCenter:        {beds: 30, nursing: 12, occupied: 21, staff: 6, certified: 4},
	schema.FKElderlyInstitution:  {beds: 120, nursing: 72, occupied: 93, staff: 21, certified: 16},
	schema.FKCountyElderlyCenter: {beds: 200, nursing: 130, occupied: 150, staff: 35, certified: 30},
	schema.FKDayCare:             {beds: 10, nursing: 0, occupied: 4, staff: 3, certified: 1},
	schema.FKRuralHappiness:      {beds: 6, nursing: 0, occupied: 2, staff: 2, certified: 0},
	schema.FKMealPoint:           {staff: 3, certified: 1},
	schema.FKChildcareInst:       {places: 80, inclusive: 50, enrolled: 61, staff: 14, certified: 11},
	schema.FKKindergartenClass:   {places: 40, inclusive: 40, enrolled: 31, staff: 5, certified: 4},
	schema.FKCommunityChildcare:  {places: 30, inclusive: 30, enrolled: 22, staff: 4, certified: 3},
	schema.FKFamilyChildcare:     {places: 10, inclusive: 0, enrolled: 8, staff: 2, certified: 1},
	schema.FKEmployerChildcare:   {places: 25, inclusive: 10, enrolled: 18, staff: 4, certified: 3},
	schema.FKChildcareGuidance:   {places: 20, inclusive: 20, enrolled: 9, staff: 5, certified: 5},
	schema.FKCountyChildcare:     {places: 100, inclusive: 80, enrolled: 72, staff: 18, certified: 15},
}

// months returns the n months ending with the current one, oldest first.
func (g *townshipGen) months(n int) []string {
	t, _ := time.Parse(schema.MonthLayout, g.month)
	out := make([]string, n)
	for i := range out {
		out[n-1-i] = t.AddDate(0, -i, 0).Format(schema.MonthLayout)
	}
	return out
}

func (g *townshipGen) capacity(facs []townFacility) error {
	months := g.months(g.cfg.Months)
	for fi, f := range facs {
		b := capacityBases[f.f.Kind]
		if f.f.Status == schema.StatusClosed {
			continue
		}
		for mi, m := range months {
			// The current month is half entered: what the sheet looks
			// like on the 25th.
			if m == g.month && fi%2 == 1 {
				continue
			}
			jit := func(v, spread int64) int64 {
				if v == 0 {
					return 0
				}
				return max(0, v+g.rng.Int64N(2*spread+1)-spread)
			}
			c := schema.Capacity{Facility: f.id, Period: m, BedsTotal: b.beds, BedsNursing: b.nursing,
				PlacesTotal: b.places, PlacesInclusive: b.inclusive, CareStaff: b.staff, CertifiedStaff: b.certified}
			// Capacity grows a little over the year, occupancy moves.
			if mi >= len(months)/2 && b.beds >= 30 {
				c.BedsTotal += 6
				c.BedsNursing += 4
			}
			c.BedsOccupied = min(c.BedsTotal, jit(b.occupied, 3))
			c.ChildrenEnrolled = min(c.PlacesTotal, jit(b.enrolled, 3))
			if err := g.add(schema.KindCapacity, "", f.unit, c); err != nil {
				return err
			}
			g.sum.Capacity++
		}
	}
	return g.flush()
}
