package synth

import (
	"fmt"
	"math/rand/v2"

	"laoxiao/schema"
)

// cityPlanner carries PlanCity's state. Every step draws from one random
// source in a fixed order, so a seed always gives the same city: reorder
// the steps or their draws and every generated figure moves.
type cityPlanner struct {
	divs  *schema.Divisions
	rng   *rand.Rand
	towns []schema.Code
	out   []PlannedTownship
}

// population names the townships and splits the plan's population totals
// over them, streets twice as dense as rural townships.
func (p *cityPlanner) population() {
	p.out = make([]PlannedTownship, len(p.towns))
	weights := make([]float64, len(p.towns))
	for i, c := range p.towns {
		u, _ := p.divs.Lookup(c)
		p.out[i] = PlannedTownship{Code: c, Name: u.Name}
		weights[i] = 0.5 + p.rng.Float64()
		if u.IsStreet() {
			weights[i] *= 2 // urban streets are denser
		}
	}
	split := func(total int64) []int64 { return splitExact(total, weights) }
	res, a60, a65, a03, births := split(ResidentTotal), split(Aged60Total), split(Aged65Total), split(Aged0to3Total), split(BirthsTotal)
	for i := range p.out {
		p.out[i].Population = schema.Population{Year: PlanYear, Resident: res[i], Aged60: a60[i], Aged65: a65[i], Aged0to3: a03[i], Births: births[i]}
	}
}

func (p *cityPlanner) villagesOf(i int) []schema.Code {
	v := p.divs.Descendants(p.towns[i], schema.LevelVillage)
	if len(v) == 0 {
		return []schema.Code{p.towns[i]}
	}
	return v
}

func (p *cityPlanner) isStreet(i int) bool { u, _ := p.divs.Lookup(p.towns[i]); return u.IsStreet() }

// capacity is a planned facility's figures in the last month.
type capacity struct{ beds, nursing, places, inclusive, staff int64 }

// place puts facility f in a random village of township i, with a report
// per month of PlanMonths.
func (p *cityPlanner) place(i int, f schema.Facility, c capacity) {
	vs := p.villagesOf(i)
	fp := FacilityPlan{Unit: vs[p.rng.IntN(len(vs))], Facility: f}
	last := len(PlanMonths) - 1
	for m, month := range PlanMonths {
		// Earlier months run a little lower: capacity grows over the
		// quarter, and the last month holds the stated totals.
		scale := 1 - 0.02*float64(last-m)
		r := schema.Capacity{Period: month,
			BedsTotal: scaleDown(c.beds, scale), BedsNursing: scaleDown(c.nursing, scale),
			PlacesTotal: scaleDown(c.places, scale), PlacesInclusive: scaleDown(c.inclusive, scale),
			CareStaff: c.staff, CertifiedStaff: int64(float64(c.staff) * certifiedShare)}
		r.BedsOccupied = int64(float64(r.BedsTotal) * (0.6 + 0.3*p.rng.Float64()))
		r.ChildrenEnrolled = int64(float64(r.PlacesTotal) * (0.5 + 0.4*p.rng.Float64()))
		fp.Reports = append(fp.Reports, r)
	}
	p.out[i].Facilities = append(p.out[i].Facilities, fp)
}

// pick returns n township indexes among those filter accepts (nil: all),
// shuffled, cycling when n exceeds them.
func (p *cityPlanner) pick(n int, filter func(i int) bool) []int {
	var cand []int
	for i := range p.out {
		if filter == nil || filter(i) {
			cand = append(cand, i)
		}
	}
	p.rng.Shuffle(len(cand), func(a, b int) { cand[a], cand[b] = cand[b], cand[a] })
	var idx []int
	for k := 0; k < n; k++ {
		idx = append(idx, cand[k%len(cand)])
	}
	return idx
}

// institutions places the elderly-care institutions: 8 publicly built,
// privately run and 4 private ones in the towns, 50 敬老院 in the rural
// townships. Beds make the socialised share 50% of all beds.
func (p *cityPlanner) institutions() {
	allBeds := int64(InstitutionBeds + CommunityBeds)
	socialized := roundInt(float64(allBeds)*socializedShare) - PrivateBeds
	ppBeds := splitEven(socialized, PublicPrivateCount, p.rng)
	prBeds := splitEven(PrivateBeds, PrivateCount, p.rng)
	homeCount := InstitutionCount - PublicPrivateCount - PrivateCount
	homeBeds := splitEven(InstitutionBeds-socialized-PrivateBeds, homeCount, p.rng)
	instBeds := append(append(append([]int64{}, ppBeds...), prBeds...), homeBeds...)
	nursing := splitExact(roundInt(InstitutionBeds*nursingShare), toFloat(instBeds))
	k := 0
	for n, i := range p.pick(PublicPrivateCount+PrivateCount, p.isStreet) {
		own := schema.OwnPublicPrivate
		if n >= PublicPrivateCount {
			own = schema.OwnPrivate
		}
		name := p.out[i].Name
		f := schema.Facility{Name: name + []string{"康养中心", "颐养院", "福寿园", "老年公寓"}[n%4], Kind: schema.FKElderlyInstitution,
			Ownership: own, Filing: schema.FilingFiled, Opened: "2016-05-01", Status: schema.StatusOperating, Medical: n%3 == 0,
			Address: name + "康乐路" + fmt.Sprint(10+n) + "号"}
		p.place(i, f, capacity{beds: instBeds[k], nursing: nursing[k], staff: instBeds[k]/8 + 2})
		k++
	}
	for _, i := range p.pick(homeCount, func(i int) bool { return !p.isStreet(i) }) {
		f := schema.Facility{Name: p.out[i].Name + "敬老院", Kind: schema.FKTekunHome, Ownership: schema.OwnPublic,
			Inclusive: true, Filing: schema.FilingFiled, Opened: "2008-09-01", Status: schema.StatusOperating}
		p.place(i, f, capacity{beds: instBeds[k], nursing: nursing[k], staff: instBeds[k]/10 + 1})
		k++
	}
}

// community places the community facilities: a service centre in 40% of
// townships (街道综合养老服务中心 in streets, 乡镇区域养老服务中心 elsewhere),
// the rest day-care centres and rural 幸福院, each in a village; 977 beds
// among them.
func (p *cityPlanner) community() {
	centres := len(p.out) * 2 / 5
	commBeds := splitExact(CommunityBeds, randomWeights(CommunityCount, p.rng))
	for n, i := range p.pick(CommunityCount, nil) {
		f := schema.Facility{Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating, Opened: "2019-01-01"}
		name := p.out[i].Name
		switch {
		case n < centres && p.isStreet(i):
			f.Kind, f.Name = schema.FKStreetCenter, name+"综合养老服务中心"
		case n < centres:
			f.Kind, f.Name = schema.FKTownshipCenter, name+"区域养老服务中心"
		case p.isStreet(i):
			f.Kind, f.Name = schema.FKDayCare, fmt.Sprintf("%s第%d日间照料中心", name, n)
		default:
			f.Kind, f.Name = schema.FKRuralHappiness, fmt.Sprintf("%s第%d幸福院", name, n)
		}
		staff := 1 + int64(p.rng.IntN(3)) // drawn before place draws
		p.place(i, f, capacity{beds: commBeds[n], staff: staff})
	}
}

// childcare places 10 filed childcare institutions in the streets, 40
// kindergarten classes and 30 community points: 3,034 places, 890 care
// staff, the 普惠 places in the community points.
func (p *cityPlanner) childcare() {
	kinds := []struct {
		kind  schema.FacilityKind
		label string
		n     int
	}{{schema.FKChildcareInst, "托育中心", FiledChildcare}, {schema.FKKindergartenClass, "幼儿园托班", 40}, {schema.FKCommunityChildcare, "社区托育点", 30}}
	nCC := FiledChildcare + 40 + 30
	places := splitExact(ChildcarePlaces, randomWeights(nCC, p.rng))
	staff := splitExact(ChildcareStaff, toFloat(places))
	inclusive := splitExact(roundInt(ChildcarePlaces*inclusiveShare), toFloat(places[nCC-30:]))
	k := 0
	for _, kd := range kinds {
		filter := func(i int) bool { return true }
		if kd.kind == schema.FKChildcareInst {
			filter = p.isStreet
		}
		for n, i := range p.pick(kd.n, filter) {
			f := schema.Facility{Name: fmt.Sprintf("%s%s%d", p.out[i].Name, kd.label, n+1), Kind: kd.kind, Ownership: schema.OwnPrivate,
				Filing: schema.FilingFiled, Opened: "2021-03-01", Status: schema.StatusOperating}
			if kd.kind != schema.FKChildcareInst {
				f.Filing = schema.FilingNone
				f.Ownership = schema.OwnPublic
			}
			incl := int64(0)
			if kd.kind == schema.FKCommunityChildcare {
				incl = inclusive[n]
				f.Inclusive = incl > 0
			}
			p.place(i, f, capacity{places: places[k], inclusive: incl, staff: staff[k]})
			k++
		}
	}
}
