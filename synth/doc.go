// Package synth generates the synthetic data every part of Laoxiao runs on
// when there is no real township to hand: the demo, the desktop's
// screenshots and start-up probe, the benchmarks and the report tests. One
// package, so a newcomer finds every generator in one place and a new field
// is added to the data once.
//
// Three shapes, each for its callers:
//
//   - A township in an agent store (township.go): RealisticTownship is
//     雨城区草坝镇 as its staff would have filled it after a year — the
//     screenshots and the desktop tests; TownshipOfSize(n) writes exactly n
//     records in a large township's proportions — the desktop start-up
//     and memory probes of make bench. FillTownship writes either through
//     the agent's public API, so every record passes the validation a
//     user's entry does.
//   - 雅安市 as its plan describes it (city.go): PlanCity gives every
//     township's facilities, population, persons and visits, adding up to
//     the 雅安 plan's 2020 baseline so the breakdown table's city row
//     shows the plan's own ratios; PlannedTownship.Enter writes one
//     township into its agent as staff would. make demo runs on it.
//   - A large synthetic city in a server store (benchcity.go):
//     DefaultBenchCity is the 10 counties, 150 townships and 1.3 million
//     records the breakdown benchmark times; BenchCity.Write writes any
//     size straight into a store, bypassing sync, in large commits. The
//     report tests use a small one.
//
// Everything is deterministic for a seed except record ids made by
// schema.NewID (the township generator's, as a device makes them).
package synth
