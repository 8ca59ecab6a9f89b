// Package benchcity generates the large synthetic city the breakdown
// benchmark times and the report tests read: City.Write writes any size
// straight into a server store (syncserver/store), bypassing sync, in
// large commits. Default is the 10 counties, 150 townships and 1.3
// million records make bench measures.
//
// It is apart from synth because it imports the server's store: synth is
// linked into the desktop, which must link no server package. Only bench
// and server tests import this package.
package benchcity

import (
	"fmt"

	"laoxiao/schema"
)

// City sizes a synthetic city for the breakdown benchmark and the
// report tests. Only the counts vary; the codes, names and the mix of
// kinds, flags and figures are fixed, so tests may assert on them.
type City struct {
	Counties            int // counties in the city
	TownshipsPerCounty  int
	VillagesPerTownship int
	Facilities          int
	CapacityPerFacility int // monthly reports per facility, counting back from the report month
	Persons             int
	Visits              int
}

// Default is the size the project's bench command measures: a
// city of 10 counties and 150 townships with 20,000 facilities, 240,000
// capacity reports and 1,000,000 visits.
var Default = City{Counties: 10, TownshipsPerCounty: 15, VillagesPerTownship: 10,
	Facilities: 20000, CapacityPerFacility: 12, Persons: 50000, Visits: 1000000}

// MinRecords is how many facility, capacity, person and visit records
// Write writes; population and targets come on top. A breakdown of the
// whole city reads at least this many.
func (c City) MinRecords() int {
	return c.Facilities*(1+c.CapacityPerFacility) + c.Persons + c.Visits
}

// Code is the synthetic city. Province 99 does not exist in the
// national registry, so a generated store can never be mistaken for real
// data; it also means the server's own registry does not know the city:
// give the indicator engine City.Divisions.
const Code schema.Code = "9901"

// Year is the year the generated records describe; a table for it is
// a whole year's once the clock is in Year+1.
const Year = 2025

// Divisions returns the units of the synthetic city: its province, the
// city, counties, townships (the first three of each county are street
// offices, 街道) and villages. Each call builds a new registry.
func (c City) Divisions() *schema.Divisions {
	units := []schema.Unit{
		{Code: "99", Name: "基准省", Level: schema.LevelProvince},
		{Code: Code, Name: "基准市", Level: schema.LevelCity, Parent: "99"},
	}
	for ci := 1; ci <= c.Counties; ci++ {
		county := schema.Code(fmt.Sprintf("%s%02d", Code, ci))
		units = append(units, schema.Unit{Code: county, Name: fmt.Sprintf("第%d区", ci), Level: schema.LevelCounty, Parent: Code})
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
