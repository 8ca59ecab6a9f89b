// Package duplicates finds records that are probably the same person or
// facility registered twice (two laptops offline, a move, a village and
// its township both entering a 幸福院), for an office to review and merge.
//
// It only proposes: nothing is changed until an office merges a group
// (syncserver.Server.Merge). The rules, each within the unit an office
// looks at, deleted and already merged records left out:
//
//   - persons with the same ID number (schema.NormalizeIDNumber), across
//     the whole unit, because a person who moved township keeps it;
//   - persons in the same township with the same name
//     (schema.NormalizePersonName) and birth date (the record's, or the
//     one in its ID number), unless two of them carry different ID
//     numbers, which makes them different people;
//   - facilities at the same unit (village, or township for one filed at
//     township level) with the same name (schema.NormalizeFacilityName,
//     with the unit's and its township's names as places);
//   - facilities in the same township at the same address
//     (schema.NormalizeAddress).
//
// A group found by a weaker rule with exactly the members of a group
// found by a stronger one is not listed twice. Names and ID numbers in
// the evidence are masked (schema.Mask) and birth dates cut to the year,
// as the console's person list shows them: the list is for offices.
package duplicates

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Rule names why records were grouped.
type Rule string

// The rules, strongest first.
const (
	SameIDNumber     Rule = "same_id_number"
	SameNameBirth    Rule = "same_name_birth"
	SameFacilityName Rule = "same_facility_name"
	SameAddress      Rule = "same_address"
)

var ruleLabels = map[Rule]string{
	SameIDNumber:     "身份证号相同",
	SameNameBirth:    "同一乡镇内姓名和出生日期相同",
	SameFacilityName: "同一村(社区)内机构名称相同",
	SameAddress:      "同一乡镇内机构地址相同",
}

// Label is the rule in Chinese, as the console and the CLI show it.
func (r Rule) Label() string { return ruleLabels[r] }

// Member is one record of a group, as an office needs to see it to pick
// the survivor: where it is, what it says (masked), and how much hangs
// on it (visits to a person, capacity reports of a facility).
type Member struct {
	ID       string      `json:"id"`
	Unit     schema.Code `json:"unit"`
	UnitName string      `json:"unit_name"`
	// Name is the person's masked name or the facility's name.
	Name string `json:"name"`
	// IDNumber is the person's masked ID number.
	IDNumber string `json:"id_number,omitempty"`
	// BirthYear is the year of the person's birth date: the full date
	// is personal data, shown to offices only with the person revealed.
	BirthYear string `json:"birth_year,omitempty"`
	// Kind is the facility kind's label.
	Kind    string `json:"kind,omitempty"`
	Address string `json:"address,omitempty"`
	// Refs counts the visits to a person or the capacity reports of a
	// facility: what would move to the survivor.
	Refs int `json:"refs"`
}

// Group is a set of records one rule says are probably the same.
type Group struct {
	Kind      schema.Kind `json:"kind"`
	Rule      Rule        `json:"rule"`
	RuleLabel string      `json:"rule_label"`
	// Evidence is what the members share, masked where personal
	// ("身份证号 5118**********0118").
	Evidence string   `json:"evidence"`
	Members  []Member `json:"members"`
}

// Find lists the candidate groups among the records within unit.
func Find(ctx context.Context, st store.Store, divs *schema.Divisions, unit schema.Code) ([]Group, error) {
	if !unit.Valid() {
		return nil, fmt.Errorf("find duplicates: unit %q is not a division code", unit)
	}
	c := newCollector(divs)
	if err := st.ScanRecords(ctx, unit, c.add); err != nil {
		return nil, fmt.Errorf("find duplicates in %s: %w", unit, err)
	}
	return c.groups(), nil
}

// collector gathers the live persons and facilities of a scan and what
// refers to them.
type collector struct {
	divs       *schema.Divisions
	persons    []person
	facilities []facility
	refs       map[string]int
}

type person struct {
	rec schema.Record
	p   schema.Person
}

type facility struct {
	rec schema.Record
	f   schema.Facility
}

func newCollector(divs *schema.Divisions) *collector {
	return &collector{divs: divs, refs: map[string]int{}}
}

func (c *collector) add(r *schema.Record) error {
	if r.IsDeleted() || schema.MergedInto(r) != "" {
		return nil
	}
	switch r.Kind {
	case schema.KindPerson:
		var p schema.Person
		if err := r.Decode(&p); err != nil {
			return fmt.Errorf("person %s: %w", r.ID, err)
		}
		c.persons = append(c.persons, person{*r, p})
	case schema.KindFacility:
		var f schema.Facility
		if err := r.Decode(&f); err != nil {
			return fmt.Errorf("facility %s: %w", r.ID, err)
		}
		c.facilities = append(c.facilities, facility{*r, f})
	case schema.KindVisit:
		c.refs[fieldText(r, "person")]++
	case schema.KindCapacity:
		c.refs[fieldText(r, "facility")]++
	}
	return nil
}

func fieldText(r *schema.Record, name string) string {
	var s string
	if raw, ok := r.Fields[name]; ok {
		_ = schema.UnmarshalStored(raw, &s)
	}
	return s
}

// keyed groups record indexes by a key; empty keys are skipped.
type keyed map[string][]int

func (k keyed) add(key string, i int) {
	if key != "" {
		k[key] = append(k[key], i)
	}
}

// groups applies the rules, strongest first, and drops a weaker group
// whose members a stronger one already listed.
func (c *collector) groups() []Group {
	var out []Group
	seen := map[string]bool{}
	emit := func(g Group) {
		ids := make([]string, len(g.Members))
		for i, m := range g.Members {
			ids[i] = m.ID
		}
		sort.Strings(ids)
		sig := string(g.Kind) + ":" + strings.Join(ids, ",")
		if seen[sig] {
			return
		}
		seen[sig] = true
		sort.Slice(g.Members, func(i, j int) bool { return g.Members[i].ID < g.Members[j].ID })
		g.RuleLabel = g.Rule.Label()
		out = append(out, g)
	}
	c.personGroups(emit)
	c.facilityGroups(emit)
	return out
}

func (c *collector) personGroups(emit func(Group)) {
	byID, byNameBirth := keyed{}, keyed{}
	for i, p := range c.persons {
		id := schema.NormalizeIDNumber(p.p.IDNumber)
		byID.add(id, i)
		if name, birth := schema.NormalizePersonName(p.p.Name), birthDate(p.p); name != "" && birth != "" {
			byNameBirth.add(string(p.rec.Unit.Ancestor(schema.LevelTownship))+"|"+name+"|"+birth, i)
		}
	}
	for _, key := range sortedKeys(byID) {
		if ix := byID[key]; len(ix) > 1 {
			emit(Group{Kind: schema.KindPerson, Rule: SameIDNumber,
				Evidence: "身份证号 " + schema.Mask(schema.KindPerson, "id_number", key), Members: c.personMembers(ix)})
		}
	}
	for _, key := range sortedKeys(byNameBirth) {
		ix := byNameBirth[key]
		if len(ix) < 2 || c.distinctIDNumbers(ix) {
			continue
		}
		p := c.persons[ix[0]].p
		emit(Group{Kind: schema.KindPerson, Rule: SameNameBirth,
			Evidence: "姓名 " + schema.Mask(schema.KindPerson, "name", p.Name) + "，出生日期相同(" + birthYear(p) + "年)",
			Members:  c.personMembers(ix)})
	}
}

// birthDate is the person's birth date, or the one in their ID number.
func birthDate(p schema.Person) string {
	if p.BirthDate != "" {
		return p.BirthDate
	}
	if t, err := schema.IDNumberBirthDate(schema.NormalizeIDNumber(p.IDNumber)); err == nil {
		return t.Format(schema.DateLayout)
	}
	return ""
}

// birthYear is the year of birthDate.
func birthYear(p schema.Person) string {
	y, _, _ := strings.Cut(birthDate(p), "-")
	return y
}

// distinctIDNumbers reports whether two of the persons carry different
// ID numbers: namesakes born on one day, not one person.
func (c *collector) distinctIDNumbers(ix []int) bool {
	first := ""
	for _, i := range ix {
		id := schema.NormalizeIDNumber(c.persons[i].p.IDNumber)
		if id == "" {
			continue
		}
		if first != "" && id != first {
			return true
		}
		first = id
	}
	return false
}

func (c *collector) personMembers(ix []int) []Member {
	out := make([]Member, len(ix))
	for n, i := range ix {
		p := c.persons[i]
		out[n] = Member{ID: p.rec.ID, Unit: p.rec.Unit, UnitName: c.divs.Name(p.rec.Unit),
			Name:      schema.Mask(schema.KindPerson, "name", p.p.Name),
			IDNumber:  schema.Mask(schema.KindPerson, "id_number", p.p.IDNumber),
			BirthYear: birthYear(p.p), Refs: c.refs[p.rec.ID]}
	}
	return out
}

func (c *collector) facilityGroups(emit func(Group)) {
	byName, byAddr := keyed{}, keyed{}
	for i, f := range c.facilities {
		u := f.rec.Unit
		town := u.Ancestor(schema.LevelTownship)
		byName.add(string(u)+"|"+schema.NormalizeFacilityName(f.f.Name, c.divs.Name(u), c.divs.Name(town)), i)
		if addr := schema.NormalizeAddress(f.f.Address); addr != "" {
			byAddr.add(string(town)+"|"+addr, i)
		}
	}
	for _, key := range sortedKeys(byName) {
		if ix := byName[key]; len(ix) > 1 {
			emit(Group{Kind: schema.KindFacility, Rule: SameFacilityName,
				Evidence: "名称 " + c.facilityNames(ix), Members: c.facilityMembers(ix)})
		}
	}
	for _, key := range sortedKeys(byAddr) {
		if ix := byAddr[key]; len(ix) > 1 {
			emit(Group{Kind: schema.KindFacility, Rule: SameAddress,
				Evidence: "地址 " + c.facilities[ix[0]].f.Address, Members: c.facilityMembers(ix)})
		}
	}
}

// facilityNames lists the distinct spellings of the facilities' names.
func (c *collector) facilityNames(ix []int) string {
	var names []string
	for _, i := range ix {
		if n := c.facilities[i].f.Name; !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, " / ")
}

func (c *collector) facilityMembers(ix []int) []Member {
	out := make([]Member, len(ix))
	for n, i := range ix {
		f := c.facilities[i]
		out[n] = Member{ID: f.rec.ID, Unit: f.rec.Unit, UnitName: c.divs.Name(f.rec.Unit), Name: f.f.Name,
			Kind: f.f.Kind.Label(), Address: f.f.Address, Refs: c.refs[f.rec.ID]}
	}
	return out
}

func sortedKeys(k keyed) []string {
	keys := make([]string, 0, len(k))
	for key := range k {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
