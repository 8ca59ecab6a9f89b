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

// TestConsoleSmallCity times the console's pages over a small city: every
// figure is there and positive.
func TestConsoleSmallCity(t *testing.T) {
	city := benchcity.City{Counties: 2, TownshipsPerCounty: 4, VillagesPerTownship: 2,
		Facilities: 60, CapacityPerFacility: 2, Persons: 100, Visits: 500}
	figs, err := consoleFigures(context.Background(), t.TempDir(), city)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"console_breakdown_page_ms": false, "console_breakdown_page_cold_ms": false, "console_sync_page_ms": false}
	for _, f := range figs {
		if _, ok := want[f.Name]; ok && f.Value > 0 {
			want[f.Name] = true
		}
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("no positive %s in %+v", name, figs)
		}
	}
}
