package schema

import (
	"fmt"
	"time"
)

// Kind names a record type. The string is what travels in changes and what
// stores put in their keys, so it never changes once released.
type Kind string

// The record kinds of the design.
const (
	KindFacility   Kind = "facility"
	KindCapacity   Kind = "capacity"
	KindPerson     Kind = "person"
	KindVisit      Kind = "visit"
	KindPopulation Kind = "population"
	KindReported   Kind = "reported"
	KindTarget     Kind = "target"
	KindLock       Kind = "lock"
	KindUnlock     Kind = "unlock"
	KindTask       Kind = "task"
	KindProgress   Kind = "progress"
	KindProject    Kind = "project"
)

// Kinds lists every record kind in a stable order.
var Kinds = []Kind{KindFacility, KindCapacity, KindPerson, KindVisit, KindPopulation, KindReported, KindTarget,
	KindLock, KindUnlock, KindTask, KindProgress, KindProject}

var kindLabels = map[Kind]string{
	KindFacility:   "机构/设施",
	KindCapacity:   "床位/托位",
	KindPerson:     "服务对象",
	KindVisit:      "探访/访视",
	KindPopulation: "人口",
	KindReported:   "填报值",
	KindTarget:     "目标",
	KindLock:       "审核锁定",
	KindUnlock:     "解除锁定",
	KindTask:       "任务",
	KindProgress:   "任务进展",
	KindProject:    "项目",
}

// Label returns the kind's Chinese name.
func (k Kind) Label() string { return kindLabels[k] }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindLabels[k]; return ok }

// ParseKind turns a name like "facility" into a Kind.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if !k.Valid() {
		return "", fmt.Errorf("unknown record kind %q (want one of %v)", s, Kinds)
	}
	return k, nil
}

// SiteWritable reports whether a township site may create or edit records
// of this kind. Targets and locks are set by a higher office and are
// read-only below, and so are the plan's tasks a city or county decomposes.
func (k Kind) SiteWritable() bool {
	return k.Valid() && k != KindTarget && k != KindTask && !k.Locking()
}

// Domain separates elderly care (养老) from childcare (托育).
type Domain string

// The two domains.
const (
	DomainElderly   Domain = "养老"
	DomainChildcare Domain = "托育"
)

// FacilityKind is the type of a facility (机构类型).
type FacilityKind string

// Facility kinds of the design, plus the county-level centres the plans'
// indicators count.
const (
	FKElderlyInstitution  FacilityKind = "elderly_institution"
	FKTekunHome           FacilityKind = "tekun_home"
	FKStreetCenter        FacilityKind = "street_center"
	FKTownshipCenter      FacilityKind = "township_center"
	FKCountyElderlyCenter FacilityKind = "county_elderly_center"
	FKDayCare             FacilityKind = "day_care"
	FKRuralHappiness      FacilityKind = "rural_happiness"
	FKMealPoint           FacilityKind = "meal_point"
	FKChildcareInst       FacilityKind = "childcare_institution"
	FKKindergartenClass   FacilityKind = "kindergarten_class"
	FKCommunityChildcare  FacilityKind = "community_childcare"
	FKFamilyChildcare     FacilityKind = "family_childcare"
	FKEmployerChildcare   FacilityKind = "employer_childcare"
	FKChildcareGuidance   FacilityKind = "childcare_guidance"
	FKCountyChildcare     FacilityKind = "county_childcare_center"
)

// FacilityKindInfo describes a facility kind.
type FacilityKindInfo struct {
	Kind   FacilityKind
	Label  string
	Domain Domain
	// Institution marks residential elderly-care institutions (养老机构 in
	// the plans' counts), as opposed to community facilities.
	Institution bool
}

// FacilityKinds lists every facility kind in the order forms show them.
var FacilityKinds = []FacilityKindInfo{
	{FKElderlyInstitution, "养老机构", DomainElderly, true},
	{FKTekunHome, "特困供养机构(敬老院)", DomainElderly, true},
	{FKStreetCenter, "街道综合养老服务中心", DomainElderly, false},
	{FKTownshipCenter, "乡镇区域养老服务中心", DomainElderly, false},
	{FKCountyElderlyCenter, "县级区域性养老中心", DomainElderly, true},
	{FKDayCare, "社区日间照料中心", DomainElderly, false},
	{FKRuralHappiness, "农村幸福院/互助养老点", DomainElderly, false},
	{FKMealPoint, "老年助餐点", DomainElderly, false},
	{FKChildcareInst, "托育机构", DomainChildcare, true},
	{FKKindergartenClass, "幼儿园托班(托幼一体)", DomainChildcare, false},
	{FKCommunityChildcare, "社区托育点", DomainChildcare, false},
	{FKFamilyChildcare, "家庭托育点", DomainChildcare, false},
	{FKEmployerChildcare, "用人单位托育点", DomainChildcare, false},
	{FKChildcareGuidance, "婴幼儿照护服务指导中心", DomainChildcare, false},
	{FKCountyChildcare, "县级区域综合托育中心", DomainChildcare, false},
}

// Info returns the kind's description; ok is false for an unknown kind.
func (k FacilityKind) Info() (FacilityKindInfo, bool) {
	for _, fk := range FacilityKinds {
		if fk.Kind == k {
			return fk, true
		}
	}
	return FacilityKindInfo{}, false
}

// Label returns the kind's Chinese name.
func (k FacilityKind) Label() string { i, _ := k.Info(); return i.Label }

// Domain returns 养老 or 托育, or "" for an unknown kind.
func (k FacilityKind) Domain() Domain { i, _ := k.Info(); return i.Domain }

// Choice is one value of an enumeration with its Chinese label, in the
// order forms offer them.
type Choice struct {
	Value string
	Label string
}

// Ownership is who owns and who runs a facility.
type Ownership string

// Ownerships.
const (
	OwnPublic        Ownership = "public"         // 公办
	OwnPublicPrivate Ownership = "public_private" // 公建民营
	OwnPrivate       Ownership = "private"        // 民办
)

// Ownerships lists the ownership values with labels.
var Ownerships = []Choice{{string(OwnPublic), "公办"}, {string(OwnPublicPrivate), "公建民营"}, {string(OwnPrivate), "民办"}}

// Filing is a facility's registration (备案) status.
type Filing string

// Filing statuses.
const (
	FilingNone    Filing = "none"    // 未备案
	FilingPending Filing = "pending" // 备案中
	FilingFiled   Filing = "filed"   // 已备案
)

// Filings lists the filing values with labels.
var Filings = []Choice{{string(FilingNone), "未备案"}, {string(FilingPending), "备案中"}, {string(FilingFiled), "已备案"}}

// FacilityStatus is whether a facility operates.
type FacilityStatus string

// Facility statuses.
const (
	StatusOperating FacilityStatus = "operating" // 运营
	StatusSuspended FacilityStatus = "suspended" // 暂停
	StatusClosed    FacilityStatus = "closed"    // 关闭
	// A facility not yet open: planned (规划中) or under construction (在建),
	// usually linked to its project (Facility.Project). Indicators count
	// operating facilities only.
	StatusPlanned  FacilityStatus = "planned"  // 规划中
	StatusBuilding FacilityStatus = "building" // 在建
)

// FacilityStatuses lists the statuses with labels.
var FacilityStatuses = []Choice{{string(StatusOperating), "运营中"}, {string(StatusSuspended), "暂停"}, {string(StatusClosed), "关闭"},
	{string(StatusPlanned), "规划中"}, {string(StatusBuilding), "在建"}}

// PersonCategory is why a person is served.
type PersonCategory string

// Person categories.
const (
	CatTekun      PersonCategory = "tekun"       // 特困
	CatAlone      PersonCategory = "alone"       // 独居
	CatEmptyNest  PersonCategory = "empty_nest"  // 空巢
	CatLeftBehind PersonCategory = "left_behind" // 留守
	CatDisabled   PersonCategory = "disabled"    // 失能
	CatOldest     PersonCategory = "oldest"      // 高龄
	CatFamilyPlan PersonCategory = "family_plan" // 计划生育特殊家庭
	CatNewborn    PersonCategory = "newborn"     // 新生儿
)

// PersonCategories lists the categories with labels.
var PersonCategories = []Choice{
	{string(CatTekun), "特困"}, {string(CatAlone), "独居"}, {string(CatEmptyNest), "空巢"},
	{string(CatLeftBehind), "留守"}, {string(CatDisabled), "失能"}, {string(CatOldest), "高龄"},
	{string(CatFamilyPlan), "计划生育特殊家庭"}, {string(CatNewborn), "新生儿"},
}

// SpecialDifficulty reports whether the category counts as an elderly
// person in special difficulty (特殊困难老年人), who must be visited monthly.
func (c PersonCategory) SpecialDifficulty() bool { return c != CatNewborn && c != "" }

// SupportMode is how a 特困 person is supported.
type SupportMode string

// Support modes.
const (
	SupportNone        SupportMode = ""            // 不适用
	SupportCentralized SupportMode = "centralized" // 集中供养
	SupportDispersed   SupportMode = "dispersed"   // 分散供养
)

// SupportModes lists the modes with labels.
var SupportModes = []Choice{{"", "不适用"}, {string(SupportCentralized), "集中供养"}, {string(SupportDispersed), "分散供养"}}

// VisitKind is the purpose of a visit.
type VisitKind string

// Visit kinds.
const (
	VisitMonthly         VisitKind = "monthly"          // 特殊困难老年人月探访
	VisitNewborn         VisitKind = "newborn"          // 新生儿访视
	VisitDisabledSupport VisitKind = "disabled_support" // 失能老人帮扶
)

// VisitKinds lists the visit kinds with labels.
var VisitKinds = []Choice{{string(VisitMonthly), "特殊困难老年人月探访"}, {string(VisitNewborn), "新生儿访视"}, {string(VisitDisabledSupport), "失能老人帮扶"}}

// LabelOf returns the label of value v among choices, or v itself.
func LabelOf(choices []Choice, v string) string {
	for _, c := range choices {
		if c.Value == v {
			return c.Label
		}
	}
	return v
}

// Date layouts used in records: a day and a month (period).
const (
	DateLayout  = "2006-01-02"
	MonthLayout = "2006-01"
)

// Facility is a place that provides elderly care or childcare (机构/设施).
// Its Unit is the village or township it stands in.
type Facility struct {
	Name      string         `cbor:"name"`
	Kind      FacilityKind   `cbor:"kind"`
	Ownership Ownership      `cbor:"ownership"`
	Inclusive bool           `cbor:"inclusive"` // 普惠
	Filing    Filing         `cbor:"filing"`
	Opened    string         `cbor:"opened"` // YYYY-MM-DD, may be empty
	Status    FacilityStatus `cbor:"status"`
	Medical   bool           `cbor:"medical"` // 医养结合
	Demo      bool           `cbor:"demo"`    // 示范 designation
	Address   string         `cbor:"address"`
	// Project is the id of the project (KindProject) that builds or
	// extends the facility, or "". Always encoded, unlike the merge
	// pointer: a township unlinks a facility by saving it with "", which
	// an omitted field could not say.
	Project string `cbor:"project"`
	// The merge pointer (合并): set by an office on a duplicate, empty on
	// every other record. See merged.go.
	MergedInto  string `cbor:"merged_into,omitempty"`
	MergedBy    string `cbor:"merged_by,omitempty"`
	MergedAt    string `cbor:"merged_at,omitempty"` // RFC 3339
	MergeReason string `cbor:"merge_reason,omitempty"`
	MergeFilled string `cbor:"merge_filled,omitempty"` // survivor's fields the merge filled in, comma-separated
}

// Capacity is a facility's monthly report of beds and childcare places
// (床位/托位). There is one per facility and period; its id is
// CapacityID(facility, period) so two devices editing the same month merge
// field by field instead of creating two reports.
type Capacity struct {
	Facility         string `cbor:"facility"`
	Period           string `cbor:"period"` // YYYY-MM
	BedsTotal        int64  `cbor:"beds_total"`
	BedsNursing      int64  `cbor:"beds_nursing"` // 护理型
	BedsOccupied     int64  `cbor:"beds_occupied"`
	PlacesTotal      int64  `cbor:"places_total"`
	PlacesInclusive  int64  `cbor:"places_inclusive"` // 普惠
	ChildrenEnrolled int64  `cbor:"children_enrolled"`
	CareStaff        int64  `cbor:"care_staff"`
	CertifiedStaff   int64  `cbor:"certified_staff"`
}

// Person is someone the township serves (服务对象): an elderly person in one
// or more categories, or a newborn. It holds personal data.
type Person struct {
	Name             string           `cbor:"name"`
	IDNumber         string           `cbor:"id_number"` // 居民身份证号, may be empty for newborns
	BirthDate        string           `cbor:"birth_date"`
	Categories       []PersonCategory `cbor:"categories"`
	SupportMode      SupportMode      `cbor:"support_mode"`
	WantsCentralized bool             `cbor:"wants_centralized"` // 有集中供养意愿
	Note             string           `cbor:"note"`
	// The merge pointer (合并): set by an office on a duplicate, empty on
	// every other record. See merged.go.
	MergedInto  string `cbor:"merged_into,omitempty"`
	MergedBy    string `cbor:"merged_by,omitempty"`
	MergedAt    string `cbor:"merged_at,omitempty"` // RFC 3339
	MergeReason string `cbor:"merge_reason,omitempty"`
	MergeFilled string `cbor:"merge_filled,omitempty"` // survivor's fields the merge filled in, comma-separated
	// The move pointers (迁移): set by an office when the person moves to
	// another township; moved_to on the old, deleted record, moved_from
	// on the new one. See moved.go.
	MovedTo       string `cbor:"moved_to,omitempty"`
	MovedToUnit   Code   `cbor:"moved_to_unit,omitempty"`
	MovedFrom     string `cbor:"moved_from,omitempty"`
	MovedFromUnit Code   `cbor:"moved_from_unit,omitempty"`
	MovedBy       string `cbor:"moved_by,omitempty"`
	MovedAt       string `cbor:"moved_at,omitempty"` // RFC 3339
	MoveReason    string `cbor:"move_reason,omitempty"`
	// Status says whether the person is still served here; LeftOn is the
	// date they died or moved away, from which the county's retention
	// period runs (syncserver's ErasePersons).
	Status PersonStatus `cbor:"status"`
	LeftOn string       `cbor:"left_on"`
	// ErasedOn is the date the server erased the person's name, ID number
	// and birth date after the retention period. An erased person keeps
	// their categories and visits, so past figures do not change, and can
	// never be named again: validation refuses identifying fields on them.
	// It is omitted when empty, unlike status, so that a device saving a
	// form that does not know it never sends it back empty.
	ErasedOn string `cbor:"erased_on,omitempty"`
}

// PersonStatus is whether a person is still served here (在册), died (已故)
// or moved away (迁出).
type PersonStatus string

// Person statuses.
const (
	PersonActive PersonStatus = ""      // 在册
	PersonDied   PersonStatus = "died"  // 已故
	PersonMoved  PersonStatus = "moved" // 迁出
)

// PersonStatuses lists the statuses with labels.
var PersonStatuses = []Choice{{"", "在册"}, {string(PersonDied), "已故"}, {string(PersonMoved), "迁出"}}

// Left reports whether the person died or moved away.
func (p Person) Left() bool { return p.Status == PersonDied || p.Status == PersonMoved }

// Erased reports whether the person's identifying fields were erased.
func (p Person) Erased() bool { return p.ErasedOn != "" }

// Has reports whether the person is in category c.
func (p Person) Has(c PersonCategory) bool {
	for _, x := range p.Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Visit is one visit to a served person (探访/访视). Visits are insert-only:
// a correction is a new visit whose Supersedes names the old one.
type Visit struct {
	Person     string    `cbor:"person"`
	Date       string    `cbor:"date"` // YYYY-MM-DD
	Visitor    string    `cbor:"visitor"`
	Kind       VisitKind `cbor:"kind"`
	Outcome    string    `cbor:"outcome"`
	Note       string    `cbor:"note"`
	Supersedes string    `cbor:"supersedes"`
}

// Population is a unit's population in a year (人口). Its id is
// PopulationID(unit, year).
type Population struct {
	Year     int64 `cbor:"year"`
	Resident int64 `cbor:"resident"`
	Aged60   int64 `cbor:"aged60"`
	Aged65   int64 `cbor:"aged65"`
	Aged0to3 int64 `cbor:"aged0_3"`
	Births   int64 `cbor:"births"`
}

// Reported is a value a department enters for an indicator nobody can
// compute from records (填报值). Its id is ReportedID(unit, indicator, period).
type Reported struct {
	Indicator  string  `cbor:"indicator"`
	Period     string  `cbor:"period"` // YYYY or YYYY-MM
	Value      float64 `cbor:"value"`
	Department string  `cbor:"department"`
}

// Target is a goal a higher office sets for a unit (目标). Its id is
// TargetID(unit, indicator, year). Text fields keep the plan's wording
// (">95", "应建尽建") beside the number used for computing.
type Target struct {
	Indicator    string  `cbor:"indicator"`
	Year         int64   `cbor:"year"`
	Value        float64 `cbor:"value"`
	ValueText    string  `cbor:"value_text"`
	BaselineYear int64   `cbor:"baseline_year"`
	Baseline     float64 `cbor:"baseline"`
	BaselineText string  `cbor:"baseline_text"`
	HasBaseline  bool    `cbor:"has_baseline"`
	// The fields below came after the first release; a target stored
	// before them reads with their zero values (no attribute stated, no
	// departments, split like any total). See target.go.
	Attribute   Attribute   `cbor:"attribute"`   // 约束性, 预期性 or "" where the plan states neither
	Lead        string      `cbor:"lead"`        // 牵头单位 as the plan writes them, joined by 、
	Cooperating string      `cbor:"cooperating"` // 配合单位, joined by 、
	Scope       TargetScope `cbor:"scope"`       // how the target applies below the unit
}

// CapacityID is the id of a facility's report for a period.
func CapacityID(facility, period string) string { return "cap:" + facility + ":" + period }

// PopulationID is the id of a unit's population record for a year.
func PopulationID(unit Code, year int64) string { return fmt.Sprintf("pop:%s:%d", unit, year) }

// ReportedID is the id of a reported value.
func ReportedID(unit Code, indicator, period string) string {
	return fmt.Sprintf("rv:%s:%s:%s", unit, indicator, period)
}

// TargetID is the id of a target.
func TargetID(unit Code, indicator string, year int64) string {
	return fmt.Sprintf("tg:%s:%s:%d", unit, indicator, year)
}

// NewValue returns a pointer to a zero typed record of kind k (a
// *Facility for KindFacility, …), ready for Record.Decode or a form to
// fill. An unknown kind is an error naming the kinds there are, since it
// usually comes from what a user typed.
func NewValue(k Kind) (any, error) {
	switch k {
	case KindFacility:
		return new(Facility), nil
	case KindCapacity:
		return new(Capacity), nil
	case KindPerson:
		return new(Person), nil
	case KindVisit:
		return new(Visit), nil
	case KindPopulation:
		return new(Population), nil
	case KindReported:
		return new(Reported), nil
	case KindTarget:
		return new(Target), nil
	case KindLock:
		return new(Lock), nil
	case KindUnlock:
		return new(Unlock), nil
	case KindTask:
		return new(Task), nil
	case KindProgress:
		return new(Progress), nil
	case KindProject:
		return new(Project), nil
	}
	return nil, fmt.Errorf("unknown record kind %q (未知的记录类型); want one of %v", k, Kinds)
}

// KindOf returns the kind of a typed record value (pointer or not).
func KindOf(v any) (Kind, error) {
	switch v.(type) {
	case Facility, *Facility:
		return KindFacility, nil
	case Capacity, *Capacity:
		return KindCapacity, nil
	case Person, *Person:
		return KindPerson, nil
	case Visit, *Visit:
		return KindVisit, nil
	case Population, *Population:
		return KindPopulation, nil
	case Reported, *Reported:
		return KindReported, nil
	case Target, *Target:
		return KindTarget, nil
	case Lock, *Lock:
		return KindLock, nil
	case Unlock, *Unlock:
		return KindUnlock, nil
	case Task, *Task:
		return KindTask, nil
	case Progress, *Progress:
		return KindProgress, nil
	case Project, *Project:
		return KindProject, nil
	}
	return "", fmt.Errorf("not a record type: %T", v)
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (time.Time, error) { return time.Parse(DateLayout, s) }
