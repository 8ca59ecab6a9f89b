package synth

import (
	"fmt"

	"laoxiao/schema"
)

// BenchCity sizes a synthetic city for the breakdown benchmark and the
// report tests. Only the counts vary; the codes, names and the mix of
// kinds, flags and figures are fixed, so tests may assert on them.
type BenchCity struct {
	Counties            int // counties in the city
	TownshipsPerCounty  int
	VillagesPerTownship int
	Facilities          int
	CapacityPerFacility int // monthly reports per facility, counting back from the report month
	Persons             int
	Visits              int
}

// DefaultBenchCity is the size the project's bench command measures: a
// city of 10 counties and 150 townships with 20,000 facilities, 240,000
// capacity reports and 1,000,000 visits.
var DefaultBenchCity = BenchCity{Counties: 10, TownshipsPerCounty: 15, VillagesPerTownship: 10,
	Facilities: 20000, CapacityPerFacility: 12, Persons: 50000, Visits: 1000000}

// MinRecords is how many facility, capacity, person and visit records
// Write writes; population and targets come on top. A breakdown of the
// whole city reads at least this many.
func (c BenchCity) MinRecords() int {
	return c.Facilities*(1+c.CapacityPerFacility) + c.Persons + c.Visits
}

// BenchCityCode is the synthetic city. Province 99 does not exist in the
// national registry, so a generated store can never be mistaken for real
// data; it also means the server's own registry does not know the city:
// give the indicator engine BenchCity.Divisions.
const BenchCityCode schema.Code = "9901"

// BenchYear is the year the generated records describe; a table for it is
// a whole year's once the clock is in BenchYear+1.
const BenchYear = 2025

// Divisions returns the units of the synthetic city: its province, the
// city, counties, townships (the first three of each county are street
// offices, 街道) and villages. Each call builds a new registry.
func (c BenchCity) Divisions() *schema.Divisions {
	units := []schema.Unit{
		{Code: "99", Name: "基准省", Level: schema.LevelProvince},
		{Code: BenchCityCode, Name: "基准市", Level: schema.LevelCity, Parent: "99"},
	}
	for ci := 1; ci <= c.Counties; ci++ {
		county := schema.Code(fmt.Sprintf("%s%02d", BenchCityCode, ci))
		units = append(units, schema.Unit{Code: county, Name: fmt.Sprintf("第%d区", ci), Level: schema.LevelCounty, Parent: BenchCityCode})
		for ti := 1; ti <= c.TownshipsPerCounty; ti++ {
			town := schema.Code(fmt.Sprintf("%s%03d", county, ti))
			name := fmt.Sprintf("第%d-%d镇", ci, ti)
			if ti <= 3 {
				name = fmt.Sprintf("第%d-%d街道", ci, ti)
			}
			units = append(units, schema.Unit{Code: town, Name: name, Level: schema.LevelTownship, Parent: county})
			for vi := 1; vi <= c.VillagesPerTownship; vi++ {
				units = append(units, schema.Unit{Code: schema.Code(fmt.Sprintf("%s%03d", town, vi)),
					Name: fmt.Sprintf("第%d村", vi), Level: schema.LevelVillage, Parent: town})
			}
		}
	}
	d, err := schema.BuildDivisions(units)
	if err != nil {
		// The codes above are built to be consistent; failing here is a
		// programming error in this file.
		panic(fmt.Sprintf("bench divisions: %v", err))
	}
	return d
}
