// Package demo fills an agent store with realistic data for one 雅安
// township: facilities with a year of monthly capacity reports, served
// persons with their visits, village population and the targets a county
// would send down. The screenshots and the desktop start-up probe use it;
// it writes through the agent store's public API only, so every record
// passes the same validation a user's entry does.
package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// DefaultTownship is 雨城区草坝镇: a town with two communities and twenty
// villages, typical of the townships the app is for.
const DefaultTownship schema.Code = "511802101"

// Config says what to generate.
type Config struct {
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

// Small is the demo of the screenshots: one township's realistic load.
func Small() Config {
	return Config{Township: DefaultTownship, Months: 12, Persons: 140, Newborns: 14, Extras: true, Seed: 1}
}

// Sized returns a configuration writing exactly n records, with the
// proportions of a large township (facilities, a year of reports, persons
// and mostly visits), for start-up and memory probes.
func Sized(n int) Config {
	return Config{Township: DefaultTownship, Facilities: max(0, n/160-20), Months: 12,
		Persons: max(140, n/16), Newborns: max(14, n/160), Total: n, Seed: 2}
}

// Summary counts what Generate wrote.
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

// gen carries the generator's state.
type gen struct {
	st       *agent.Store
	cfg      Config
	rng      *rand.Rand
	now      time.Time
	today    string
	month    string
	villages []schema.Unit
	town     schema.Unit
	sum      Summary
	batch    []agent.Item
}

var chinaTime = time.FixedZone("CST", 8*3600)

// Generate writes the demo into st, which must be empty: it sets the
// store's scope to the township first.
func Generate(st *agent.Store, cfg Config) (Summary, error) {
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
		return Summary{}, fmt.Errorf("demo: %s is not a known township", cfg.Township)
	}
	g := &gen{st: st, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6c616f78)), now: cfg.Now, town: town}
	g.today = cfg.Now.In(chinaTime).Format(schema.DateLayout)
	g.month = g.today[:7]
	for _, c := range divs.Descendants(cfg.Township, schema.LevelVillage) {
		u, _ := divs.Lookup(c)
		g.villages = append(g.villages, u)
	}
	if len(g.villages) == 0 {
		g.villages = []schema.Unit{town}
	}
	if err := st.SetScope(cfg.Township); err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
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
			return g.sum, err
		}
	}
	return g.sum, nil
}

// add queues a record; flush writes the queue in one synced batch.
func (g *gen) add(kind schema.Kind, id string, unit schema.Code, v any) error {
	g.batch = append(g.batch, agent.Item{Kind: kind, ID: id, Unit: unit, Value: v})
	if len(g.batch) >= 1000 {
		return g.flush()
	}
	return nil
}

func (g *gen) flush() error {
	if len(g.batch) == 0 {
		return nil
	}
	if _, err := g.st.PutBatch(g.batch); err != nil {
		return fmt.Errorf("demo: write %d records: %w", len(g.batch), err)
	}
	g.batch = g.batch[:0]
	return nil
}

// facility is a generated facility with its id and kind.
type facility struct {
	id   string
	unit schema.Code
	f    schema.Facility
}

// shortName drops the committee suffix: 林口村委会 → 林口村.
func shortName(u schema.Unit) string {
	n := u.Name
	for _, suf := range []string{"社区居民委员会", "社区居委会", "居委会", "村民委员会", "村委会"} {
		if strings.HasSuffix(n, suf) {
			base := strings.TrimSuffix(n, suf)
			if strings.HasPrefix(suf, "社区") || suf == "居委会" {
				return base + "社区"
			}
			return base + "村"
		}
	}
	return n
}

func (g *gen) village(i int) schema.Unit { return g.villages[i%len(g.villages)] }

func (g *gen) facilities() ([]facility, error) {
	town := g.town.Name
	v := func(i int) schema.Unit { return g.village(i) }
	mk := func(name string, unit schema.Code, kind schema.FacilityKind, own schema.Ownership, inclusive, medical, demoFlag bool, filing schema.Filing, opened, addr string) facility {
		return facility{id: schema.NewID(), unit: unit, f: schema.Facility{Name: name, Kind: kind, Ownership: own,
			Inclusive: inclusive, Filing: filing, Opened: opened, Status: schema.StatusOperating, Medical: medical,
			Demo: demoFlag, Address: addr}}
	}
	tc := g.town.Code
	facs := []facility{
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

// base is a facility kind's typical monthly figures.
type base struct{ beds, nursing, occupied, places, inclusive, enrolled, staff, certified int64 }

var bases = map[schema.FacilityKind]base{
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
func (g *gen) months(n int) []string {
	t, _ := time.Parse(schema.MonthLayout, g.month)
	out := make([]string, n)
	for i := range out {
		out[n-1-i] = t.AddDate(0, -i, 0).Format(schema.MonthLayout)
	}
	return out
}

func (g *gen) capacity(facs []facility) error {
	months := g.months(g.cfg.Months)
	for fi, f := range facs {
		b := bases[f.f.Kind]
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

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
	oldGiven = []string{"秀英", "桂英", "玉兰", "淑珍", "德明", "国强", "建国", "志华", "长林", "文才", "学文", "明芳",
		"素芬", "凤英", "桂兰", "世明", "正清", "光荣", "德华", "永福", "玉珍", "兴发", "树林", "金花", "少云", "家富"}
	babyGiven = []string{"子涵", "梓萱", "一诺", "浩宇", "欣怡", "宇轩", "若汐", "沐阳", "诗琪", "俊熙", "雨桐", "思远"}
	visitors  = []string{"李娟", "王成", "张晓燕", "陈志刚"}
	outcomes  = []string{"身体状况良好", "已协助购买常用药品", "血压偏高，已提醒按时服药", "反映屋顶漏雨，已报村委会",
		"独自在家，精神状态良好", "已联系家属，近期回家探望", "行动不便，已申请居家上门服务", "生活用品充足"}
	newbornOutcomes = []string{"母婴情况良好，已指导母乳喂养", "已指导脐带护理", "体重增长正常", "已告知预防接种时间"}
)

// person is a generated person with what the visit generator needs.
type person struct {
	id   string
	unit schema.Code
	p    schema.Person
	born time.Time
}

func (g *gen) idNumber(born time.Time, male bool, seq int) string {
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

func (g *gen) persons() ([]person, error) {
	var out []person
	cats := [][]schema.PersonCategory{
		{schema.CatAlone}, {schema.CatEmptyNest}, {schema.CatOldest}, {schema.CatOldest, schema.CatAlone},
		{schema.CatTekun}, {schema.CatTekun, schema.CatDisabled}, {schema.CatDisabled}, {schema.CatLeftBehind},
		{schema.CatEmptyNest, schema.CatDisabled}, {schema.CatFamilyPlan}, {schema.CatAlone}, {schema.CatEmptyNest},
	}
	for i := 0; i < g.cfg.Persons; i++ {
		cs := cats[i%len(cats)]
		age := 62 + g.rng.IntN(30)
		if contains(cs, schema.CatOldest) {
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
		if contains(cs, schema.CatTekun) {
			p.SupportMode = schema.SupportDispersed
			if g.rng.IntN(3) == 0 {
				p.SupportMode = schema.SupportCentralized
			}
			p.WantsCentralized = p.SupportMode == schema.SupportCentralized || g.rng.IntN(3) == 0
		}
		if i%9 == 4 {
			p.Note = "子女在外务工，留有联系电话"
		}
		out = append(out, person{id: schema.NewID(), unit: g.village(i*5 + i/7).Code, p: p, born: born})
	}
	for i := 0; i < g.cfg.Newborns; i++ {
		born := g.now.AddDate(0, 0, -3-g.rng.IntN(300))
		p := schema.Person{
			Name:       string(surnames[g.rng.IntN(len(surnames))]) + babyGiven[g.rng.IntN(len(babyGiven))],
			BirthDate:  born.In(chinaTime).Format(schema.DateLayout),
			Categories: []schema.PersonCategory{schema.CatNewborn},
		}
		if i%3 != 0 {
			// Many newborns have no ID number when first visited.
			p.IDNumber = g.idNumber(born.In(chinaTime), i%2 == 0, 300+i)
			p.BirthDate = p.IDNumber[6:10] + "-" + p.IDNumber[10:12] + "-" + p.IDNumber[12:14]
		}
		out = append(out, person{id: schema.NewID(), unit: g.village(i * 3).Code, p: p, born: born})
	}
	for _, p := range out {
		if err := g.add(schema.KindPerson, p.id, p.unit, p.p); err != nil {
			return nil, err
		}
		g.sum.Persons++
	}
	return out, g.flush()
}

func contains[T comparable](s []T, x T) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func (g *gen) population() error {
	year := g.now.In(chinaTime).Year()
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
func (g *gen) visits(persons []person) error {
	budget := -1
	if g.cfg.Total > 0 {
		budget = g.cfg.Total - g.sum.Total() - g.extraCount()
		if budget < 0 {
			return fmt.Errorf("demo: %d records requested, the base data alone is %d", g.cfg.Total, g.sum.Total())
		}
	}
	put := func(p person, date string, kind schema.VisitKind, outcome string) error {
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
			if !contains(p.p.Categories, schema.CatNewborn) {
				continue
			}
			d := p.born.AddDate(0, 0, 3+g.rng.IntN(20)).In(chinaTime).Format(schema.DateLayout)
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
				if contains(p.p.Categories, schema.CatNewborn) {
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
				if contains(p.p.Categories, schema.CatDisabled) && g.rng.IntN(3) == 0 {
					if err := put(p, d, schema.VisitDisabledSupport, "协助康复训练，更换护理用品"); err != nil {
						return err
					}
				}
			}
			if back > 600 {
				return fmt.Errorf("demo: cannot reach %d records", g.cfg.Total)
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

// targets a county typically sets its townships (雅安's plan values).
var targets = []struct {
	id       string
	value    float64
	text     string
	baseline float64
	baseText string
}{
	{"beds_per_1000_elderly", 40, "40", 37.8, "37.8"},
	{"nursing_bed_share", 55, "≥55", 38, "38"},
	{"community_care_coverage", 90, ">90", 88, "88"},
	{"visit_rate_special", 100, "100", 95, "95"},
	{"visit_rate_disabled_poor", 100, "100", 100, "100"},
	{"places_per_1000", 4.5, "4.5", 1.2, "1.2"},
	{"inclusive_place_share", 60, "≥60", 30, "30"},
	{"newborn_visit_rate", 90, ">90", 88, "88"},
	{"township_center_coverage", 100, "100", 60, "60"},
}

func (g *gen) extraCount() int {
	if !g.cfg.Extras {
		return 0
	}
	return len(targets)
}

// extras makes the store look lived in; see Config.Extras.
func (g *gen) extras(facs []facility) error {
	var entries []schema.LogEntry
	stamp := schema.MakeStamp(g.now.Add(-72*time.Hour).UnixMilli(), 0)
	for i, t := range targets {
		f, err := schema.EncodeFields(schema.Target{Indicator: t.id, Year: 2025, Value: t.value, ValueText: t.text,
			BaselineYear: 2020, Baseline: t.baseline, BaselineText: t.baseText, HasBaseline: true})
		if err != nil {
			return err
		}
		entries = append(entries, schema.LogEntry{Seq: uint64(i + 1), Change: schema.Change{
			Kind: schema.KindTarget, ID: schema.TargetID(g.town.Code, t.id, 2025), Unit: g.town.Code, Set: f,
			Stamp: stamp + schema.Stamp(i), Device: "county-" + string(g.town.Code[:6]), Seq: uint64(i + 1)}})
	}
	if _, err := g.st.ApplyRemote(entries, uint64(len(entries))); err != nil {
		return fmt.Errorf("demo: targets: %w", err)
	}
	g.sum.Targets += len(entries)
	// Everything but the last few dozen changes reached the server three
	// days ago.
	st, err := g.st.Status()
	if err != nil {
		return err
	}
	if st.LastSeq > 40 {
		if err := g.st.Release(st.LastSeq - 37); err != nil {
			return err
		}
	}
	if err := g.st.SetEnrollment(agent.Enrollment{ServerURL: "http://127.0.0.1:9", Token: "demo",
		EnrolledAt: g.now.AddDate(0, -14, 0)}); err != nil {
		return err
	}
	if err := g.st.SetLastSync(agent.SyncResult{At: g.now.Add(-74 * time.Hour), Uploaded: 212, Applied: 9,
		ServerURL: "http://127.0.0.1:9"}); err != nil {
		return err
	}
	// One change the server refused: occupied beds above total beds once
	// merged with another device's lower bed count.
	home := facs[0]
	c := schema.Capacity{Facility: home.id, Period: g.month, BedsTotal: 86, BedsNursing: 40, BedsOccupied: 72,
		CareStaff: 12, CertifiedStaff: 9}
	ch, err := g.st.Put(schema.KindCapacity, "", home.unit, c)
	if err != nil {
		return fmt.Errorf("demo: refused change: %w", err)
	}
	if ch == nil {
		return fmt.Errorf("demo: refused change wrote nothing")
	}
	rej := schema.Rejection{Seq: ch.Seq, Code: schema.RejectInvalid,
		Reason:   "capacity.beds_occupied: occupied beds (72) exceed total beds (70)",
		ReasonZh: "已入住床位(72)超过床位总数(70)：另一台设备把床位总数改成了70，请核对后重新提交"}
	if err := g.st.Park(*ch, rej); err != nil {
		return err
	}
	return g.st.SetLastSync(agent.SyncResult{At: g.now.Add(-10 * time.Minute),
		Error: "connect 127.0.0.1:9: dial tcp 127.0.0.1:9: connect: connection refused", ServerURL: "http://127.0.0.1:9"})
}
