package bench

import "laoxiao/syncserver/report"

func init() {
	Register(Bench{Name: "breakdown", Run: benchBreakdown})
}

// benchBreakdown times the breakdown table (all formats) for a city of 10
// counties, 150 townships, 20,000 facilities, 240,000 capacity reports and
// 1,000,000 visits read from the server's store.
func benchBreakdown(env Env) ([]Figure, error) {
	if env.Quick {
		return nil, nil // the city takes ~15 s to generate; not a smoke-test figure
	}
	secs, perSec, err := report.BenchBreakdown(env.Ctx, env.Dir)
	if err != nil {
		return nil, err
	}
	return []Figure{{Name: "breakdown_city_seconds", Value: secs, Unit: "s"},
		{Name: "breakdown_records_scanned_per_s", Value: perSec, Unit: "records/s"}}, nil
}
