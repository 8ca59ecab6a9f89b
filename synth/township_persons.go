package synth

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"laoxiao/schema"
)

// townPerson is a generated person with what the visit generator needs.
type townPerson struct {
	id   string
	unit schema.Code
	p    schema.Person
	born time.Time
}

func (g *townshipGen) idNumber(born time.Time, male bool, seq int) string {
	region := string(g.town.Code[:6])
	s := 2*(seq%499) + 1
	if !male {
		s++
	}
	id, err := schema.CompleteIDNumber(fmt.Sprintf("%s%s%03d", region, born.Format("20060102"), s%1000))
	if err != nil {
		return ""
	}
	return id
}

func (g *townshipGen) persons() ([]townPerson, error) {
	var out []townPerson
	cats := [][]schema.PersonCategory{
		{schema.CatAlone}, {schema.CatEmptyNest}, {schema.CatOldest}, {schema.CatOldest, schema.CatAlone},
		{schema.CatTekun}, {schema.CatTekun, schema.CatDisabled}, {schema.CatDisabled}, {schema.CatLeftBehind},
		{schema.CatEmptyNest, schema.CatDisabled}, {schema.CatFamilyPlan}, {schema.CatAlone}, {schema.CatEmptyNest},
	}
	for i := 0; i < g.cfg.Persons; i++ {
		cs := cats[i%len(cats)]
		age := 62 + g.rng.IntN(30)
		if slices.Contains(cs, schema.CatOldest) {
			age = 80 + g.rng.IntN(16)
		}
		born := g.now.AddDate(-age, -g.rng.IntN(12), -g.rng.IntN(28))
		male := g.rng.IntN(2) == 0
		p := schema.Person{
			Name:       string(surnames[g.rng.IntN(len(surnames))]) + oldGiven[g.rng.IntN(len(oldGiven))],
			BirthDate:  born.Format(schema.DateLayout),
			Categories: cs,
		}
		p.IDNumber = g.idNumber(born, male, i)
		if slices.Contains(cs, schema.CatTekun) {
			p.SupportMode = schema.SupportDispersed
			if g.rng.IntN(3) == 0 {
				p.SupportMode = schema.SupportCentralized
			}
			p.WantsCentralized = p.SupportMode == schema.SupportCentralized || g.rng.IntN(3) == 0
		}
		if i%9 == 4 {
			p.Note = "子女在外务工，留有联系电话"
		}
		if i%23 == 11 {
			// A few died or moved away, some before this month and some
			// in it: the rates must leave out the first and keep the
			// second (schema.LeftBefore).
			p.Status, p.LeftOn = schema.PersonDied, g.now.AddDate(0, -(i/23)%3, 0).In(schema.ChinaTime).Format("2006-01")+"-01"
			if i%2 == 0 {
				p.Status = schema.PersonMoved
			}
		}
		out = append(out, townPerson{id: schema.NewID(), unit: g.village(i*5 + i/7).Code, p: p, born: born})
	}
	for i := 0; i < g.cfg.Newborns; i++ {
		born := g.now.AddDate(0, 0, -3-g.rng.IntN(300))
		p := schema.Person{
			Name:       string(surnames[g.rng.IntN(len(surnames))]) + babyGiven[g.rng.IntN(len(babyGiven))],
			BirthDate:  born.In(schema.ChinaTime).Format(schema.DateLayout),
			Categories: []schema.PersonCategory{schema.CatNewborn},
		}
		if i%3 != 0 {
			// Many newborns have no ID number when first visited.
			p.IDNumber = g.idNumber(born.In(schema.ChinaTime), i%2 == 0, 300+i)
			p.BirthDate = p.IDNumber[6:10] + "-" + p.IDNumber[10:12] + "-" + p.IDNumber[12:14]
		}
		out = append(out, townPerson{id: schema.NewID(), unit: g.village(i * 3).Code, p: p, born: born})
	}
	for _, p := range out {
		if err := g.add(schema.KindPerson, p.id, p.unit, p.p); err != nil {
			return nil, err
		}
		g.sum.Persons++
	}
	return out, g.flush()
}

func (g *townshipGen) population() error {
	year := g.now.In(schema.ChinaTime).Year()
	for _, u := range g.villages {
		res := int64(800 + g.rng.IntN(2600))
		for y := year - 2; y <= year; y++ {
			p := schema.Population{Year: int64(y), Resident: res}
			p.Aged60 = res * int64(24+g.rng.IntN(6)) / 100
			p.Aged65 = p.Aged60 * int64(70+g.rng.IntN(10)) / 100
			p.Aged0to3 = res * int64(20+g.rng.IntN(10)) / 1000
			p.Births = res * int64(5+g.rng.IntN(3)) / 1000
			if err := g.add(schema.KindPopulation, "", u.Code, p); err != nil {
				return err
			}
			g.sum.Population++
			res = res * int64(98+g.rng.IntN(3)) / 100
		}
	}
	return g.flush()
}

// visits writes monthly visits for the elderly (most of every past month,
// about half of the current one), support visits for the disabled and a
// newborn visit for most newborns. With a Total, months further back are
// added until the count is exact.
func (g *townshipGen) visits(persons []townPerson) error {
	budget := -1
	if g.cfg.Total > 0 {
		budget = g.cfg.Total - g.sum.Total() - g.extraCount()
		if budget < 0 {
			return fmt.Errorf("fill township: %d records requested, the base data alone is %d", g.cfg.Total, g.sum.Total())
		}
	}
	put := func(p townPerson, date string, kind schema.VisitKind, outcome string) error {
		if budget == 0 {
			return errBudget
		}
		v := schema.Visit{Person: p.id, Date: date, Visitor: visitors[g.rng.IntN(len(visitors))], Kind: kind, Outcome: outcome}
		if err := g.add(schema.KindVisit, "", p.unit, v); err != nil {
			return err
		}
		g.sum.Visits++
		if budget > 0 {
			budget--
		}
		return nil
	}
	err := func() error {
		for _, p := range persons {
			if !slices.Contains(p.p.Categories, schema.CatNewborn) {
				continue
			}
			d := p.born.AddDate(0, 0, 3+g.rng.IntN(20)).In(schema.ChinaTime).Format(schema.DateLayout)
			if d <= g.today && g.rng.IntN(10) < 8 {
				if err := put(p, d, schema.VisitNewborn, newbornOutcomes[g.rng.IntN(len(newbornOutcomes))]); err != nil {
					return err
				}
			}
		}
		t, _ := time.Parse(schema.MonthLayout, g.month)
		for back := 0; back < g.cfg.Months || budget > 0; back++ {
			m := t.AddDate(0, -back, 0)
			for _, p := range persons {
				if slices.Contains(p.p.Categories, schema.CatNewborn) {
					continue
				}
				rate := 92
				if back == 0 {
					rate = 55
				}
				if g.rng.IntN(100) >= rate {
					continue
				}
				days := time.Date(m.Year(), m.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
				d := fmt.Sprintf("%s-%02d", m.Format(schema.MonthLayout), 1+g.rng.IntN(days))
				if d > g.today {
					d = g.today
				}
				if err := put(p, d, schema.VisitMonthly, outcomes[g.rng.IntN(len(outcomes))]); err != nil {
					return err
				}
				if slices.Contains(p.p.Categories, schema.CatDisabled) && g.rng.IntN(3) == 0 {
					if err := put(p, d, schema.VisitDisabledSupport, "协助康复训练，更换护理用品"); err != nil {
						return err
					}
				}
			}
			if back > 600 {
				return fmt.Errorf("fill township: cannot reach %d records", g.cfg.Total)
			}
		}
		return nil
	}()
	if err != nil && !errors.Is(err, errBudget) {
		return err
	}
	return g.flush()
}

var errBudget = errors.New("record budget reached")
