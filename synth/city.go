package synth

import (
	"fmt"
	"math/rand/v2"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Totals the 雅安市 plan states (2020/21 baseline; see
// schema/indicators/README.md). PlanCity's last month adds up to them
// exactly.
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

// PlanYear is the plan's target year, which the planned data describes
// (population) and the demo reports on.
const PlanYear = 2025

// PlanMonths are the months of capacity reports each planned facility
// enters; the last holds the plan's totals.
var PlanMonths = []string{"2025-10", "2025-11", "2025-12"}

// PlannedTownship is what one township's agent enters.
type PlannedTownship struct {
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
	// Reports holds one capacity report per month of PlanMonths; the
	// facility id is empty, filled in by whoever creates the facility
	// (Enter does).
	Reports []schema.Capacity
}

// PersonPlan is a served person with the visits made to them; the visits'
// person id is empty, like the reports' facility id.
type PersonPlan struct {
	Unit   schema.Code
	Person schema.Person
	Visits []schema.Visit
}

// PlanCity generates the data of every township of the city, deterministic
// for a seed. The figures of the last month add up exactly to the totals
// above whatever the city, so it is meant for 雅安市 (schema.BuiltinCity);
// another city gets 雅安's totals spread over its townships.
func PlanCity(divs *schema.Divisions, city schema.Code, seed uint64) ([]PlannedTownship, error) {
	p := &cityPlanner{divs: divs, rng: rand.New(rand.NewPCG(seed, 0x1a0))}
	p.towns = divs.Descendants(city, schema.LevelTownship)
	if len(p.towns) == 0 {
		return nil, fmt.Errorf("plan city: %s has no townships", city)
	}
	p.population()
	p.institutions()
	p.community()
	p.childcare()
	// Served persons and visits, a sample per township.
	for i := range p.out {
		p.out[i].Persons = cityPersons(p.rng, p.towns[i], p.villagesOf(i))
	}
	return p.out, nil
}

// Enter writes the township's data into its store as staff would: the
// population, every facility and its monthly reports, persons and visits,
// one Put at a time (each synced). The store's scope must already cover
// the township.
func (t *PlannedTownship) Enter(st *agent.Store) error {
	if _, err := st.Put(schema.KindPopulation, "", t.Code, t.Population); err != nil {
		return fmt.Errorf("population: %w", err)
	}
	for _, fp := range t.Facilities {
		ch, err := st.Put(schema.KindFacility, "", fp.Unit, fp.Facility)
		if err != nil {
			return fmt.Errorf("facility %s: %w", fp.Facility.Name, err)
		}
		for _, c := range fp.Reports {
			c.Facility = ch.ID
			if _, err := st.Put(schema.KindCapacity, "", fp.Unit, c); err != nil {
				return fmt.Errorf("capacity %s %s: %w", fp.Facility.Name, c.Period, err)
			}
		}
	}
	for _, pp := range t.Persons {
		ch, err := st.Put(schema.KindPerson, "", pp.Unit, pp.Person)
		if err != nil {
			return fmt.Errorf("person %s: %w", pp.Person.Name, err)
		}
		for _, v := range pp.Visits {
			v.Person = ch.ID
			if _, err := st.AddVisit(pp.Unit, v); err != nil {
				return fmt.Errorf("visit of %s: %w", pp.Person.Name, err)
			}
		}
	}
	return nil
}
