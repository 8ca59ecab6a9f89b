// Package demo runs Laoxiao's main job on the embedded default: a sync
// server on Badger, one agent per township of 雅安市 entering realistic
// data offline, everyone syncing, the city's targets imported from its plan
// and the task breakdown table written out. The data it generates adds up
// to the totals the 雅安 plan states for its baseline, so the city row of
// the table reproduces the plan's own ratios.
package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"laoxiao/schema"
)

// Totals the 雅安市 plan states (2020/21 baseline; see
// schema/indicators/README.md).
const (
	ResidentTotal      = 1434500 // 307,700 aged 60+ are 21.45% of residents
	Aged60Total        = 307700
	Aged65Total        = 244100
	Aged0to3Total      = 39815
	BirthsTotal        = 9950
	InstitutionCount   = 62
	InstitutionBeds    = 10657
	CommunityCount     = 178
	CommunityBeds      = 977
	ChildcarePlaces    = 3034
	FiledChildcare     = 10
	PublicPrivateCount = 8   // 公建民营 institutions
	PrivateCount       = 4   // 民办 institutions…
	PrivateBeds        = 630 // …with 630 beds
	ChildcareStaff     = 890
)

// Derived shares the plan states as baselines, applied to the totals.
const (
	nursingShare     = 0.38 // 护理型养老床位占比 38%
	socializedShare  = 0.50 // 社会化运营床位占比 50%
	inclusiveShare   = 0.05 // 普惠托位: 0 in 2020; some since, for a non-empty column
	certifiedShare   = 0.82
	specialPerTown   = 24 // special-difficulty elderly registered per township (a sample)
	newbornsPerTown  = 6
	monthlyVisitRate = 0.96
	newbornVisitRate = 0.93
)

// ReportYear is the plan's target year, which the demo reports on.
const ReportYear = 2025

// Months of capacity reports each facility enters.
var Months = []string{"2025-10", "2025-11", "2025-12"}

// Township is what one township's agent enters.
type Township struct {
	Code       schema.Code
	Name       string
	Facilities []FacilityPlan
	Population schema.Population
	Persons    []PersonPlan
}

// FacilityPlan is a facility with its monthly capacity reports.
type FacilityPlan struct {
	Unit     schema.Code
	Facility schema.Facility
	// Reports holds one capacity report per month of Months; the facility
	// id is filled in by whoever creates the facility.
	Reports []schema.Capacity
}

// PersonPlan is a served person with the visits made to them.
type PersonPlan struct {
	Unit   schema.Code
	Person schema.Person
	Visits []schema.Visit
}

// Plan generates the data of every township of the city, deterministic
// for a seed. The figures of the last month add up exactly to the totals
// above.
func Plan(divs *schema.Divisions, city schema.Code, seed uint64) ([]Township, error) {
	rng := rand.New(rand.NewPCG(seed, 0x1a0))
	towns := divs.Descendants(city, schema.LevelTownship)
	if len(towns) == 0 {
		return nil, fmt.Errorf("demo: city %s has no townships", city)
	}
	out := make([]Township, len(towns))
	weights := make([]float64, len(towns))
	for i, c := range towns {
		u, _ := divs.Lookup(c)
		out[i] = Township{Code: c, Name: u.Name}
		weights[i] = 0.5 + rng.Float64()
		if u.IsStreet() {
			weights[i] *= 2 // urban streets are denser
		}
	}
	split := func(total int64) []int64 { return splitExact(total, weights) }
	res, a60, a65, a03, births := split(ResidentTotal), split(Aged60Total), split(Aged65Total), split(Aged0to3Total), split(BirthsTotal)
	for i := range out {
		out[i].Population = schema.Population{Year: ReportYear, Resident: res[i], Aged60: a60[i], Aged65: a65[i], Aged0to3: a03[i], Births: births[i]}
	}
	villagesOf := func(i int) []schema.Code {
		v := divs.Descendants(towns[i], schema.LevelVillage)
		if len(v) == 0 {
			return []schema.Code{towns[i]}
		}
		return v
	}
	place := func(i int, f schema.Facility, beds, nursing, places, inclusive, staff []int64) {
		vs := villagesOf(i)
		fp := FacilityPlan{Unit: vs[rng.IntN(len(vs))], Facility: f}
		last := len(Months) - 1
		for m, month := range Months {
			// Earlier months run a little lower: capacity grows over the
			// quarter, and the last month holds the stated totals.
			scale := 1 - 0.02*float64(last-m)
			c := schema.Capacity{Period: month,
				BedsTotal: scaleDown(beds[0], scale), BedsNursing: scaleDown(nursing[0], scale),
				PlacesTotal: scaleDown(places[0], scale), PlacesInclusive: scaleDown(inclusive[0], scale),
				CareStaff: staff[0], CertifiedStaff: int64(float64(staff[0]) * certifiedShare)}
			c.BedsOccupied = int64(float64(c.BedsTotal) * (0.6 + 0.3*rng.Float64()))
			c.ChildrenEnrolled = int64(float64(c.PlacesTotal) * (0.5 + 0.4*rng.Float64()))
			fp.Reports = append(fp.Reports, c)
		}
		out[i].Facilities = append(out[i].Facilities, fp)
	}
	pick := func(n int, filter func(i int) bool) []int {
		var cand []int
		for i := range out {
			if filter == nil || filter(i) {
				cand = append(cand, i)
			}
		}
		rng.Shuffle(len(cand), func(a, b int) { cand[a], cand[b] = cand[b], cand[a] })
		var idx []int
		for k := 0; k < n; k++ {
			idx = append(idx, cand[k%len(cand)])
		}
		return idx
	}
	isStreet := func(i int) bool { u, _ := divs.Lookup(towns[i]); return u.IsStreet() }

	// Elderly-care institutions: 8 publicly built, privately run and 4
	// private ones in the towns, 50 敬老院 in the rural townships. Beds make
	// the socialised share 50% of all beds.
	allBeds := int64(InstitutionBeds + CommunityBeds)
	socialized := roundInt(float64(allBeds)*socializedShare) - PrivateBeds
	ppBeds := splitEven(socialized, PublicPrivateCount, rng)
	prBeds := splitEven(PrivateBeds, PrivateCount, rng)
	homeCount := InstitutionCount - PublicPrivateCount - PrivateCount
	homeBeds := splitEven(InstitutionBeds-socialized-PrivateBeds, homeCount, rng)
	instBeds := append(append(append([]int64{}, ppBeds...), prBeds...), homeBeds...)
	nursing := splitExact(roundInt(InstitutionBeds*nursingShare), toFloat(instBeds))
	k := 0
	for n, i := range pick(PublicPrivateCount+PrivateCount, isStreet) {
		own := schema.OwnPublicPrivate
		if n >= PublicPrivateCount {
			own = schema.OwnPrivate
		}
		f := schema.Facility{Name: out[i].Name + []string{"康养中心", "颐养院", "福寿园", "老年公寓"}[n%4], Kind: schema.FKElderlyInstitution,
			Ownership: own, Filing: schema.FilingFiled, Opened: "2016-05-01", Status: schema.StatusOperating, Medical: n%3 == 0,
			Address: out[i].Name + "康乐路" + fmt.Sprint(10+n) + "号"}
		place(i, f, []int64{instBeds[k]}, []int64{nursing[k]}, []int64{0}, []int64{0}, []int64{instBeds[k]/8 + 2})
		k++
	}
	for _, i := range pick(homeCount, func(i int) bool { return !isStreet(i) }) {
		f := schema.Facility{Name: out[i].Name + "敬老院", Kind: schema.FKTekunHome, Ownership: schema.OwnPublic,
			Inclusive: true, Filing: schema.FilingFiled, Opened: "2008-09-01", Status: schema.StatusOperating}
		place(i, f, []int64{instBeds[k]}, []int64{nursing[k]}, []int64{0}, []int64{0}, []int64{instBeds[k]/10 + 1})
		k++
	}
	// Community facilities: a service centre in 40% of townships (街道综合
	// 养老服务中心 in streets, 乡镇区域养老服务中心 elsewhere), the rest day-care
	// centres and rural 幸福院, each in a village; 977 beds among them.
	centres := len(out) * 2 / 5
	commBeds := splitExact(CommunityBeds, randomWeights(CommunityCount, rng))
	for n, i := range pick(CommunityCount, nil) {
		f := schema.Facility{Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating, Opened: "2019-01-01"}
		switch {
		case n < centres && isStreet(i):
			f.Kind, f.Name = schema.FKStreetCenter, out[i].Name+"综合养老服务中心"
		case n < centres:
			f.Kind, f.Name = schema.FKTownshipCenter, out[i].Name+"区域养老服务中心"
		case isStreet(i):
			f.Kind, f.Name = schema.FKDayCare, fmt.Sprintf("%s第%d日间照料中心", out[i].Name, n)
		default:
			f.Kind, f.Name = schema.FKRuralHappiness, fmt.Sprintf("%s第%d幸福院", out[i].Name, n)
		}
		place(i, f, []int64{commBeds[n]}, []int64{0}, []int64{0}, []int64{0}, []int64{1 + int64(rng.IntN(3))})
	}
	// Childcare: 10 filed institutions in the streets, 40 kindergarten
	// classes and 30 community points; 3,034 places, 890 care staff.
	type cc struct {
		kind  schema.FacilityKind
		label string
		n     int
	}
	kinds := []cc{{schema.FKChildcareInst, "托育中心", FiledChildcare}, {schema.FKKindergartenClass, "幼儿园托班", 40}, {schema.FKCommunityChildcare, "社区托育点", 30}}
	nCC := FiledChildcare + 40 + 30
	places := splitExact(ChildcarePlaces, randomWeights(nCC, rng))
	staff := splitExact(ChildcareStaff, toFloat(places))
	inclusive := splitExact(roundInt(ChildcarePlaces*inclusiveShare), toFloat(places[nCC-30:]))
	k = 0
	for _, kd := range kinds {
		filter := func(i int) bool { return true }
		if kd.kind == schema.FKChildcareInst {
			filter = isStreet
		}
		for n, i := range pick(kd.n, filter) {
			f := schema.Facility{Name: fmt.Sprintf("%s%s%d", out[i].Name, kd.label, n+1), Kind: kd.kind, Ownership: schema.OwnPrivate,
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
			place(i, f, []int64{0}, []int64{0}, []int64{places[k]}, []int64{incl}, []int64{staff[k]})
			k++
		}
	}
	// Served persons and visits, a sample per township.
	for i := range out {
		out[i].Persons = persons(rng, towns[i], villagesOf(i))
	}
	return out, nil
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
var given = []string{"秀英", "桂兰", "玉珍", "淑芬", "德明", "建国", "志强", "国华", "明芳", "春梅", "永福", "长生", "翠花", "金山", "文华", "子涵", "雨轩", "欣怡", "浩然", "梓萱"}

func persons(rng *rand.Rand, town schema.Code, villages []schema.Code) []PersonPlan {
	var out []PersonPlan
	county := string(town[:6])
	cats := [][]schema.PersonCategory{{schema.CatTekun}, {schema.CatAlone}, {schema.CatEmptyNest}, {schema.CatLeftBehind},
		{schema.CatDisabled}, {schema.CatOldest}, {schema.CatFamilyPlan}, {schema.CatDisabled, schema.CatTekun}, {schema.CatOldest, schema.CatAlone}}
	name := func() string { return string(surnames[rng.IntN(len(surnames))]) + given[rng.IntN(len(given))] }
	id := func(birth string, n int) string {
		digits := birth[0:4] + birth[5:7] + birth[8:10]
		s, err := schema.CompleteIDNumber(fmt.Sprintf("%s%s%03d", county, digits, n%1000))
		if err != nil {
			panic(err) // birth dates below are always real dates
		}
		return s
	}
	visitors := []string{"村干部", "网格员", "社工", "志愿者"}
	for n := 0; n < specialPerTown; n++ {
		birth := fmt.Sprintf("19%02d-%02d-%02d", 30+rng.IntN(30), 1+rng.IntN(12), 1+rng.IntN(28))
		c := cats[rng.IntN(len(cats))]
		p := schema.Person{Name: name(), IDNumber: id(birth, n), BirthDate: birth, Categories: c}
		if p.Has(schema.CatTekun) {
			p.SupportMode = schema.SupportDispersed
			if rng.IntN(3) == 0 {
				p.SupportMode = schema.SupportCentralized
				p.WantsCentralized = true
			}
		}
		pp := PersonPlan{Unit: villages[rng.IntN(len(villages))], Person: p}
		if rng.Float64() < monthlyVisitRate {
			pp.Visits = append(pp.Visits, schema.Visit{Date: fmt.Sprintf("2025-12-%02d", 1+rng.IntN(28)),
				Visitor: visitors[rng.IntN(len(visitors))], Kind: schema.VisitMonthly, Outcome: "身体状况良好,生活有保障"})
		}
		if p.Has(schema.CatDisabled) && rng.IntN(4) != 0 {
			pp.Visits = append(pp.Visits, schema.Visit{Date: fmt.Sprintf("2025-12-%02d", 1+rng.IntN(28)),
				Visitor: "社工", Kind: schema.VisitDisabledSupport, Outcome: "协助康复训练"})
		}
		out = append(out, pp)
	}
	for n := 0; n < newbornsPerTown; n++ {
		birth := fmt.Sprintf("2025-%02d-%02d", 9+rng.IntN(3), 1+rng.IntN(28))
		p := schema.Person{Name: name(), BirthDate: birth, Categories: []schema.PersonCategory{schema.CatNewborn}}
		pp := PersonPlan{Unit: villages[rng.IntN(len(villages))], Person: p}
		if rng.Float64() < newbornVisitRate {
			pp.Visits = append(pp.Visits, schema.Visit{Date: "2025-12-" + fmt.Sprintf("%02d", 1+rng.IntN(28)),
				Visitor: "乡镇卫生院医生", Kind: schema.VisitNewborn, Outcome: "母婴健康"})
		}
		out = append(out, pp)
	}
	return out
}

func roundInt(v float64) int64 { return int64(v + 0.5) }

func scaleDown(v int64, s float64) int64 { return int64(float64(v) * s) }

func toFloat(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x) + 1e-9 // a zero weight still gets a remainder turn
	}
	return out
}

func randomWeights(n int, rng *rand.Rand) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.3 + rng.Float64()
	}
	return w
}

func splitEven(total int64, n int, rng *rand.Rand) []int64 {
	return splitExact(total, randomWeights(n, rng))
}

// splitExact splits total over weights by largest remainder, so the parts
// add up to total exactly.
func splitExact(total int64, weights []float64) []int64 {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	out := make([]int64, len(weights))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		exact := float64(total) * w / sum
		out[i] = int64(exact)
		given += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < total; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}
