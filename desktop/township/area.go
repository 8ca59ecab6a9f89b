// Package township is what the desktop app knows about the records of the
// one township (乡镇/街道) a site enters data for: the rows each tab shows,
// checking a record before it is saved, and the township's own indicators.
// It holds no Fyne code, so it is tested without a display and without the
// cgo build, and it adds no rule of its own: validation is the schema's,
// writes go through the agent store, and the indicators follow the
// definitions in schema/measure.go.
package township

import (
	"fmt"
	"sort"
	"time"

	"laoxiao/schema"
)

// Area is the unit a site enters data for (a township, or a single village
// for a device the server scoped to one) and the units under it.
type Area struct {
	Code schema.Code
	// Name is the unit's own name (草坝镇); Full adds its county (雨城区草坝镇)
	// because township names repeat across counties.
	Name, Full string
	// Units is the area itself first, then its villages in pinyin order
	// (CompareNames; code order between villages of the same name).
	Units []schema.Unit
}

// NewArea describes the area with code from the division registry.
func NewArea(divs *schema.Divisions, code schema.Code) (Area, error) {
	u, ok := divs.Lookup(code)
	if !ok {
		return Area{}, fmt.Errorf("area %s: unknown unit (未知的行政区划)", code)
	}
	if l := code.Level(); l != schema.LevelTownship && l != schema.LevelVillage {
		return Area{}, fmt.Errorf("area %s: a site enters data for a township or a village, not a %s (数据录入须以乡镇(街道)为单位)", code, l)
	}
	a := Area{Code: code, Name: u.Name, Full: u.Name, Units: []schema.Unit{u}}
	if county, ok := divs.Lookup(code.Ancestor(schema.LevelCounty)); ok {
		a.Full = county.Name + u.Name
	}
	type village struct {
		unit schema.Unit
		key  string
	}
	var vs []village
	for _, c := range divs.Descendants(code, schema.LevelVillage) {
		if v, ok := divs.Lookup(c); ok {
			vs = append(vs, village{v, nameKey(v.Name, false)})
		}
	}
	sort.Slice(vs, func(i, j int) bool {
		if c := compareNames(vs[i].key, vs[j].key, vs[i].unit.Name, vs[j].unit.Name); c != 0 {
			return c < 0
		}
		return vs[i].unit.Code < vs[j].unit.Code
	})
	for _, v := range vs {
		a.Units = append(a.Units, v.unit)
	}
	return a, nil
}

// UnitLabel names a unit of the area for lists and selects: the area itself
// reads "草坝镇(本级)" so it is not mistaken for the sum of its villages.
func (a Area) UnitLabel(c schema.Code) string {
	if c == a.Code {
		return a.Name + "(本级)"
	}
	for _, u := range a.Units {
		if u.Code == c {
			return u.Name
		}
	}
	return string(c)
}

// UnitLabels returns the labels of Units in order, for a select.
func (a Area) UnitLabels() []string {
	out := make([]string, len(a.Units))
	for i, u := range a.Units {
		out[i] = a.UnitLabel(u.Code)
	}
	return out
}

// UnitByLabel is the inverse of UnitLabel over the area's units.
func (a Area) UnitByLabel(label string) (schema.Code, bool) {
	for _, u := range a.Units {
		if a.UnitLabel(u.Code) == label {
			return u.Code, true
		}
	}
	return "", false
}

// IsStreet reports whether the area is an urban street office (街道), for
// which the street indicators apply.
func (a Area) IsStreet() bool { return len(a.Units) > 0 && a.Units[0].IsStreet() }

// County is one county with its townships, for the first-run choice.
type County struct {
	Unit      schema.Unit
	Townships []schema.Unit
}

// Counties lists the counties under root (a city or province code) with
// their townships, in code order.
func Counties(divs *schema.Divisions, root schema.Code) []County {
	var out []County
	for _, cc := range divs.Descendants(root, schema.LevelCounty) {
		cu, _ := divs.Lookup(cc)
		c := County{Unit: cu}
		for _, tc := range divs.Descendants(cc, schema.LevelTownship) {
			tu, _ := divs.Lookup(tc)
			c.Townships = append(c.Townships, tu)
		}
		if len(c.Townships) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// WorkingArea decides which unit the app enters data for: the device's
// scope when that is a township or village; otherwise (a scope above
// township, such as a county office's laptop) the township the user chose,
// if it lies within the scope. "" means the user must choose.
func WorkingArea(scope, chosen schema.Code) schema.Code {
	switch scope.Level() {
	case schema.LevelTownship, schema.LevelVillage:
		return scope
	}
	if chosen.Level() == schema.LevelTownship && chosen.Within(scope) {
		return chosen
	}
	return ""
}

// Today returns the date in China of now, as YYYY-MM-DD: laptops are
// often left on UTC, and a visit made at 07:00 in Beijing must still
// default to today (schema.Today).
func Today(now time.Time) string { return schema.Today(now) }

// ThisMonth returns the month in China of now, as YYYY-MM.
func ThisMonth(now time.Time) string { return schema.ThisMonth(now) }

// PrevMonth returns the month before a YYYY-MM month, or "" if it is not
// one.
func PrevMonth(month string) string {
	t, err := time.Parse(schema.MonthLayout, month)
	if err != nil {
		return ""
	}
	return t.AddDate(0, -1, 0).Format(schema.MonthLayout)
}

// RecentMonths returns n months ending with month, newest first, for a
// month select.
func RecentMonths(month string, n int) []string {
	out := make([]string, 0, n)
	for m := month; m != "" && len(out) < n; m = PrevMonth(m) {
		out = append(out, m)
	}
	return out
}
