package synth

import (
	"fmt"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// townshipTargets are what a county typically sets its townships (雅安's plan values).
var townshipTargets = []struct {
	id       string
	value    float64
	text     string
	baseline float64
	baseText string
}{
	{"beds_per_1000_elderly", 40, "40", 37.8, "37.8"},
	{"nursing_bed_share", 55, "≥55", 38, "38"},
	{"community_care_coverage", 90, ">90", 88, "88"},
	{"visit_rate_special", 100, "100", 95, "95"},
	{"visit_rate_disabled_poor", 100, "100", 100, "100"},
	{"places_per_1000", 4.5, "4.5", 1.2, "1.2"},
	{"inclusive_place_share", 60, "≥60", 30, "30"},
	{"newborn_visit_rate", 90, ">90", 88, "88"},
	{"township_center_coverage", 100, "100", 60, "60"},
}

func (g *townshipGen) extraCount() int {
	if !g.cfg.Extras {
		return 0
	}
	return len(townshipTargets)
}

// extras makes the store look lived in; see Township.Extras. Its errors
// are wrapped once, by FillTownship.
func (g *townshipGen) extras(facs []townFacility) error {
	var entries []schema.LogEntry
	stamp := schema.MakeStamp(g.now.Add(-72*time.Hour).UnixMilli(), 0)
	for i, t := range townshipTargets {
		f, err := schema.EncodeFields(schema.Target{Indicator: t.id, Year: 2025, Value: t.value, ValueText: t.text,
			BaselineYear: 2020, Baseline: t.baseline, BaselineText: t.baseText, HasBaseline: true})
		if err != nil {
			return fmt.Errorf("target %s: %w", t.id, err)
		}
		entries = append(entries, schema.LogEntry{Seq: uint64(i + 1), Change: schema.Change{
			Kind: schema.KindTarget, ID: schema.TargetID(g.town.Code, t.id, 2025), Unit: g.town.Code, Set: f,
			Stamp: stamp + schema.Stamp(i), Device: "county-" + string(g.town.Code[:6]), Seq: uint64(i + 1)}})
	}
	if _, err := g.st.ApplyRemote(entries, uint64(len(entries))); err != nil {
		return fmt.Errorf("targets: %w", err)
	}
	g.sum.Targets += len(entries)
	// Everything but the last few dozen changes reached the server three
	// days ago.
	st, err := g.st.Status()
	if err != nil {
		return err
	}
	if st.LastSeq > 40 {
		if err := g.st.Release(st.LastSeq - 37); err != nil {
			return fmt.Errorf("mark changes synced: %w", err)
		}
	}
	if err := g.st.SetEnrollment(agent.Enrollment{ServerURL: "http://127.0.0.1:9", Token: "demo",
		EnrolledAt: g.now.AddDate(0, -14, 0)}); err != nil {
		return fmt.Errorf("enrolment: %w", err)
	}
	if err := g.st.SetLastSync(agent.SyncResult{At: g.now.Add(-74 * time.Hour), Uploaded: 212, Applied: 9,
		ServerURL: "http://127.0.0.1:9"}); err != nil {
		return fmt.Errorf("last sync: %w", err)
	}
	// One change the server refused: occupied beds above total beds once
	// merged with another device's lower bed count.
	home := facs[0]
	c := schema.Capacity{Facility: home.id, Period: g.month, BedsTotal: 86, BedsNursing: 40, BedsOccupied: 72,
		CareStaff: 12, CertifiedStaff: 9}
	ch, err := g.st.Put(schema.KindCapacity, "", home.unit, c)
	if err != nil {
		return fmt.Errorf("refused change: %w", err)
	}
	if ch == nil {
		return fmt.Errorf("refused change wrote nothing")
	}
	rej := schema.Rejection{Seq: ch.Seq, Code: schema.RejectInvalid,
		Reason:   "capacity.beds_occupied: occupied beds (72) exceed total beds (70)",
		ReasonZh: "已入住床位(72)超过床位总数(70)：另一台设备把床位总数改成了70，请核对后重新提交"}
	if err := g.st.Park(*ch, rej); err != nil {
		return fmt.Errorf("park the refused change: %w", err)
	}
	return g.st.SetLastSync(agent.SyncResult{At: g.now.Add(-10 * time.Minute),
		Error: "connect 127.0.0.1:9: dial tcp 127.0.0.1:9: connect: connection refused", ServerURL: "http://127.0.0.1:9"})
}
