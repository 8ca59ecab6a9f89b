package schema

// The rules of every Measure, written once. The server's engine (which
// reads records as raw CBOR views, a county at a time) and the desktop
// (which holds one township's decoded records) gather the facts below in
// their own way and then ask these rules what counts, so the two faces
// cannot disagree on a definition; a test runs both over one data set.

// MeasureSource says what a measure counts over, and so which fields of
// MeasureRule apply.
type MeasureSource int

const (
	// SourceCapacity sums MeasureRule.Figure of the latest capacity report
	// of every operating facility that MeasureRule.Facility accepts; a
	// facility without a report adds 0 (but still counts as read).
	SourceCapacity MeasureSource = iota + 1
	// SourceFacilities counts operating facilities MeasureRule.Facility
	// accepts.
	SourceFacilities
	// SourceUnits counts registry units of MeasureRule.Level in scope
	// and of its class (MeasureRule.CountsUnit).
	SourceUnits
	// SourceCoverage counts the units of SourceUnits at which an operating
	// facility that MeasureRule.Facility accepts stands: its unit is the
	// unit or lies below it.
	SourceCoverage
	// SourcePersons counts registered persons MeasureRule.Person accepts.
	SourcePersons
	// SourcePopulation is a population figure (see Measure) read by
	// MeasureRule.Population.
	SourcePopulation
)

// FacilityFacts is what the facility rules read of one operating facility.
// Callers pass operating facilities only: no rule counts another status.
type FacilityFacts struct {
	Info      FacilityKindInfo
	Ownership Ownership
	Inclusive bool // 普惠
	Demo      bool // 示范
	Filing    Filing
}

// FactsOf is the facts of a decoded facility. ok is false for a kind
// this release does not know, which no measure counts.
func FactsOf(f Facility) (facts FacilityFacts, ok bool) {
	info, ok := f.Kind.Info()
	return FacilityFacts{Info: info, Ownership: f.Ownership, Inclusive: f.Inclusive, Demo: f.Demo, Filing: f.Filing}, ok
}

// Socialized reports whether the facility is run 公建民营 or 民办.
func (f FacilityFacts) Socialized() bool {
	return f.Ownership == OwnPublicPrivate || f.Ownership == OwnPrivate
}

// PersonFacts is what the person rules read of one registered person and
// the counted visits to them (Measure defines a counted visit).
type PersonFacts struct {
	Special          bool // a special-difficulty category (PersonCategory.SpecialDifficulty)
	Disabled         bool // 失能
	Tekun            bool // 特困
	Newborn          bool
	Centralized      bool // SupportMode is centralized (集中供养)
	WantsCentralized bool
	// Visited holds the visit kinds with a counted visit in the kind's
	// window (VisitKind.Window) of the report period.
	Visited VisitSet
}

// AddCategory records one of the person's categories.
func (p *PersonFacts) AddCategory(c PersonCategory) {
	switch c {
	case CatDisabled:
		p.Disabled = true
	case CatTekun:
		p.Tekun = true
	case CatNewborn:
		p.Newborn = true
	}
	p.Special = p.Special || c.SpecialDifficulty()
}

// PersonFactsOf is the facts of a decoded person, with the visits the
// caller found counted in their windows.
func PersonFactsOf(p Person, visited VisitSet) PersonFacts {
	f := PersonFacts{Centralized: p.SupportMode == SupportCentralized, WantsCentralized: p.WantsCentralized,
		Visited: visited}
	for _, c := range p.Categories {
		f.AddCategory(c)
	}
	return f
}

// VisitSet is a set of visit kinds that measures count, as bits.
type VisitSet uint8

// visitBit is the bit of a measured visit kind, 0 for a kind no measure
// counts.
func visitBit(k VisitKind) VisitSet {
	switch k {
	case VisitMonthly:
		return 1
	case VisitDisabledSupport:
		return 2
	case VisitNewborn:
		return 4
	}
	return 0
}

// With returns the set with k added.
func (s VisitSet) With(k VisitKind) VisitSet { return s | visitBit(k) }

// Has reports whether k is in the set.
func (s VisitSet) Has(k VisitKind) bool { b := visitBit(k); return b != 0 && s&b != 0 }

// VisitWindow is when a visit must be dated to count for a report period.
type VisitWindow int

const (
	// WindowNone: no measure counts visits of this kind.
	WindowNone VisitWindow = iota
	// WindowLastMonth: dated in the period's last month (the month itself,
	// or December of a year), because the monthly visit rate is about a
	// month.
	WindowLastMonth
	// WindowPeriod: dated in the period (the month, or any month of the
	// year).
	WindowPeriod
	// WindowEver: any date; one visit is what the indicator asks for.
	WindowEver
	// WindowYearToDate: dated in the period's year, from January to the
	// period's last month, as the year's births a visit rate divides by.
	WindowYearToDate
)

// Window is when a visit of kind k counts for the measures.
func (k VisitKind) Window() VisitWindow {
	switch k {
	case VisitMonthly:
		return WindowLastMonth
	case VisitDisabledSupport:
		return WindowPeriod
	case VisitNewborn:
		return WindowYearToDate
	}
	return WindowNone
}

// MeasureRule is how one measure is counted. Which fields apply depends
// on Source; the others are zero.
type MeasureRule struct {
	Measure Measure
	Source  MeasureSource
	// Facility accepts the operating facilities a capacity, facility or
	// coverage measure counts.
	Facility func(FacilityFacts) bool
	// Figure is the field of a capacity report a capacity measure sums.
	Figure func(*Capacity) int64
	// Level and Units name the units a unit or coverage measure counts
	// (LevelVillage or LevelTownship, and a class within it; see
	// CountsUnit).
	Level Level
	Units UnitClass
	// Person accepts the persons a person measure counts; Visit is the
	// visit kind that made it count, if any (for lineage: those visits
	// were read too).
	Person func(PersonFacts) bool
	Visit  VisitKind
	// Population reads a population figure from a record.
	Population func(*Population) int64
}

func elderly(f FacilityFacts) bool     { return f.Info.Domain == DomainElderly }
func childcare(f FacilityFacts) bool   { return f.Info.Domain == DomainChildcare }
func institution(f FacilityFacts) bool { return elderly(f) && f.Info.Institution }
func kindIs(ks ...FacilityKind) func(FacilityFacts) bool {
	return func(f FacilityFacts) bool {
		for _, k := range ks {
			if f.Info.Kind == k {
				return true
			}
		}
		return false
	}
}

func bedsTotal(c *Capacity) int64   { return c.BedsTotal }
func bedsNursing(c *Capacity) int64 { return c.BedsNursing }
func careStaff(c *Capacity) int64   { return c.CareStaff }

func disabledTekun(p PersonFacts) bool { return p.Disabled && p.Tekun }
func wantsCentral(p PersonFacts) bool  { return p.Tekun && p.WantsCentralized }

// measureRules is every measure's rule, in the order of Measures.
var measureRules = []MeasureRule{
	{Measure: MeasureBedsTotal, Source: SourceCapacity, Facility: elderly, Figure: bedsTotal},
	{Measure: MeasureBedsNursing, Source: SourceCapacity, Facility: elderly, Figure: bedsNursing},
	{Measure: MeasureBedsInstitution, Source: SourceCapacity, Facility: institution, Figure: bedsTotal},
	{Measure: MeasureBedsInstitutionNursing, Source: SourceCapacity, Facility: institution, Figure: bedsNursing},
	{Measure: MeasureBedsSocialized, Source: SourceCapacity, Figure: bedsTotal,
		Facility: func(f FacilityFacts) bool { return elderly(f) && f.Socialized() }},
	{Measure: MeasureBedsInclusive, Source: SourceCapacity, Figure: bedsTotal,
		Facility: func(f FacilityFacts) bool { return elderly(f) && f.Inclusive }},
	{Measure: MeasureBedsSafetyNet, Source: SourceCapacity, Figure: bedsTotal,
		Facility: func(f FacilityFacts) bool { return elderly(f) && (f.Inclusive || f.Info.Kind == FKTekunHome) }},
	{Measure: MeasureElderlyCareStaff, Source: SourceCapacity, Facility: elderly, Figure: careStaff},

	{Measure: MeasureChildcarePlaces, Source: SourceCapacity, Facility: childcare,
		Figure: func(c *Capacity) int64 { return c.PlacesTotal }},
	{Measure: MeasureChildcarePlacesInclusive, Source: SourceCapacity, Facility: childcare,
		Figure: func(c *Capacity) int64 { return c.PlacesInclusive }},
	{Measure: MeasureChildcareCareStaff, Source: SourceCapacity, Facility: childcare, Figure: careStaff},
	{Measure: MeasureChildcareCertifiedStaff, Source: SourceCapacity, Facility: childcare,
		Figure: func(c *Capacity) int64 { return c.CertifiedStaff }},

	{Measure: MeasurePopResident, Source: SourcePopulation, Population: func(p *Population) int64 { return p.Resident }},
	{Measure: MeasurePopAged60, Source: SourcePopulation, Population: func(p *Population) int64 { return p.Aged60 }},
	{Measure: MeasurePopBirths, Source: SourcePopulation, Population: func(p *Population) int64 { return p.Births }},

	{Measure: MeasureVillages, Source: SourceUnits, Level: LevelVillage},
	{Measure: MeasureVillagesWithCommunityCare, Source: SourceCoverage, Level: LevelVillage,
		Facility: kindIs(FKDayCare, FKRuralHappiness)},
	{Measure: MeasureVillagesWithChildcare, Source: SourceCoverage, Level: LevelVillage, Facility: childcare},
	{Measure: MeasureTownships, Source: SourceUnits, Level: LevelTownship},
	{Measure: MeasureTownshipsWithCenter, Source: SourceCoverage, Level: LevelTownship,
		Facility: kindIs(FKTownshipCenter, FKStreetCenter)},
	{Measure: MeasureTownshipsWithInclusiveChildcare, Source: SourceCoverage, Level: LevelTownship,
		Facility: func(f FacilityFacts) bool { return childcare(f) && f.Inclusive }},
	{Measure: MeasureTownshipsWithDemoInclusiveChildcare, Source: SourceCoverage, Level: LevelTownship,
		Facility: func(f FacilityFacts) bool { return childcare(f) && f.Inclusive && f.Demo }},
	{Measure: MeasureStreets, Source: SourceUnits, Level: LevelTownship, Units: UnitsStreets},
	{Measure: MeasureStreetsWithCenter, Source: SourceCoverage, Level: LevelTownship, Units: UnitsStreets,
		Facility: kindIs(FKStreetCenter)},
	{Measure: MeasureStreetsWithChildcare, Source: SourceCoverage, Level: LevelTownship, Units: UnitsStreets,
		Facility: childcare},
	{Measure: MeasureTowns, Source: SourceUnits, Level: LevelTownship, Units: UnitsTowns},
	{Measure: MeasureTownsWithCenter, Source: SourceCoverage, Level: LevelTownship, Units: UnitsTowns,
		Facility: kindIs(FKTownshipCenter)},
	{Measure: MeasureCommunities, Source: SourceUnits, Level: LevelVillage, Units: UnitsCommunities},
	{Measure: MeasureCommunitiesWithDayCare, Source: SourceCoverage, Level: LevelVillage, Units: UnitsCommunities,
		Facility: kindIs(FKDayCare)},
	{Measure: MeasureRuralVillages, Source: SourceUnits, Level: LevelVillage, Units: UnitsRural},
	{Measure: MeasureRuralVillagesWithHomeCare, Source: SourceCoverage, Level: LevelVillage, Units: UnitsRural,
		Facility: kindIs(FKDayCare, FKRuralHappiness)},

	{Measure: MeasureChildcareFiled, Source: SourceFacilities,
		Facility: func(f FacilityFacts) bool { return childcare(f) && f.Filing == FilingFiled }},
	{Measure: MeasureChildcareDemo, Source: SourceFacilities,
		Facility: func(f FacilityFacts) bool { return childcare(f) && f.Demo }},
	{Measure: MeasureChildcareGuidanceCenters, Source: SourceFacilities, Facility: kindIs(FKChildcareGuidance)},
	{Measure: MeasureCountyChildcareCenters, Source: SourceFacilities, Facility: kindIs(FKCountyChildcare)},
	{Measure: MeasureCountyElderlyCenters, Source: SourceFacilities, Facility: kindIs(FKCountyElderlyCenter)},

	{Measure: MeasurePersonsSpecial, Source: SourcePersons, Person: func(p PersonFacts) bool { return p.Special }},
	{Measure: MeasurePersonsSpecialVisitedMonth, Source: SourcePersons, Visit: VisitMonthly,
		Person: func(p PersonFacts) bool { return p.Special && p.Visited.Has(VisitMonthly) }},
	{Measure: MeasurePersonsDisabledTekun, Source: SourcePersons, Person: disabledTekun},
	{Measure: MeasurePersonsDisabledTekunVisitedMonth, Source: SourcePersons, Visit: VisitMonthly,
		Person: func(p PersonFacts) bool { return disabledTekun(p) && p.Visited.Has(VisitMonthly) }},
	{Measure: MeasurePersonsDisabledTekunCentralized, Source: SourcePersons,
		Person: func(p PersonFacts) bool { return disabledTekun(p) && p.Centralized }},
	{Measure: MeasurePersonsDisabled, Source: SourcePersons, Person: func(p PersonFacts) bool { return p.Disabled }},
	{Measure: MeasurePersonsDisabledSupported, Source: SourcePersons, Visit: VisitDisabledSupport,
		Person: func(p PersonFacts) bool { return p.Disabled && p.Visited.Has(VisitDisabledSupport) }},
	{Measure: MeasureNewborns, Source: SourcePersons, Person: func(p PersonFacts) bool { return p.Newborn }},
	{Measure: MeasureNewbornsVisited, Source: SourcePersons, Visit: VisitNewborn,
		Person: func(p PersonFacts) bool { return p.Newborn && p.Visited.Has(VisitNewborn) }},
	{Measure: MeasurePersonsWantingCentralized, Source: SourcePersons, Person: wantsCentral},
	{Measure: MeasurePersonsWantingCentralizedServed, Source: SourcePersons,
		Person: func(p PersonFacts) bool { return wantsCentral(p) && p.Centralized }},
}

// MeasureRules returns every measure's rule, in the order of Measures.
// The slice is shared: callers must not modify it.
func MeasureRules() []MeasureRule { return measureRules }

// Rule returns the rule of m; ok is false for an unknown measure.
func (m Measure) Rule() (MeasureRule, bool) {
	for _, r := range measureRules {
		if r.Measure == m {
			return r, true
		}
	}
	return MeasureRule{}, false
}

// Ratio is the indicator's value from its measures: num alone for a count
// (no Denominator), else num ÷ den × Scale. ok is false when den is 0,
// because 0 % and "nothing to divide by" differ.
func (i Indicator) Ratio(num, den float64) (value float64, ok bool) {
	if i.Denominator == "" {
		return num, true
	}
	if den == 0 {
		return 0, false
	}
	return num / den * i.Scale, true
}
