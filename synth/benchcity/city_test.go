package benchcity

import (
	"context"
	"testing"

	"laoxiao/schema"
	"laoxiao/syncserver/store/badgerstore"
)

func TestBenchCityWrite(t *testing.T) {
	city := City{Counties: 2, TownshipsPerCounty: 4, VillagesPerTownship: 2,
		Facilities: 50, CapacityPerFacility: 14, Persons: 40, Visits: 400}
	st, err := badgerstore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	n, err := city.Write(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[schema.Kind]int{}
	err = st.ScanRecords(ctx, Code, func(r *schema.Record) error {
		kinds[r.Kind]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range kinds {
		total += c
	}
	if total != n || n < city.MinRecords() {
		t.Errorf("Write says %d records, the store holds %d, want at least %d", n, total, city.MinRecords())
	}
	towns := city.Counties * city.TownshipsPerCounty
	if kinds[schema.KindPopulation] != towns || kinds[schema.KindCapacity] != city.Facilities*city.CapacityPerFacility {
		t.Errorf("records by kind %v: want %d population, %d capacity", kinds, towns, city.Facilities*city.CapacityPerFacility)
	}
	devs, err := st.Devices(ctx)
	if err != nil || len(devs) != towns {
		t.Errorf("%d devices (%v), want one per township", len(devs), err)
	}
	if got := len(city.Divisions().Descendants(Code, schema.LevelVillage)); got != towns*city.VillagesPerTownship {
		t.Errorf("%d villages", got)
	}
}
