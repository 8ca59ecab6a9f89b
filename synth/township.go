package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// DefaultTownship is 雨城区草坝镇: a town with two communities and twenty
// villages, typical of the townships the desktop app is for.
const DefaultTownship schema.Code = "511802101"

// Township says what FillTownship generates for one township.
type Township struct {
	Township schema.Code
	// Facilities beyond the township's real-looking set (敬老院, 区域养老
	// 服务中心, 幸福院, 托育点, …) are numbered copies of every kind.
	Facilities int
	// Months of capacity reports and visits, ending with the current one.
	Months int
	// Persons (elderly in special difficulty) and Newborns to register.
	Persons, Newborns int
	// Total, when set, is the exact number of records to write: visits of
	// earlier months are added (or left out) to reach it.
	Total int
	// Extras makes the store look like a site that has been in use: most
	// changes already synced, a few pending, one refused by the server,
	// targets from the county, an enrolment with a server that cannot be
	// reached.
	Extras bool
	// Now is the wall clock of the generated history (time.Now when zero).
	Now  time.Time
	Seed uint64
}

// RealisticTownship is 草坝镇 as its staff would have filled it after a
// year, lived in (Extras): the screenshots' and the desktop tests' data.
func RealisticTownship() Township {
	return Township{Township: DefaultTownship, Months: 12, Persons: 140, Newborns: 14, Extras: true, Seed: 1}
}

// TownshipOfSize writes exactly n records into 草坝镇, with the
// proportions of a large township (facilities, a year of reports, persons
// and mostly visits), for the desktop's start-up and memory probes. n must
// exceed the fixed base of about 2,000 records (FillTownship says so
// otherwise).
func TownshipOfSize(n int) Township {
	return Township{Township: DefaultTownship, Facilities: max(0, n/160-20), Months: 12,
		Persons: max(140, n/16), Newborns: max(14, n/160), Total: n, Seed: 2}
}

// Summary counts what FillTownship wrote.
type Summary struct {
	Facilities, Capacity, Persons, Visits, Population, Targets int
}

// Total is the number of records written.
func (s Summary) Total() int {
	return s.Facilities + s.Capacity + s.Persons + s.Visits + s.Population + s.Targets
}

// String describes the generated store in one line for the terminal.
func (s Summary) String() string {
	return fmt.Sprintf("%d records: %d facilities, %d capacity reports, %d persons, %d visits, %d population, %d targets",
		s.Total(), s.Facilities, s.Capacity, s.Persons, s.Visits, s.Population, s.Targets)
}

// townshipGen carries FillTownship's state.
type townshipGen struct {
	st       *agent.Store
	cfg      Township
	rng      *rand.Rand
	now      time.Time
	today    string
	month    string
	villages []schema.Unit
	town     schema.Unit
	sum      Summary
	batch    []agent.Item
}

// FillTownship writes the township into st, which must be empty: it sets
// the store's scope to the township first. The records go through the
// store's validation like a user's; on an error, what was written so far
// stays and the Summary counts it.
func FillTownship(st *agent.Store, cfg Township) (Summary, error) {
	if cfg.Township == "" {
		cfg.Township = DefaultTownship
	}
	if cfg.Months <= 0 {
		cfg.Months = 12
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	divs := st.Divisions()
	town, ok := divs.Lookup(cfg.Township)
	if !ok || cfg.Township.Level() != schema.LevelTownship {
		return Summary{}, fmt.Errorf("fill township: %s is not a known township", cfg.Township)
	}
	g := &townshipGen{st: st, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6c616f78)), now: cfg.Now, town: town}
	g.today = schema.Today(cfg.Now)
	g.month = g.today[:7]
	for _, c := range divs.Descendants(cfg.Township, schema.LevelVillage) {
		u, _ := divs.Lookup(c)
		g.villages = append(g.villages, u)
	}
	if len(g.villages) == 0 {
		g.villages = []schema.Unit{town}
	}
	if err := st.SetScope(cfg.Township); err != nil {
		return Summary{}, fmt.Errorf("fill township: %w", err)
	}
	facs, err := g.facilities()
	if err != nil {
		return g.sum, err
	}
	if err := g.capacity(facs); err != nil {
		return g.sum, err
	}
	persons, err := g.persons()
	if err != nil {
		return g.sum, err
	}
	if err := g.population(); err != nil {
		return g.sum, err
	}
	if err := g.visits(persons); err != nil {
		return g.sum, err
	}
	if cfg.Extras {
		if err := g.extras(facs); err != nil {
			return g.sum, fmt.Errorf("fill township: lived-in extras: %w", err)
		}
	}
	return g.sum, nil
}

// add queues a record; flush writes the queue in one synced batch.
func (g *townshipGen) add(kind schema.Kind, id string, unit schema.Code, v any) error {
	g.batch = append(g.batch, agent.Item{Kind: kind, ID: id, Unit: unit, Value: v})
	if len(g.batch) >= 1000 {
		return g.flush()
	}
	return nil
}

func (g *townshipGen) flush() error {
	if len(g.batch) == 0 {
		return nil
	}
	if _, err := g.st.PutBatch(g.batch); err != nil {
		return fmt.Errorf("fill township: write %d records: %w", len(g.batch), err)
	}
	g.batch = g.batch[:0]
	return nil
}

func (g *townshipGen) village(i int) schema.Unit { return g.villages[i%len(g.villages)] }
