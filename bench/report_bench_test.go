package bench

import (
	"context"
	"testing"

	"laoxiao/synth/benchcity"
)

func TestBreakdownSmallCity(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a store")
	}
	city := benchcity.City{Counties: 3, TownshipsPerCounty: 4, VillagesPerTownship: 3,
		Facilities: 240, CapacityPerFacility: 3, Persons: 300, Visits: 3000}
	f, err := breakdown(context.Background(), t.TempDir(), city)
	if err != nil {
		t.Fatal(err)
	}
	want := city.MinRecords()
	if f.CitySeconds <= 0 || f.RecordsPerSecond <= 0 || f.Records < want {
		t.Errorf("figures %+v, want positive times and at least %d records", f, want)
	}
}
