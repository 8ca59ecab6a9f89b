package schema

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Validation reports every problem of a record or change at once, each
// naming its field and saying what is wrong in Chinese (for township staff,
// who fix it) and English (for logs and the people who run servers). One
// problem at a time would make a user who is offline for days correct a
// form over several syncs.
//
// Rules, by record kind (numbers are counts and must not be negative):
//
//   - every kind: the unit is a well-formed division code, exists in
//     ValidationContext.Divisions (when given) and lies within
//     ValidationContext.Scope (when given). Facilities, capacity reports,
//     persons and visits belong to a township (9 digits) or a village (12):
//     that is where they stand or live. Population, reported values and
//     targets may be at any level, because counties and cities enter their
//     own totals and targets.
//   - facility: name, kind, ownership and status are required and known;
//     filing is known when set; opened is a YYYY-MM-DD date not in the
//     future.
//   - capacity: facility and period (YYYY-MM, not a future month) are
//     required; nursing and occupied beds do not exceed total beds;
//     inclusive places and enrolled children do not exceed total places;
//     certified staff do not exceed care staff.
//   - person: name and at least one known category are required, without
//     repeats, and a newborn is in no other category; the support mode is
//     known and set only for 特困 persons; the birth date is a date not in
//     the future; the ID number passes CheckIDNumber, its birth date is
//     not in the future and agrees with the birth date when both are set.
//   - visit: person, date (not in the future) and a known kind are
//     required.
//   - population: a year (1949–2100, not after this year); people aged 60+
//     do not exceed residents, 65+ do not exceed 60+, under-3s and births
//     do not exceed residents.
//   - reported: a catalogue indicator that is not computed from records,
//     a period YYYY or YYYY-MM not in the future, a finite non-negative
//     value, at most 100 for a percentage.
//   - target: a catalogue indicator, a year, finite non-negative values (at
//     most 100 for a percentage), a baseline year not after the target
//     year.
//   - lock: a period YYYY or YYYY-MM not in the future, who locked it, when
//     (RFC 3339) and why. Locks are insert-only and cannot be deleted: an
//     Unlock lifts one, and the audit trail keeps both.
//   - unlock: the id of the lock it lifts, its period as for a lock, who,
//     when and why; insert-only like a lock.
//   - task: plan, number and title; a deadline YYYY, YYYY-MM or
//     YYYY-MM-DD when set (it may lie ahead); its id is TaskID.
//   - progress (at a county, township or village): the task, a date not in
//     the future, a known status, a percentage 0–100 that is 100 when done
//     and 0 when not started.
//   - project (at a county, township or village): name, a known kind and
//     status; finite non-negative investment whose central and local parts
//     do not exceed the total; counts not negative; plausible years, the
//     end not before the start; a percentage 0–100 that is 100 once built
//     or in use.
//
// "The future" is after the date of ValidationContext.Now; a zero Now skips
// those checks. Dates are Chinese calendar dates, so the later of Now's own
// date and its date in China Standard Time counts as today: a server that
// runs on UTC must not refuse a visit entered at 07:00 in Beijing.

// Problem is one thing wrong with a record or a change.
type Problem struct {
	// Field names what is wrong as kind.field ("capacity.beds_nursing"),
	// kind.unit for the unit, or change.part for the change's envelope
	// (change.id, change.stamp, …), so forms can put the message beside
	// the input.
	Field string
	Zh    string
	En    string
}

// String formats the problem the way logs and error messages show it.
func (p Problem) String() string { return p.Field + ": " + p.En + " / " + p.Zh }

// Problems is every problem found in one record or change.
type Problems []Problem

// Err returns nil when there are no problems and a *ValidationError
// otherwise, so callers can write `if err := ps.Err(); err != nil`.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

// Zh joins only the Chinese messages, for the desktop app.
func (ps Problems) Zh() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Zh
	}
	return strings.Join(msgs, "；")
}

// String lists every problem, both languages, separated by "; ".
func (ps Problems) String() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.String()
	}
	return strings.Join(msgs, "; ")
}

// Has reports whether some problem names field.
func (ps Problems) Has(field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// ValidationError is the error form of Problems, so a refusal travels
// through error returns without losing the per-field detail.
type ValidationError struct {
	Problems Problems
	// Cause, when set, is the refusal the problems describe (a
	// *PeriodLockedError), so errors.Is(err, ErrPeriodLocked) sees through them.
	Cause error
}

// Unwrap returns Cause.
func (e *ValidationError) Unwrap() error { return e.Cause }

// Error lists every problem, e.g.
// "capacity.beds_nursing: nursing beds (12) exceed total beds (10) / 护理型床位(12)超过床位总数(10)".
func (e *ValidationError) Error() string { return e.Problems.String() }

// Zh joins only the Chinese messages, for the desktop app.
func (e *ValidationError) Zh() string { return e.Problems.Zh() }

// ValidationContext is what validation needs to know beyond the record.
type ValidationContext struct {
	// Divisions is the registry unit codes must exist in; nil skips the
	// existence check (a code's shape is still checked).
	Divisions *Divisions
	// Scope is the unit the writer may write under; "" allows every unit.
	Scope Code
	// Now is the current time; records may not be dated after it. The zero
	// time skips the future checks.
	Now time.Time
}

// Plausible years for population, reported values and targets: before the
// People's Republic's statistics there is nothing to enter, and a year
// after 2100 is a typo.
const (
	minYear = 1949
	maxYear = 2100
)

// maxIDBytes bounds record ids and device ids: they end up in store keys
// and in every change of the log.
const maxIDBytes = 128

// today returns the date records may not be after, or "" to skip: the
// later of the date in China and the date in now's own zone, so a device
// whose zone runs ahead of China's is not refused a date it sees as today.
func today(now time.Time) string {
	if now.IsZero() {
		return ""
	}
	return max(now.Format(DateLayout), Today(now))
}

// unitLevels lists the levels a kind's records may be at; nil means any.
var unitLevels = map[Kind][]Level{
	KindFacility: {LevelTownship, LevelVillage},
	KindCapacity: {LevelTownship, LevelVillage},
	KindPerson:   {LevelTownship, LevelVillage},
	KindVisit:    {LevelTownship, LevelVillage},
	KindProgress: progressUnitLevels,
	KindProject:  projectUnitLevels,
}

// recordFields maps each kind's field names (the cbor keys) to their Go
// types. It is derived from the struct tags so a new field is validated
// the day it is added.
var recordFields = map[Kind]map[string]reflect.Type{}

func init() {
	for _, k := range Kinds {
		v, _ := NewValue(k)
		t := reflect.TypeOf(v).Elem()
		m := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("cbor"), ",")
			if name == "" || name == "-" {
				panic(fmt.Sprintf("schema: %s.%s has no cbor name", t.Name(), f.Name))
			}
			m[name] = f.Type
			if _, ok := fieldLabels[k][name]; !ok {
				panic(fmt.Sprintf("schema: %s field %q has no label", k, name))
			}
		}
		recordFields[k] = m
	}
}

// checker accumulates the problems of one record.
type checker struct {
	kind  Kind
	today string
	ps    Problems
}

func (c *checker) add(field, en, zh string) {
	c.ps = append(c.ps, Problem{Field: string(c.kind) + "." + field, En: en, Zh: zh})
}

func (c *checker) label(field string) label {
	en, zh := FieldLabel(c.kind, field)
	return label{en, zh}
}

func (c *checker) required(field string, missing bool) bool {
	if missing {
		l := c.label(field)
		c.add(field, l.en+" is required", l.zh+"不能为空")
	}
	return !missing
}

func (c *checker) text(field, v string) bool {
	return c.required(field, strings.TrimSpace(v) == "")
}

// enum checks v is one of choices when set, and that it is set when
// required.
func (c *checker) enum(field, v string, choices []Choice, required bool) {
	if v == "" {
		if required {
			c.required(field, true)
		}
		return
	}
	if knownChoice(choices, v) {
		return
	}
	l := c.label(field)
	c.add(field, fmt.Sprintf("unknown %s %q", l.en, v), fmt.Sprintf("%s“%s”不是可选的取值", l.zh, v))
}

func (c *checker) nonNegative(field string, v int64) bool {
	if v < 0 {
		l := c.label(field)
		c.add(field, fmt.Sprintf("%s (%d) cannot be negative", l.en, v), fmt.Sprintf("%s(%d)不能为负数", l.zh, v))
		return false
	}
	return true
}

// notAbove reports field a exceeding field b; the problem names a, the
// figure the user most likely mistyped.
func (c *checker) notAbove(a string, av int64, b string, bv int64) {
	if av > bv {
		la, lb := c.label(a), c.label(b)
		c.add(a, fmt.Sprintf("%s (%d) exceed %s (%d)", la.en, av, lb.en, bv),
			fmt.Sprintf("%s(%d)超过%s(%d)", la.zh, av, lb.zh, bv))
	}
}

// date checks a YYYY-MM-DD date, and that it is not in the future.
func (c *checker) date(field, v string, required bool) bool {
	if v == "" {
		if required {
			c.required(field, true)
		}
		return false
	}
	l := c.label(field)
	if !isDate(v) {
		c.add(field, fmt.Sprintf("%s %q is not a date of the form YYYY-MM-DD", l.en, v),
			fmt.Sprintf("%s“%s”不是有效日期(格式为YYYY-MM-DD)", l.zh, v))
		return false
	}
	if c.today != "" && v > c.today {
		c.add(field, fmt.Sprintf("%s %s is in the future (today is %s)", l.en, v, c.today),
			fmt.Sprintf("%s%s晚于今天(%s)", l.zh, v, c.today))
		return false
	}
	return true
}

// year checks a plausible year, optionally not after this year.
func (c *checker) year(field string, y int64, required, notFuture bool) {
	if y == 0 {
		if required {
			c.required(field, true)
		}
		return
	}
	l := c.label(field)
	if y < minYear || y > maxYear {
		c.add(field, fmt.Sprintf("%s %d is not between %d and %d", l.en, y, minYear, maxYear),
			fmt.Sprintf("%s%d不在%d至%d之间", l.zh, y, minYear, maxYear))
		return
	}
	if notFuture && c.today != "" && strconv.FormatInt(y, 10) > c.today[:4] {
		c.add(field, fmt.Sprintf("%s %d is in the future", l.en, y), fmt.Sprintf("%s%d晚于今年", l.zh, y))
	}
}

// value checks a float is a finite, non-negative figure, at most 100 for a
// percentage.
func (c *checker) value(field string, v float64, percent bool) {
	l := c.label(field)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		c.add(field, fmt.Sprintf("%s is not a number", l.en), fmt.Sprintf("%s不是有效数字", l.zh))
	case v < 0:
		c.add(field, fmt.Sprintf("%s (%g) cannot be negative", l.en, v), fmt.Sprintf("%s(%g)不能为负数", l.zh, v))
	case percent && v > 100:
		c.add(field, fmt.Sprintf("%s (%g%%) cannot exceed 100%%", l.en, v), fmt.Sprintf("%s(%g%%)不能超过100%%", l.zh, v))
	}
}

func knownChoice(choices []Choice, v string) bool {
	for _, ch := range choices {
		if ch.Value == v {
			return true
		}
	}
	return false
}

func isDate(s string) bool {
	if len(s) != len(DateLayout) {
		return false
	}
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

func isMonth(s string) bool {
	if len(s) != len(MonthLayout) {
		return false
	}
	_, err := time.Parse(MonthLayout, s)
	return err == nil
}

// checkUnit checks a record's unit: shape, level for the kind (when
// levels is set), existence and scope.
func (c *checker) unit(u Code, ctx ValidationContext, levels []Level) {
	if !u.Valid() {
		c.add("unit", fmt.Sprintf("unit code %q is not a division code of 2, 4, 6, 9 or 12 digits", u),
			fmt.Sprintf("区划代码“%s”格式不正确(应为2、4、6、9或12位数字)", u))
		return
	}
	name := string(u)
	if ctx.Divisions != nil {
		if unit, ok := ctx.Divisions.Lookup(u); ok {
			name = unit.Name + "(" + string(u) + ")"
		} else {
			c.add("unit", fmt.Sprintf("unit %s does not exist", u), fmt.Sprintf("区划代码%s不存在", u))
		}
	}
	if levels != nil && !slices.Contains(levels, u.Level()) {
		where, whereZh := "a township or village", "乡镇(街道)或村(社区)"
		if slices.Contains(levels, LevelCounty) {
			where, whereZh = "a county, township or village", "区县、乡镇(街道)或村(社区)"
		}
		c.add("unit", fmt.Sprintf("a %s record belongs to %s, not to the %s %s", c.kind, where, u.Level(), name),
			fmt.Sprintf("%s记录应登记在%s，%s是%s级", c.kind.Label(), whereZh, name, u.Level().Label()))
	}
	if ctx.Scope != "" && !u.Within(ctx.Scope) {
		scope := string(ctx.Scope)
		if ctx.Divisions != nil {
			scope = ctx.Divisions.Name(ctx.Scope) + "(" + scope + ")"
		}
		c.add("unit", fmt.Sprintf("unit %s is outside this device's area %s", name, scope),
			fmt.Sprintf("%s不在本设备的管辖范围%s内", name, scope))
	}
}

// ValidateRecord checks a typed record (Facility, Capacity, Person, Visit,
// Population, Reported or Target, by value or pointer) of kind at unit
// against the rules above and returns every problem found.
func ValidateRecord(kind Kind, unit Code, v any, ctx ValidationContext) Problems {
	return validateTyped(kind, unit, v, ctx, true)
}

func validateTyped(kind Kind, unit Code, v any, ctx ValidationContext, checkUnit bool) Problems {
	c := &checker{kind: kind, today: today(ctx.Now)}
	if !kind.Valid() {
		return Problems{{Field: "record.kind", En: fmt.Sprintf("unknown record kind %q", kind), Zh: fmt.Sprintf("未知的记录类型“%s”", kind)}}
	}
	if got, err := KindOf(v); err != nil || got != kind {
		return Problems{{Field: string(kind), En: fmt.Sprintf("a %s record cannot hold a %T", kind, v),
			Zh: fmt.Sprintf("%s记录的数据类型不正确(%T)", kind.Label(), v)}}
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return Problems{{Field: string(kind), En: "the record is missing", Zh: kind.Label() + "记录为空"}}
	}
	if checkUnit {
		c.unit(unit, ctx, unitLevels[kind])
	}
	switch r := v.(type) {
	case Facility:
		c.facility(&r)
	case *Facility:
		c.facility(r)
	case Capacity:
		c.capacity(&r)
	case *Capacity:
		c.capacity(r)
	case Person:
		c.person(&r)
	case *Person:
		c.person(r)
	case Visit:
		c.visit(&r)
	case *Visit:
		c.visit(r)
	case Population:
		c.population(&r)
	case *Population:
		c.population(r)
	case Reported:
		c.reported(&r)
	case *Reported:
		c.reported(r)
	case Target:
		c.target(&r)
	case *Target:
		c.target(r)
	case Lock:
		c.lock(&r)
	case *Lock:
		c.lock(r)
	case Unlock:
		c.unlock(&r)
	case *Unlock:
		c.unlock(r)
	case Task:
		c.task(&r)
	case *Task:
		c.task(r)
	case Progress:
		c.progress(&r)
	case *Progress:
		c.progress(r)
	case Project:
		c.project(&r)
	case *Project:
		c.project(r)
	}
	return c.ps
}

func (c *checker) facility(f *Facility) {
	c.text("name", f.Name)
	if c.required("kind", f.Kind == "") {
		if _, ok := f.Kind.Info(); !ok {
			l := c.label("kind")
			c.add("kind", fmt.Sprintf("unknown %s %q", l.en, f.Kind), fmt.Sprintf("%s“%s”不是可选的取值", l.zh, f.Kind))
		}
	}
	c.enum("ownership", string(f.Ownership), Ownerships, true)
	c.enum("filing", string(f.Filing), Filings, false)
	c.enum("status", string(f.Status), FacilityStatuses, true)
	c.date("opened", f.Opened, false)
}

func (c *checker) capacity(r *Capacity) {
	c.text("facility", r.Facility)
	if c.required("period", r.Period == "") {
		l := c.label("period")
		switch {
		case !isMonth(r.Period):
			c.add("period", fmt.Sprintf("%s %q is not a month of the form YYYY-MM", l.en, r.Period),
				fmt.Sprintf("%s“%s”格式不正确(应为YYYY-MM)", l.zh, r.Period))
		case c.today != "" && r.Period > c.today[:7]:
			c.add("period", fmt.Sprintf("%s %s is in the future", l.en, r.Period),
				fmt.Sprintf("%s%s晚于本月", l.zh, r.Period))
		}
	}
	counts := []struct {
		name string
		v    int64
	}{
		{"beds_total", r.BedsTotal}, {"beds_nursing", r.BedsNursing}, {"beds_occupied", r.BedsOccupied},
		{"places_total", r.PlacesTotal}, {"places_inclusive", r.PlacesInclusive},
		{"children_enrolled", r.ChildrenEnrolled}, {"care_staff", r.CareStaff}, {"certified_staff", r.CertifiedStaff},
	}
	ok := true
	for _, n := range counts {
		ok = c.nonNegative(n.name, n.v) && ok
	}
	if !ok {
		// A negative figure is the mistake to fix first; comparing it
		// with others would only add confusing messages.
		return
	}
	c.notAbove("beds_nursing", r.BedsNursing, "beds_total", r.BedsTotal)
	c.notAbove("beds_occupied", r.BedsOccupied, "beds_total", r.BedsTotal)
	c.notAbove("places_inclusive", r.PlacesInclusive, "places_total", r.PlacesTotal)
	c.notAbove("children_enrolled", r.ChildrenEnrolled, "places_total", r.PlacesTotal)
	c.notAbove("certified_staff", r.CertifiedStaff, "care_staff", r.CareStaff)
}

func (c *checker) person(p *Person) {
	c.enum("status", string(p.Status), PersonStatuses, false)
	if p.Left() {
		c.date("left_on", p.LeftOn, true)
	} else if p.LeftOn != "" {
		c.add("left_on", "a date died or moved away needs the status died or moved",
			"只有已故或迁出人员才填去世或迁出日期")
	}
	if p.Erased() {
		c.erased(p)
		return
	}
	c.text("name", p.Name)
	if c.required("categories", len(p.Categories) == 0) {
		seen := map[PersonCategory]bool{}
		l := c.label("categories")
		for _, cat := range p.Categories {
			if !knownChoice(PersonCategories, string(cat)) {
				c.add("categories", fmt.Sprintf("unknown %s %q", l.en, cat), fmt.Sprintf("%s“%s”不是可选的取值", l.zh, cat))
				continue
			}
			if seen[cat] {
				c.add("categories", fmt.Sprintf("category %q is listed twice", cat),
					fmt.Sprintf("%s“%s”重复", l.zh, LabelOf(PersonCategories, string(cat))))
			}
			seen[cat] = true
		}
		if seen[CatNewborn] && len(seen) > 1 {
			c.add("categories", "a newborn cannot also be in an elderly category", "新生儿不能同时属于老年人类别")
		}
	}
	c.enum("support_mode", string(p.SupportMode), SupportModes, false)
	if p.SupportMode != SupportNone && !p.Has(CatTekun) {
		c.add("support_mode", "a support mode applies only to 特困 persons",
			"只有特困人员才有供养方式")
	}
	birthOK := c.date("birth_date", p.BirthDate, false)
	if p.IDNumber == "" {
		return
	}
	if err := CheckIDNumber(p.IDNumber); err != nil {
		ie := err.(*idNumberError)
		c.add("id_number", ie.en, ie.zh)
		return
	}
	born, _ := idBirthDate(p.IDNumber)
	embedded := born.Format(DateLayout)
	if c.today != "" && embedded > c.today {
		c.add("id_number", fmt.Sprintf("the birth date in the ID number (%s) is in the future", embedded),
			fmt.Sprintf("身份证号中的出生日期(%s)晚于今天", embedded))
	}
	if birthOK && p.BirthDate != embedded {
		c.add("birth_date", fmt.Sprintf("birth date %s does not match the ID number's %s", p.BirthDate, embedded),
			fmt.Sprintf("出生日期%s与身份证号中的出生日期%s不一致", p.BirthDate, embedded))
	}
}

// erased checks a person whose identity the retention erased: the date is
// a date, and no identifying field came back (an offline edit made before
// the erasure synced must not name them again).
func (c *checker) erased(p *Person) {
	c.date("erased_on", p.ErasedOn, true)
	values := p.Identity()
	for i, field := range IdentityFields {
		if values[i] != "" {
			l := c.label(field)
			c.add(field, "the person's identity was erased after the retention period; "+l.en+" cannot be set again",
				"该人员身份信息已按保存期限删除,不能再填写"+l.zh)
		}
	}
}

func (c *checker) visit(v *Visit) {
	c.text("person", v.Person)
	c.date("date", v.Date, true)
	c.enum("kind", string(v.Kind), VisitKinds, true)
}

func (c *checker) population(p *Population) {
	c.year("year", p.Year, true, true)
	ok := true
	for _, n := range []struct {
		name string
		v    int64
	}{{"resident", p.Resident}, {"aged60", p.Aged60}, {"aged65", p.Aged65}, {"aged0_3", p.Aged0to3}, {"births", p.Births}} {
		ok = c.nonNegative(n.name, n.v) && ok
	}
	if !ok {
		return
	}
	c.notAbove("aged60", p.Aged60, "resident", p.Resident)
	c.notAbove("aged65", p.Aged65, "aged60", p.Aged60)
	c.notAbove("aged0_3", p.Aged0to3, "resident", p.Resident)
	c.notAbove("births", p.Births, "resident", p.Resident)
}

// indicator checks an indicator id against the catalogue and returns it.
func (c *checker) indicator(id string) (Indicator, bool) {
	if !c.text("indicator", id) {
		return Indicator{}, false
	}
	ind, ok := IndicatorByID(id)
	if !ok {
		c.add("indicator", fmt.Sprintf("unknown indicator %q", id), fmt.Sprintf("指标“%s”不在指标目录中", id))
	}
	return ind, ok
}

func (c *checker) reported(r *Reported) {
	ind, ok := c.indicator(r.Indicator)
	if ok && ind.Computed() {
		c.add("indicator", fmt.Sprintf("indicator %s (%s) is computed from records and cannot be reported", ind.ID, ind.Name),
			fmt.Sprintf("指标“%s”由系统根据记录计算，不能填报", ind.Name))
	}
	c.yearOrMonth("period", r.Period)
	c.value("value", r.Value, ok && ind.Unit == "%")
}

// yearOrMonth checks a required period, a year YYYY or a month YYYY-MM,
// not in the future.
func (c *checker) yearOrMonth(field, p string) {
	if !c.required(field, p == "") {
		return
	}
	l := c.label(field)
	var future bool
	switch {
	case len(p) == 4 && allDigits(p):
		y, _ := strconv.ParseInt(p, 10, 64)
		c.year(field, y, true, true)
	case isMonth(p):
		future = c.today != "" && p > c.today[:7]
		y, _ := strconv.ParseInt(p[:4], 10, 64)
		c.year(field, y, true, false)
	default:
		c.add(field, fmt.Sprintf("%s %q is not a year YYYY or a month YYYY-MM", l.en, p),
			fmt.Sprintf("%s“%s”格式不正确(应为YYYY或YYYY-MM)", l.zh, p))
	}
	if future {
		c.add(field, fmt.Sprintf("%s %s is in the future", l.en, p), fmt.Sprintf("%s%s晚于本月", l.zh, p))
	}
}

// instant checks a required RFC 3339 time.
func (c *checker) instant(field, v string) {
	if !c.text(field, v) {
		return
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		l := c.label(field)
		c.add(field, fmt.Sprintf("%s %q is not a time of the form 2006-01-02T15:04:05+08:00", l.en, v),
			fmt.Sprintf("%s“%s”格式不正确", l.zh, v))
	}
}

func (c *checker) lock(l *Lock) {
	c.yearOrMonth("period", l.Period)
	c.text("by", l.By)
	c.instant("at", l.At)
	c.text("reason", l.Reason)
}

func (c *checker) unlock(u *Unlock) {
	c.text("lock", u.Lock)
	c.yearOrMonth("period", u.Period)
	c.text("by", u.By)
	c.instant("at", u.At)
	c.text("reason", u.Reason)
}

func (c *checker) target(t *Target) {
	ind, ok := c.indicator(t.Indicator)
	c.year("year", t.Year, true, false)
	percent := ok && ind.Unit == "%"
	c.value("value", t.Value, percent)
	c.value("baseline", t.Baseline, percent)
	c.year("baseline_year", t.BaselineYear, false, false)
	if t.BaselineYear != 0 && t.Year != 0 && t.BaselineYear > t.Year {
		c.add("baseline_year", fmt.Sprintf("baseline year %d is after target year %d", t.BaselineYear, t.Year),
			fmt.Sprintf("基期年份%d晚于目标年份%d", t.BaselineYear, t.Year))
	}
	c.targetExtra(t)
}

// typeLabel names a field's Go type for messages.
func typeLabel(t reflect.Type) label {
	switch t.Kind() {
	case reflect.String:
		return label{"text", "文本"}
	case reflect.Bool:
		return label{"true or false", "是或否"}
	case reflect.Int64, reflect.Int:
		return label{"a whole number", "整数"}
	case reflect.Float64:
		return label{"a number", "数字"}
	case reflect.Slice:
		return label{"a list", "列表"}
	}
	return label{t.String(), t.String()}
}

// checkFieldValue decodes raw with the wire limits into a value of type t
// and requires raw to be exactly what the deterministic encoder gives for
// that value. Merge compares field values as bytes, so two encodings of
// one value (an integer written as 0x1801, a float as an integer, null for
// false) would make equal edits look different.
func checkFieldValue(raw []byte, t reflect.Type) error {
	if canonicalScalar(raw, t) {
		return nil
	}
	pv := reflect.New(t)
	if err := UnmarshalWire(raw, pv.Interface()); err != nil {
		return err
	}
	re, err := encMode.Marshal(pv.Elem().Interface())
	if err != nil {
		return err
	}
	if !bytes.Equal(re, raw) {
		return fmt.Errorf("not in deterministic CBOR encoding")
	}
	return nil
}

// ValidateChange checks a change before it is applied to cur (nil for a
// record not seen yet): first its envelope and fields on their own, then,
// unless it deletes, the record as it would be after Merge, so rules that
// span fields (nursing beds ≤ total beds) hold for the merged state even
// when two devices each edited one of the fields. A record whose id is
// derived from its contents (capacity, population, reported, target) must
// carry exactly that id, so two devices cannot create two reports for the
// same facility and month. Deletes are checked for shape, unit existence
// and scope only: a record filed at a level the rules no longer allow
// must still be removable.
func ValidateChange(cur *Record, ch *Change, ctx ValidationContext) Problems {
	_, _, ps := ValidateMerge(cur, ch, ctx)
	return ps
}

// ValidateMerge is ValidateChange for a caller that applies the change
// next: when the change passes it also returns Merge(cur, ch), the record
// and whether it changed, which the check computed anyway (the merged
// state is what the cross-field rules look at). On problems the record is
// nil. One merge per change instead of two is most of what it saves the
// server's writer.
func ValidateMerge(cur *Record, ch *Change, ctx ValidationContext) (*Record, bool, Problems) {
	if ch == nil {
		return nil, false, Problems{{Field: "change", En: "no change", Zh: "缺少修改内容"}}
	}
	return checkAlone(ch, ctx).against(cur)
}

// alone checks what needs no stored record: the envelope, the unit and
// every field on its own, and for a delete all there is to check. final
// reports that the problems are complete without a record.
func (v *changeCheck) alone() (clean Fields, undecodable, final bool) {
	ch, ctx := v.ch, v.ctx
	v.envelope()
	if !ch.Kind.Valid() {
		// Without a kind neither the unit rules nor the field names mean
		// anything; report what can be said about the envelope.
		v.c = &checker{kind: "record"}
		v.c.unit(ch.Unit, ctx, nil)
		return nil, false, true
	}
	v.c = &checker{kind: ch.Kind, today: today(ctx.Now)}
	if ch.Delete {
		v.c.unit(ch.Unit, ctx, nil)
	} else {
		v.c.unit(ch.Unit, ctx, unitLevels[ch.Kind])
	}
	clean, undecodable = v.fields()
	if ch.Delete {
		v.delete()
		return clean, undecodable, true
	}
	if len(ch.Set) == 0 {
		v.env("set", "the change sets no field", "修改内容为空")
	}
	return clean, undecodable, false
}

// withRecord finishes, against cur, a check alone left unfinished: the
// change must fit the record, and the merged record must pass the rules
// that span fields. A change with no problems leaves its merged record in
// v.rec.
func (v *changeCheck) withRecord(cur *Record, clean Fields, undecodable bool) Problems {
	fits := v.againstCurrent(cur, clean)
	v.visitSupersedes(clean)
	if undecodable || len(clean) == 0 || !fits {
		return v.problems()
	}
	return v.merged(cur, clean)
}

// outcome is ValidateMerge's answer once the check found ps.
func (v *changeCheck) outcome(cur *Record, ps Problems) (*Record, bool, Problems) {
	if len(ps) > 0 {
		return nil, false, ps
	}
	if v.rec != nil {
		return v.rec, v.changed, nil
	}
	// A delete: the check did not merge it.
	rec, changed, err := Merge(cur, v.ch)
	if err != nil {
		return nil, false, Problems{{Field: "change.id", En: "cannot merge: " + err.Error(), Zh: "无法合并修改"}}
	}
	return rec, changed, nil
}

// changeCheck accumulates ValidateChange's problems in two lists, which
// come out in this order: the envelope's (kind, id, stamp, device, seq,
// set, delete), then the record's (unit and fields, in c).
type changeCheck struct {
	ch  *Change
	ctx ValidationContext
	ps  Problems
	c   *checker
	// rec and changed are what merged computed: Merge of the change's
	// fields that decoded into the current record. They are Merge(cur,
	// ch) itself only when no problem was found (then every field
	// decoded).
	rec     *Record
	changed bool
}

func (v *changeCheck) env(part, en, zh string) {
	v.ps = append(v.ps, Problem{Field: "change." + part, En: en, Zh: zh})
}

func (v *changeCheck) problems() Problems { return append(v.ps, v.c.ps...) }

// envelope checks what every change carries whatever its kind.
func (v *changeCheck) envelope() {
	ch := v.ch
	if !ch.Kind.Valid() {
		v.env("kind", fmt.Sprintf("unknown record kind %q", ch.Kind), fmt.Sprintf("未知的记录类型“%s”", ch.Kind))
	}
	switch {
	case ch.ID == "":
		v.env("id", "record id is required", "记录编号不能为空")
	case len(ch.ID) > maxIDBytes:
		v.env("id", fmt.Sprintf("record id is %d bytes long, more than %d", len(ch.ID), maxIDBytes),
			fmt.Sprintf("记录编号长度%d字节，超过%d字节", len(ch.ID), maxIDBytes))
	case !printable(ch.ID):
		v.env("id", "record id contains control characters or invalid UTF-8", "记录编号含有控制字符或无效编码")
	}
	if ch.Stamp == 0 {
		v.env("stamp", "clock stamp is required", "时间戳不能为空")
	}
	switch {
	case ch.Device == "":
		v.env("device", "device id is required", "设备编号不能为空")
	case len(ch.Device) > maxIDBytes || !printable(ch.Device):
		v.env("device", fmt.Sprintf("device id must be printable text of at most %d bytes", maxIDBytes),
			fmt.Sprintf("设备编号须为不超过%d字节的可见字符", maxIDBytes))
	}
	if ch.Seq == 0 {
		v.env("seq", "sequence number must start at 1", "序号须从1开始")
	}
}

// fields checks every field the change sets on its own and returns those
// that decode; undecodable reports whether any did not. Unknown names are
// refused by exact spelling: the decoder would otherwise fold "Name" into
// "name".
//
// Most changes have no bad field. Those are checked in the map's order
// and get the change's own map back (the callers only read it); only a
// change with a bad field is checked again, in name order, so that its
// problems always read the same. Sorting the names, labelling each field
// and copying the map were most of the cost of checking a good change.
func (v *changeCheck) fields() (clean Fields, undecodable bool) {
	if v.fieldsFine() {
		return v.ch.Set, false
	}
	c, ch := v.c, v.ch
	types := recordFields[ch.Kind]
	clean = make(Fields, len(ch.Set))
	for _, name := range ch.Set.FieldNames() {
		raw := ch.Set[name]
		t, fault, err := checkField(types, name, raw)
		switch fault {
		case fieldUnknown:
			c.add(name, fmt.Sprintf("a %s record has no field %q", ch.Kind, name),
				fmt.Sprintf("%s记录没有字段“%s”", ch.Kind.Label(), name))
		case fieldTooBig:
			l := c.label(name)
			c.add(name, fmt.Sprintf("%s value is %d bytes, more than %d", l.en, len(raw), MaxFieldValueSize),
				fmt.Sprintf("%s内容长度%d字节，超过%d字节", l.zh, len(raw), MaxFieldValueSize))
			undecodable = true
		case fieldBadValue:
			l, tl := c.label(name), typeLabel(t)
			c.add(name, fmt.Sprintf("%s must be %s: %v", l.en, tl.en, err), fmt.Sprintf("%s应为%s", l.zh, tl.zh))
			undecodable = true
		default:
			clean[name] = raw
		}
	}
	return clean, undecodable
}

// fieldsFine reports whether fields would find nothing wrong.
func (v *changeCheck) fieldsFine() bool {
	types := recordFields[v.ch.Kind]
	for name, raw := range v.ch.Set {
		if _, fault, _ := checkField(types, name, raw); fault != fieldOK {
			return false
		}
	}
	return true
}

// fieldFault is what is wrong with one field a change sets, on its own.
type fieldFault int

const (
	fieldOK       fieldFault = iota
	fieldUnknown             // the kind has no field of that name
	fieldTooBig              // over MaxFieldValueSize
	fieldBadValue            // not its type's deterministic encoding
)

// checkField checks field name set to raw in a record whose fields are
// types (recordFields of its kind): the one place the order of those
// checks is decided. It returns the field's type, and for a bad value
// what the decoder said.
func checkField(types map[string]reflect.Type, name string, raw []byte) (reflect.Type, fieldFault, error) {
	t, known := types[name]
	switch {
	case !known:
		return nil, fieldUnknown, nil
	case len(raw) > MaxFieldValueSize:
		return t, fieldTooBig, nil
	}
	if err := checkFieldValue(raw, t); err != nil {
		return t, fieldBadValue, err
	}
	return t, fieldOK, nil
}

// delete checks a delete: it sets nothing, and locks and unlocks are never
// deleted.
func (v *changeCheck) delete() {
	ch := v.ch
	if len(ch.Set) > 0 {
		v.env("set", "a delete cannot also set fields", "删除操作不能同时修改字段")
	}
	if ch.Kind.Locking() {
		v.env("delete", fmt.Sprintf("a %s cannot be deleted; the audit trail keeps it (lift a lock with an unlock)", ch.Kind),
			fmt.Sprintf("%s记录不能删除(解除锁定请另行登记解锁)", ch.Kind.Label()))
	}
}

// againstCurrent checks the change fits the record it is applied to (nil:
// none yet): the same record, the same unit, and for insert-only kinds no
// field changed. It reports whether merging makes sense.
func (v *changeCheck) againstCurrent(cur *Record, clean Fields) bool {
	ch := v.ch
	switch {
	case cur == nil:
		return true
	case cur.Kind != ch.Kind || cur.ID != ch.ID:
		v.env("id", fmt.Sprintf("the change is for %s %s but was checked against %s %s", ch.Kind, ch.ID, cur.Kind, cur.ID),
			"修改内容与记录不对应")
		return false
	case cur.Unit != ch.Unit:
		v.c.add("unit", fmt.Sprintf("a record's unit cannot change (from %s to %s); delete it and create it anew", cur.Unit, ch.Unit),
			fmt.Sprintf("记录的所属单位不能修改(原为%s，现为%s)，请删除后重新登记", cur.Unit, ch.Unit))
		return false
	case ch.Kind == KindVisit || ch.Kind.Locking():
		return v.c.insertOnly(cur, clean)
	}
	return true
}

// visitSupersedes refuses a visit that corrects itself.
func (v *changeCheck) visitSupersedes(clean Fields) {
	if v.ch.Kind != KindVisit {
		return
	}
	if raw, ok := clean["supersedes"]; ok {
		var s string
		if UnmarshalWire(raw, &s) == nil && s == v.ch.ID {
			v.c.add("supersedes", "a visit cannot supersede itself", "探访记录不能更正自身")
		}
	}
}

// merged checks the record as it would be after Merge: the rules that
// span fields, and the id a record derived from its contents must carry.
func (v *changeCheck) merged(cur *Record, clean Fields) Problems {
	ch := v.ch
	merged, changed, err := Merge(cur, &Change{Kind: ch.Kind, ID: ch.ID, Unit: ch.Unit, Set: clean,
		Stamp: ch.Stamp, Device: ch.Device, Seq: ch.Seq})
	if err != nil {
		v.env("id", "cannot merge: "+err.Error(), "无法合并修改")
		return v.problems()
	}
	v.rec, v.changed = merged, changed
	typed, err := merged.Typed()
	if err != nil {
		// Only a stored record written before validation existed can get
		// here, since every field of the change decoded on its own.
		v.c.add("fields", "the record's stored fields do not decode: "+err.Error(), "记录已保存的内容无法解析")
		return v.problems()
	}
	ps := v.problems()
	ps = append(ps, validateTyped(ch.Kind, ch.Unit, typed, v.ctx, false)...)
	if want, why, whyZh := derivedID(ch.Unit, typed); want != "" && want != ch.ID {
		ps = append(ps, Problem{Field: "change.id",
			En: fmt.Sprintf("a %s record's id must be %q (%s), got %q; to change it, delete the record and create it anew", ch.Kind, want, why, ch.ID),
			Zh: fmt.Sprintf("%s记录的编号应为“%s”(%s)，实际为“%s”；如需修改请删除后重新登记", ch.Kind.Label(), want, whyZh, ch.ID)})
	}
	return ps
}

// insertOnly refuses a change that alters a field an insert-only record
// (a visit, a lock, an unlock) already holds; repeating the same values is
// harmless and passes. It reports whether the change may be merged.
func (c *checker) insertOnly(cur *Record, set Fields) bool {
	en, zh := "visits cannot be edited; record a new visit that supersedes this one",
		"探访记录不能修改，请新增一条探访记录并注明更正的是哪一条"
	if c.kind.Locking() {
		en, zh = fmt.Sprintf("a %s cannot be edited; unlock and lock again", c.kind),
			fmt.Sprintf("%s记录不能修改，请解锁后重新锁定", c.kind.Label())
	}
	ok := true
	for _, name := range set.FieldNames() {
		if old, has := cur.Fields[name]; has && !bytes.Equal(old, set[name]) {
			c.add(name, en, zh)
			ok = false
		}
	}
	return ok
}

// derivedID returns the id a record whose identity is its contents must
// have, or "" when it has no such id or the fields it derives from are
// missing (required-field problems already say so).
func derivedID(unit Code, v any) (id, why, whyZh string) {
	switch r := v.(type) {
	case *Capacity:
		if r.Facility != "" && r.Period != "" {
			return CapacityID(r.Facility, r.Period), "one report per facility and month", "每个机构每月一份"
		}
	case *Population:
		if r.Year != 0 {
			return PopulationID(unit, r.Year), "one record per unit and year", "每个单位每年一条"
		}
	case *Reported:
		if r.Indicator != "" && r.Period != "" {
			return ReportedID(unit, r.Indicator, r.Period), "one value per unit, indicator and period", "每个单位每个指标每期一条"
		}
	case *Target:
		if r.Indicator != "" && r.Year != 0 {
			return TargetID(unit, r.Indicator, r.Year), "one target per unit, indicator and year", "每个单位每个指标每年一条"
		}
	case *Task:
		if r.Plan != "" && r.Number != "" {
			return TaskID(unit, r.Plan, r.Number), "one record per unit and plan task", "每个单位每项规划任务一条"
		}
	}
	return "", "", ""
}

// printable reports whether s is valid UTF-8 without control characters;
// ids end up in store keys and log lines.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
