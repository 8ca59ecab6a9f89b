package indicators

import (
	"fmt"

	"laoxiao/schema"
)

// measure indexes the additive measures: those whose value for a unit is
// the sum of its townships' values. Every measure of schema.Measures is
// additive except the two population figures, which follow their own rule
// (a unit's own record, else the sum of its children's figures), so the
// engine keeps one fixed array of sums per township and adds arrays.
type measure int

const (
	mBedsTotal measure = iota
	mBedsNursing
	mBedsInstitution
	mBedsInstitutionNursing
	mBedsSocialized
	mBedsInclusive
	mBedsSafetyNet
	mElderlyCareStaff
	mChildcarePlaces
	mChildcarePlacesInclusive
	mChildcareCareStaff
	mChildcareCertifiedStaff
	mVillages
	mVillagesWithCommunityCare
	mVillagesWithChildcare
	mTownships
	mTownshipsWithCenter
	mTownshipsWithInclusiveChildcare
	mTownshipsWithDemoInclusiveChildcare
	mStreets
	mStreetsWithCenter
	mStreetsWithChildcare
	mTowns
	mTownsWithCenter
	mCommunities
	mCommunitiesWithDayCare
	mRuralVillages
	mRuralVillagesWithHomeCare
	mChildcareFiled
	mChildcareDemo
	mChildcareGuidanceCenters
	mCountyChildcareCenters
	mCountyElderlyCenters
	mPersonsSpecial
	mPersonsSpecialVisitedMonth
	mPersonsDisabledTekun
	mPersonsDisabledTekunVisitedMonth
	mPersonsDisabledTekunCentralized
	mPersonsDisabled
	mPersonsDisabledSupported
	mNewborns
	mNewbornsVisited
	mPersonsWantingCentralized
	mPersonsWantingCentralizedServed
	numAdditive

	// The population figures come after the additive measures.
	mPopResident = numAdditive
	mPopAged60   = numAdditive + 1
	mPopBirths   = numAdditive + 2
)

// family groups measures that read the same records, so a ratio of two
// measures of one family does not count its records twice in the lineage:
// nursing beds and total beds come from the same facilities and reports.
type family int

const (
	famElderlyCapacity family = iota + 1
	famChildcareCapacity
	famUnits
	famFacilities
	famPersons
	famPopulation
)

// measureInfo describes a measure for lineage, reasons and people.
type measureInfo struct {
	id     schema.Measure
	fam    family
	zh, en string // what it counts, as a noun
}

var measureInfos = map[measure]measureInfo{
	mBedsTotal:                           {schema.MeasureBedsTotal, famElderlyCapacity, "养老床位", "elderly-care beds"},
	mBedsNursing:                         {schema.MeasureBedsNursing, famElderlyCapacity, "护理型养老床位", "nursing-type beds"},
	mBedsInstitution:                     {schema.MeasureBedsInstitution, famElderlyCapacity, "养老机构床位", "beds in elderly-care institutions"},
	mBedsInstitutionNursing:              {schema.MeasureBedsInstitutionNursing, famElderlyCapacity, "养老机构护理型床位", "nursing-type beds in institutions"},
	mBedsSocialized:                      {schema.MeasureBedsSocialized, famElderlyCapacity, "社会化运营床位", "beds run 公建民营 or 民办"},
	mBedsInclusive:                       {schema.MeasureBedsInclusive, famElderlyCapacity, "普惠养老床位", "beds in 普惠 facilities"},
	mBedsSafetyNet:                       {schema.MeasureBedsSafetyNet, famElderlyCapacity, "兜底和普惠养老床位", "safety-net and 普惠 beds"},
	mElderlyCareStaff:                    {schema.MeasureElderlyCareStaff, famElderlyCapacity, "养老护理人员", "elderly-care staff"},
	mChildcarePlaces:                     {schema.MeasureChildcarePlaces, famChildcareCapacity, "托位", "childcare places"},
	mChildcarePlacesInclusive:            {schema.MeasureChildcarePlacesInclusive, famChildcareCapacity, "普惠托位", "普惠 childcare places"},
	mChildcareCareStaff:                  {schema.MeasureChildcareCareStaff, famChildcareCapacity, "托育保育人员", "childcare care staff"},
	mChildcareCertifiedStaff:             {schema.MeasureChildcareCertifiedStaff, famChildcareCapacity, "持证托育人员", "certified childcare staff"},
	mVillages:                            {schema.MeasureVillages, famUnits, "村(社区)", "villages and communities"},
	mVillagesWithCommunityCare:           {schema.MeasureVillagesWithCommunityCare, famFacilities, "有社区照料机构的村(社区)", "villages with a day-care centre or 幸福院"},
	mVillagesWithChildcare:               {schema.MeasureVillagesWithChildcare, famFacilities, "有托育服务设施的村(社区)", "villages with a childcare facility"},
	mTownships:                           {schema.MeasureTownships, famUnits, "乡镇(街道)", "townships and streets"},
	mTownshipsWithCenter:                 {schema.MeasureTownshipsWithCenter, famFacilities, "有综合养老服务中心的乡镇(街道)", "townships with an elderly-care centre"},
	mTownshipsWithInclusiveChildcare:     {schema.MeasureTownshipsWithInclusiveChildcare, famFacilities, "有普惠托育点的乡镇(街道)", "townships with a 普惠 childcare facility"},
	mTownshipsWithDemoInclusiveChildcare: {schema.MeasureTownshipsWithDemoInclusiveChildcare, famFacilities, "有示范性普惠托育机构的乡镇(街道)", "townships with a model 普惠 childcare facility"},
	mStreets:                             {schema.MeasureStreets, famUnits, "街道", "street offices (街道)"},
	mStreetsWithCenter:                   {schema.MeasureStreetsWithCenter, famFacilities, "有综合养老服务中心的街道", "streets with a street elderly-care centre"},
	mStreetsWithChildcare:                {schema.MeasureStreetsWithChildcare, famFacilities, "有托育服务设施的街道", "streets with a childcare facility"},
	mTowns:                               {schema.MeasureTowns, famUnits, "乡镇", "towns (乡、镇, not 街道)"},
	mTownsWithCenter:                     {schema.MeasureTownsWithCenter, famFacilities, "有乡镇区域养老服务中心的乡镇", "towns with a township elderly-care centre"},
	mCommunities:                         {schema.MeasureCommunities, famUnits, "社区", "urban communities (社区)"},
	mCommunitiesWithDayCare:              {schema.MeasureCommunitiesWithDayCare, famFacilities, "有日间照料中心的社区", "communities with a day-care centre"},
	mRuralVillages:                       {schema.MeasureRuralVillages, famUnits, "行政村", "villages (村, not 社区)"},
	mRuralVillagesWithHomeCare:           {schema.MeasureRuralVillagesWithHomeCare, famFacilities, "有居家养老服务中心(站)的行政村", "villages with a home-care centre or 幸福院"},
	mChildcareFiled:                      {schema.MeasureChildcareFiled, famFacilities, "已备案托育机构", "filed childcare facilities"},
	mChildcareDemo:                       {schema.MeasureChildcareDemo, famFacilities, "示范性托育机构", "model childcare facilities"},
	mChildcareGuidanceCenters:            {schema.MeasureChildcareGuidanceCenters, famFacilities, "婴幼儿照护服务指导中心", "childcare guidance centres"},
	mCountyChildcareCenters:              {schema.MeasureCountyChildcareCenters, famFacilities, "县级区域综合托育中心", "county childcare centres"},
	mCountyElderlyCenters:                {schema.MeasureCountyElderlyCenters, famFacilities, "县级区域性养老中心", "county elderly-care centres"},
	mPersonsSpecial:                      {schema.MeasurePersonsSpecial, famPersons, "特殊困难老年人", "elderly persons in special difficulty"},
	mPersonsSpecialVisitedMonth:          {schema.MeasurePersonsSpecialVisitedMonth, famPersons, "当月已探访的特殊困难老年人", "persons in special difficulty visited in the month"},
	mPersonsDisabledTekun:                {schema.MeasurePersonsDisabledTekun, famPersons, "失能特困人员", "disabled 特困 persons"},
	mPersonsDisabledTekunVisitedMonth:    {schema.MeasurePersonsDisabledTekunVisitedMonth, famPersons, "当月已探访的失能特困人员", "disabled 特困 persons visited in the month"},
	mPersonsDisabledTekunCentralized:     {schema.MeasurePersonsDisabledTekunCentralized, famPersons, "集中供养的失能特困人员", "disabled 特困 persons in centralized support"},
	mPersonsDisabled:                     {schema.MeasurePersonsDisabled, famPersons, "失能老年人", "disabled elderly persons"},
	mPersonsDisabledSupported:            {schema.MeasurePersonsDisabledSupported, famPersons, "已帮扶的失能老年人", "disabled persons supported in the period"},
	mNewborns:                            {schema.MeasureNewborns, famPersons, "新生儿", "newborns"},
	mNewbornsVisited:                     {schema.MeasureNewbornsVisited, famPersons, "已访视的新生儿", "newborns visited"},
	mPersonsWantingCentralized:           {schema.MeasurePersonsWantingCentralized, famPersons, "有集中供养意愿的特困人员", "特困 persons wishing centralized support"},
	mPersonsWantingCentralizedServed:     {schema.MeasurePersonsWantingCentralizedServed, famPersons, "已集中供养的有意愿特困人员", "persons wishing centralized support who receive it"},
	mPopResident:                         {schema.MeasurePopResident, famPopulation, "常住人口", "resident population"},
	mPopAged60:                           {schema.MeasurePopAged60, famPopulation, "60岁以上人口", "population aged 60+"},
	mPopBirths:                           {schema.MeasurePopBirths, famPopulation, "当年出生人口", "births in the year"},
}

var measureByID = func() map[schema.Measure]measure {
	m := make(map[schema.Measure]measure, len(measureInfos))
	for k, info := range measureInfos {
		m[info.id] = k
	}
	return m
}()

// lookupMeasure maps a catalogue measure to the engine's index.
func lookupMeasure(id schema.Measure) (measure, error) {
	m, ok := measureByID[id]
	if !ok {
		return 0, fmt.Errorf("measure %q is not implemented by the indicator engine", id)
	}
	return m, nil
}

func (m measure) additive() bool { return m >= 0 && m < numAdditive }

// MeasureLabel returns what a measure counts, in Chinese and in English
// ("60岁以上人口", "population aged 60+"), for formula explanations.
func MeasureLabel(id schema.Measure) (zh, en string) {
	m, ok := measureByID[id]
	if !ok {
		return string(id), string(id)
	}
	return measureInfos[m].zh, measureInfos[m].en
}

// emptyReason says why a ratio has no value: its denominator is zero.
func emptyReason(m measure) string {
	info := measureInfos[m]
	switch info.fam {
	case famUnits:
		return fmt.Sprintf("辖区内无%s / no %s in this unit", info.zh, info.en)
	case famPersons:
		return fmt.Sprintf("无登记的%s / no %s registered", info.zh, info.en)
	}
	return fmt.Sprintf("无%s数据 / no %s recorded", info.zh, info.en)
}
