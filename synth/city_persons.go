package synth

import (
	"fmt"
	"math/rand/v2"

	"laoxiao/schema"
)

// cityGiven are the given names of the city plan's persons, old and young
// alike.
var cityGiven = []string{"秀英", "桂兰", "玉珍", "淑芬", "德明", "建国", "志强", "国华", "明芳", "春梅", "永福", "长生", "翠花", "金山", "文华", "子涵", "雨轩", "欣怡", "浩然", "梓萱"}

// cityPersons registers a township's sample of served persons: elderly
// in special difficulty with this month's visits, and newborns with
// theirs.
func cityPersons(rng *rand.Rand, town schema.Code, villages []schema.Code) []PersonPlan {
	var out []PersonPlan
	county := string(town[:6])
	cats := [][]schema.PersonCategory{{schema.CatTekun}, {schema.CatAlone}, {schema.CatEmptyNest}, {schema.CatLeftBehind},
		{schema.CatDisabled}, {schema.CatOldest}, {schema.CatFamilyPlan}, {schema.CatDisabled, schema.CatTekun}, {schema.CatOldest, schema.CatAlone}}
	name := func() string {
		return string(citySurnames[rng.IntN(len(citySurnames))]) + cityGiven[rng.IntN(len(cityGiven))]
	}
	id := func(birth string, n int) string {
		digits := birth[0:4] + birth[5:7] + birth[8:10]
		s, err := schema.CompleteIDNumber(fmt.Sprintf("%s%s%03d", county, digits, n%1000))
		if err != nil {
			panic(err) // birth dates below are always real dates
		}
		return s
	}
	cityVisitors := []string{"村干部", "网格员", "社工", "志愿者"}
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
				Visitor: cityVisitors[rng.IntN(len(cityVisitors))], Kind: schema.VisitMonthly, Outcome: "身体状况良好,生活有保障"})
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
