// Package synth generates the synthetic data every part of Laoxiao runs on
// when there is no real township to hand: the demo, the desktop's
// screenshots and start-up probe, the desktop benchmarks. One
// package (and its bench city in synth/benchcity), so a newcomer finds
// every generator in one place and a new field
// is added to the data once.
//
// Two shapes here, each for its callers:
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
//   - A large synthetic city in a server store lives apart, in
//     synth/benchcity: it writes through syncserver/store, and this
//     package is linked into the desktop, which must link no server
//     package (DESIGN.md's Parts; desktop's TestDesktopLinksNoServer).
//
// Everything is deterministic for a seed except record ids made by
// schema.NewID (the township generator's, as a device makes them).
package synth
