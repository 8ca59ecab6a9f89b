package syncserver

import (
	"context"
	"fmt"
	"sort"

	"laoxiao/schema"
)

// MergedRecord is a merged duplicate as the office console lists it, so
// an office sees what it (or another office) merged and can undo it. The
// names are masked (schema.Mask).
type MergedRecord struct {
	Kind         schema.Kind `json:"kind"`
	ID           string      `json:"id"`
	Unit         schema.Code `json:"unit"`
	UnitName     string      `json:"unit_name"`
	Name         string      `json:"name"`
	Survivor     string      `json:"survivor"`
	SurvivorName string      `json:"survivor_name"`
	By           string      `json:"by"`
	At           string      `json:"at"`
	Reason       string      `json:"reason"`
}

// MergedRecords lists the merged persons and facilities within unit,
// newest merge first.
func (s *Server) MergedRecords(ctx context.Context, unit schema.Code) ([]MergedRecord, error) {
	var out []MergedRecord
	names := map[string]string{}
	err := s.st.ScanRecords(ctx, unit, func(r *schema.Record) error {
		if !r.Kind.Mergeable() || r.IsDeleted() {
			return nil
		}
		var p struct {
			Name        string `cbor:"name"`
			MergedInto  string `cbor:"merged_into"`
			MergedBy    string `cbor:"merged_by"`
			MergedAt    string `cbor:"merged_at"`
			MergeReason string `cbor:"merge_reason"`
		}
		if err := r.Decode(&p); err != nil {
			return fmt.Errorf("%s %s: %w", r.Kind, r.ID, err)
		}
		name := schema.Mask(r.Kind, "name", p.Name)
		names[r.ID] = name
		if p.MergedInto != "" {
			out = append(out, MergedRecord{Kind: r.Kind, ID: r.ID, Unit: r.Unit, UnitName: s.Divisions().Name(r.Unit),
				Name: name, Survivor: p.MergedInto, By: p.MergedBy, At: p.MergedAt, Reason: p.MergeReason})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list merged records in %s: %w", unit, err)
	}
	for i := range out {
		out[i].SurvivorName = names[out[i].Survivor]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At > out[j].At || out[i].At == out[j].At && out[i].ID < out[j].ID })
	return out, nil
}
