package schema

// Measure names one aggregate the indicator engine computes over the
// records of a scope in a single scan. Computed indicators are ratios of
// two measures (or one measure alone for counts), written down as data in
// indicators/formulas.csv, so adding an indicator to the catalogue never
// needs new engine code as long as its measures exist.
//
// Every measure is evaluated for a scope (a unit code) and a report period
// (a month YYYY-MM, or a year). The doc comments below use these terms,
// and the engine must implement exactly them:
//
//   - in scope: the record's unit is the scope unit or lies below it
//     (Code.Within); deleted records (Record.IsDeleted) never count.
//   - operating facility: a Facility in scope whose Status is operating.
//   - elderly-care facility / childcare facility: a facility whose kind's
//     Domain is 养老 / 托育 (FacilityKindInfo.Domain).
//   - institution: an elderly-care facility whose kind has
//     FacilityKindInfo.Institution set (养老机构, 特困供养机构,
//     县级区域性养老中心).
//   - latest capacity report: of the Capacity records whose Facility is
//     the facility's id, the one with the greatest Period not after the
//     report period; a facility without one contributes 0.
//   - registered person: a Person in scope.
//   - counted visit: a Visit in scope that no other visit in scope
//     supersedes (Visit.Supersedes), so a correction replaces the visit it
//     corrects instead of counting twice. Whether the superseding visit
//     itself counts does not matter: when C corrects B which corrected A,
//     only C counts.
//   - population figure: for the scope unit, the Population record with
//     the greatest Year not after the report year; where the unit has
//     none, the sum of the same figure over its child units, recursively,
//     so figures entered at township level add up to a county without a
//     county record counting twice.
//   - a facility "at" a unit: its Unit is the unit's code or the code of a
//     unit below it.
//   - merged duplicates (schema/merged.go): a person or facility whose
//     merged_into is set is not registered, operating or counted at all;
//     a visit or capacity report naming it counts for the record
//     Redirects.Resolve gives (its survivor), and where a duplicate and
//     its survivor both reported a month, the survivor's report is that
//     month's.
type Measure string

// Bed measures, over the latest capacity report of each operating
// elderly-care facility in scope.
const (
	// MeasureBedsTotal sums BedsTotal over operating elderly-care
	// facilities of every kind (institutions and community facilities), as
	// the plans' 养老床位总数 and beds-per-thousand figures do.
	MeasureBedsTotal Measure = "beds_total"
	// MeasureBedsNursing sums BedsNursing over the same facilities as
	// MeasureBedsTotal.
	MeasureBedsNursing Measure = "beds_nursing"
	// MeasureBedsInstitution sums BedsTotal over operating institutions
	// only. The plans define the nursing-bed share (养老机构护理型床位占比)
	// over institutions, so it needs a denominator without community beds.
	MeasureBedsInstitution Measure = "beds_institution"
	// MeasureBedsInstitutionNursing sums BedsNursing over operating
	// institutions only (numerator of the nursing-bed share).
	MeasureBedsInstitutionNursing Measure = "beds_institution_nursing"
	// MeasureBedsSocialized sums BedsTotal over operating elderly-care
	// facilities whose Ownership is public_private (公建民营) or private
	// (民办).
	MeasureBedsSocialized Measure = "beds_socialized"
	// MeasureBedsInclusive sums BedsTotal over operating elderly-care
	// facilities marked Inclusive (普惠).
	MeasureBedsInclusive Measure = "beds_inclusive"
	// MeasureBedsSafetyNet sums BedsTotal over operating elderly-care
	// facilities whose kind is tekun_home (特困供养机构) or that are marked
	// Inclusive; a facility that is both counts once.
	MeasureBedsSafetyNet Measure = "beds_safety_net"
	// MeasureElderlyCareStaff sums CareStaff over operating elderly-care
	// facilities.
	MeasureElderlyCareStaff Measure = "elderly_care_staff"
)

// Childcare capacity measures, over the latest capacity report of each
// operating childcare facility in scope.
const (
	// MeasureChildcarePlaces sums PlacesTotal.
	MeasureChildcarePlaces Measure = "childcare_places"
	// MeasureChildcarePlacesInclusive sums PlacesInclusive (the places the
	// report declares 普惠, whatever the facility's own flag says).
	MeasureChildcarePlacesInclusive Measure = "childcare_places_inclusive"
	// MeasureChildcareCareStaff sums CareStaff.
	MeasureChildcareCareStaff Measure = "childcare_care_staff"
	// MeasureChildcareCertifiedStaff sums CertifiedStaff.
	MeasureChildcareCertifiedStaff Measure = "childcare_certified_staff"
)

// Population measures: population figures (see Measure) of the scope unit.
const (
	// MeasurePopResident is the resident population (Population.Resident).
	MeasurePopResident Measure = "pop_resident"
	// MeasurePopAged60 is the population aged 60 and over
	// (Population.Aged60).
	MeasurePopAged60 Measure = "pop_aged60"
	// MeasurePopBirths is the year's births (Population.Births) of the
	// report year, by the same population rule.
	MeasurePopBirths Measure = "pop_births"
)

// Unit coverage measures. Units come from the division registry, not from
// records: a village nobody entered anything for still counts in the
// denominator, which is the point of a coverage rate.
const (
	// MeasureVillages counts village-level units (12-digit codes) in scope.
	MeasureVillages Measure = "villages"
	// MeasureVillagesWithCommunityCare counts villages at which an
	// operating facility of kind day_care (社区日间照料中心) or
	// rural_happiness (农村幸福院/互助养老点) stands.
	MeasureVillagesWithCommunityCare Measure = "villages_with_community_care"
	// MeasureVillagesWithChildcare counts villages at which an operating
	// childcare facility of any kind stands.
	MeasureVillagesWithChildcare Measure = "villages_with_childcare"
	// MeasureTownships counts township-level units (9-digit codes: 乡, 镇
	// and 街道) in scope.
	MeasureTownships Measure = "townships"
	// MeasureTownshipsWithCenter counts townships at which an operating
	// facility of kind township_center (乡镇区域养老服务中心) or
	// street_center (街道综合养老服务中心) stands.
	MeasureTownshipsWithCenter Measure = "townships_with_center"
	// MeasureTownshipsWithInclusiveChildcare counts townships at which an
	// operating childcare facility marked Inclusive stands.
	MeasureTownshipsWithInclusiveChildcare Measure = "townships_with_inclusive_childcare"
	// MeasureTownshipsWithDemoInclusiveChildcare counts townships at which
	// an operating childcare facility marked both Inclusive and Demo
	// stands.
	MeasureTownshipsWithDemoInclusiveChildcare Measure = "townships_with_demo_inclusive_childcare"
	// MeasureStreets counts township-level units in scope that are street
	// offices (Unit.IsStreet: the name ends in 街道).
	MeasureStreets Measure = "streets"
	// MeasureStreetsWithCenter counts streets at which an operating
	// facility of kind street_center stands.
	MeasureStreetsWithCenter Measure = "streets_with_center"
	// MeasureStreetsWithChildcare counts streets at which an operating
	// childcare facility of any kind stands.
	MeasureStreetsWithChildcare Measure = "streets_with_childcare"
	// MeasureTowns counts township-level units in scope that are not
	// street offices (乡, 镇: UnitsTowns).
	MeasureTowns Measure = "towns"
	// MeasureTownsWithCenter counts towns at which an operating facility
	// of kind township_center (乡镇区域养老服务中心) stands.
	MeasureTownsWithCenter Measure = "towns_with_center"
	// MeasureCommunities counts village-level units in scope that are
	// urban communities (社区: Unit.IsCommunity).
	MeasureCommunities Measure = "communities"
	// MeasureCommunitiesWithDayCare counts communities at which an
	// operating facility of kind day_care (社区日间照料中心) stands.
	MeasureCommunitiesWithDayCare Measure = "communities_with_day_care"
	// MeasureRuralVillages counts village-level units in scope that are
	// not urban communities (村: UnitsRural).
	MeasureRuralVillages Measure = "rural_villages"
	// MeasureRuralVillagesWithHomeCare counts rural villages at which an
	// operating facility of kind day_care or rural_happiness (农村居家养老
	// 服务中心(站), 幸福院, 互助养老点) stands.
	MeasureRuralVillagesWithHomeCare Measure = "rural_villages_with_home_care"
)

// Facility counts: operating facilities in scope.
const (
	// MeasureChildcareFiled counts operating childcare facilities whose
	// Filing is filed (已备案).
	MeasureChildcareFiled Measure = "childcare_filed"
	// MeasureChildcareDemo counts operating childcare facilities marked
	// Demo (示范).
	MeasureChildcareDemo Measure = "childcare_demo"
	// MeasureChildcareGuidanceCenters counts operating facilities of kind
	// childcare_guidance (婴幼儿照护服务指导中心).
	MeasureChildcareGuidanceCenters Measure = "childcare_guidance_centers"
	// MeasureCountyChildcareCenters counts operating facilities of kind
	// county_childcare_center (县级区域综合托育中心).
	MeasureCountyChildcareCenters Measure = "county_childcare_centers"
	// MeasureCountyElderlyCenters counts operating facilities of kind
	// county_elderly_center (县级区域性养老中心).
	MeasureCountyElderlyCenters Measure = "county_elderly_centers"
)

// Person measures: registered persons in scope, and counted visits to
// them. A visit counts for the person its Person field names.
const (
	// MeasurePersonsSpecial counts persons with at least one
	// special-difficulty category (PersonCategory.SpecialDifficulty: every
	// category except newborn).
	MeasurePersonsSpecial Measure = "persons_special"
	// MeasurePersonsSpecialVisitedMonth counts the persons of
	// MeasurePersonsSpecial with at least one counted visit of kind
	// monthly (月探访) whose Date lies in the report month (for a yearly
	// report: the year's last month, because the rate is about a month).
	MeasurePersonsSpecialVisitedMonth Measure = "persons_special_visited_month"
	// MeasurePersonsDisabledTekun counts persons in both the disabled
	// (失能) and tekun (特困) categories.
	MeasurePersonsDisabledTekun Measure = "persons_disabled_tekun"
	// MeasurePersonsDisabledTekunVisitedMonth counts the persons of
	// MeasurePersonsDisabledTekun with a counted monthly visit dated in the
	// report month, as for MeasurePersonsSpecialVisitedMonth.
	MeasurePersonsDisabledTekunVisitedMonth Measure = "persons_disabled_tekun_visited_month"
	// MeasurePersonsDisabledTekunCentralized counts the persons of
	// MeasurePersonsDisabledTekun whose SupportMode is centralized
	// (集中供养).
	MeasurePersonsDisabledTekunCentralized Measure = "persons_disabled_tekun_centralized"
	// MeasurePersonsDisabled counts persons in the disabled (失能) category.
	MeasurePersonsDisabled Measure = "persons_disabled"
	// MeasurePersonsDisabledSupported counts the persons of
	// MeasurePersonsDisabled with at least one counted visit of kind
	// disabled_support (失能老人帮扶) dated in the report period (the month
	// or the year the report covers).
	MeasurePersonsDisabledSupported Measure = "persons_disabled_supported"
	// MeasureNewborns counts persons in the newborn category.
	MeasureNewborns Measure = "newborns"
	// MeasureNewbornsVisited counts the persons of MeasureNewborns with at
	// least one counted visit of kind newborn (新生儿访视) dated in the
	// report period's year up to its last month (WindowYearToDate): one
	// visit is what the indicator asks for, and the rate divides by the
	// year's births (MeasurePopBirths), not by every newborn ever
	// registered.
	MeasureNewbornsVisited Measure = "newborns_visited"
	// MeasurePersonsWantingCentralized counts persons in the tekun (特困)
	// category with WantsCentralized set (有集中供养意愿的兜底保障对象).
	MeasurePersonsWantingCentralized Measure = "persons_wanting_centralized"
	// MeasurePersonsWantingCentralizedServed counts the persons of
	// MeasurePersonsWantingCentralized whose SupportMode is centralized.
	MeasurePersonsWantingCentralizedServed Measure = "persons_wanting_centralized_served"
)

// Measures lists every measure in a stable order. The engine's tests walk
// it to prove that every measure the catalogue may name is implemented.
var Measures = []Measure{
	MeasureBedsTotal, MeasureBedsNursing, MeasureBedsInstitution, MeasureBedsInstitutionNursing,
	MeasureBedsSocialized, MeasureBedsInclusive, MeasureBedsSafetyNet, MeasureElderlyCareStaff,
	MeasureChildcarePlaces, MeasureChildcarePlacesInclusive, MeasureChildcareCareStaff, MeasureChildcareCertifiedStaff,
	MeasurePopResident, MeasurePopAged60, MeasurePopBirths,
	MeasureVillages, MeasureVillagesWithCommunityCare, MeasureVillagesWithChildcare,
	MeasureTownships, MeasureTownshipsWithCenter, MeasureTownshipsWithInclusiveChildcare, MeasureTownshipsWithDemoInclusiveChildcare,
	MeasureStreets, MeasureStreetsWithCenter, MeasureStreetsWithChildcare,
	MeasureTowns, MeasureTownsWithCenter, MeasureCommunities, MeasureCommunitiesWithDayCare,
	MeasureRuralVillages, MeasureRuralVillagesWithHomeCare,
	MeasureChildcareFiled, MeasureChildcareDemo, MeasureChildcareGuidanceCenters, MeasureCountyChildcareCenters, MeasureCountyElderlyCenters,
	MeasurePersonsSpecial, MeasurePersonsSpecialVisitedMonth,
	MeasurePersonsDisabledTekun, MeasurePersonsDisabledTekunVisitedMonth, MeasurePersonsDisabledTekunCentralized,
	MeasurePersonsDisabled, MeasurePersonsDisabledSupported,
	MeasureNewborns, MeasureNewbornsVisited,
	MeasurePersonsWantingCentralized, MeasurePersonsWantingCentralizedServed,
}

// Known reports whether m is one of Measures; the catalogue loader refuses
// a formula naming anything else, so a typo in formulas.csv cannot reach
// the engine.
func (m Measure) Known() bool {
	for _, x := range Measures {
		if x == m {
			return true
		}
	}
	return false
}
