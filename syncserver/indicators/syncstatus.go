package indicators

import (
	"context"
	"fmt"

	"laoxiao/schema"
)

// townshipStatus joins devices with their marks by scope: a township's
// last sync is the latest mark of any device enrolled in it or in one of
// its villages. Office accounts (county or city scope) upload no township
// data, so they do not make a township look current.
func (e *Engine) townshipStatus(ctx context.Context, ev *evaluation) (map[schema.Code]*TownshipStatus, error) {
	devs, err := e.Store.Devices(ctx)
	if err != nil {
		return nil, fmt.Errorf("read devices: %w", err)
	}
	marks, err := e.Store.Marks(ctx)
	if err != nil {
		return nil, fmt.Errorf("read sync marks: %w", err)
	}
	healths, err := e.Store.Healths(ctx)
	if err != nil {
		return nil, fmt.Errorf("read device health: %w", err)
	}
	out := map[schema.Code]*TownshipStatus{}
	get := func(t schema.Code) *TownshipStatus {
		s := out[t]
		if s == nil {
			u, ok := ev.divs.Lookup(t)
			if !ok {
				u = schema.Unit{Code: t, Name: string(t), Level: schema.LevelTownship, Parent: t.Parent()}
			}
			s = &TownshipStatus{Unit: u, Records: map[schema.Kind]int{}}
			out[t] = s
		}
		return s
	}
	for _, t := range ev.divs.TownshipsOf(ev.scope) {
		get(t)
	}
	for c, acc := range ev.towns {
		if !c.Within(ev.scope) && ev.scope.Level() != schema.LevelVillage {
			continue
		}
		s := get(c)
		for i, n := range acc.byKind {
			if n > 0 && i < len(schema.Kinds) {
				s.Records[schema.Kinds[i]] += n
			}
		}
	}
	for _, d := range devs {
		t := d.Scope.Ancestor(schema.LevelTownship)
		if t == "" || out[t] == nil {
			continue
		}
		s := out[t]
		s.Devices++
		if m, ok := marks[d.ID]; ok && m.At.After(s.LastSync) {
			s.LastSync = m.At
		}
		if h, ok := healths[d.ID]; ok && !d.Revoked && h.Behind(marks[d.ID], ev.now) {
			s.Behind = true
		}
	}
	stale := e.StaleAfter
	if stale <= 0 {
		stale = DefaultStaleAfter
	}
	for _, s := range out {
		s.Stale = s.LastSync.IsZero() || ev.now.Sub(s.LastSync) > stale
	}
	return out, nil
}
