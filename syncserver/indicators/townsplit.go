package indicators

import (
	"context"
	"strings"

	"laoxiao/schema"
)

// A county scan kept by a ScanCache also notes which of its townships
// stand alone: no record of theirs names a record of another township
// (a visit's person, a capacity report's facility, a corrected visit, a
// merge or move pointer), and no record elsewhere names one of theirs.
// A change in a township that stands alone is read by scanning that
// township only and putting its sums in place of the old ones; anything
// else rescans the county.

// townTrack is what a tracked scan notes besides the sums.
type townTrack struct {
	home    map[string]schema.Code // kind and id of every record read → its township
	refs    []townRef
	scanned map[schema.Code]int // records read per township (or county-level unit)
	mixed   bool                // a record's unit is no county, township or village code
}

type townRef struct {
	from schema.Code
	key  string
}

// townSplit is what a kept county scan needs to take one township's
// rescan in place of its part.
type townSplit struct {
	alone   map[schema.Code]bool
	dangled map[string]bool // records named but absent: one made later joins two townships
	scanned map[schema.Code]int
}

func recordKey(kind schema.Kind, id []byte) string { return string(kind) + "\x00" + string(id) }

// townOf is the township of a unit, or the unit itself above townships.
func townOf(unit []byte) schema.Code { return schema.Code(string(unit[:min(9, len(unit))])) }

// record notes a record read by the scan, deleted ones too: a reference
// to a deleted person still joins two townships (it may be restored, and
// a moved one points on).
func (t *townTrack) record(v *schema.RecordView) {
	switch len(v.Unit) {
	case 6, 9, 12:
	default:
		t.mixed = true
	}
	town := townOf(v.Unit)
	t.home[recordKey(schema.Kind(v.Kind), v.ID)] = town
	t.scanned[town]++
}

// ref notes that the record v names the record of kind kind and id id.
func (s *scanState) ref(v *schema.RecordView, kind schema.Kind, id []byte) {
	if s.track != nil && len(id) > 0 {
		s.track.refs = append(s.track.refs, townRef{from: townOf(v.Unit), key: recordKey(kind, id)})
	}
}

// split works out which townships of a finished tracked county scan stand
// alone; nil when the scan cannot be split (it read moved-in units, or
// records of odd units).
func (t *townTrack) split(movedIn bool, towns map[schema.Code]*townAcc) *townSplit {
	if t.mixed || movedIn {
		return nil
	}
	sp := &townSplit{alone: map[schema.Code]bool{}, dangled: map[string]bool{}, scanned: t.scanned}
	for town := range towns {
		sp.alone[town] = true
	}
	joined := map[schema.Code]bool{}
	for _, r := range t.refs {
		to, ok := t.home[r.key]
		switch {
		case !ok:
			sp.dangled[r.key] = true
		case to != r.from:
			joined[to], joined[r.from] = true, true
		}
	}
	for town := range joined {
		delete(sp.alone, town)
	}
	return sp
}

// standsAlone reports whether a rescan of one township found it still
// alone: every record it names is its own, none of its records was named
// absent elsewhere in the county, and it read no other unit.
func (t *townTrack) standsAlone(movedIn bool, dangled map[string]bool) bool {
	if t.mixed || movedIn {
		return false
	}
	for _, r := range t.refs {
		if _, ok := t.home[r.key]; !ok {
			return false
		}
	}
	for k := range t.home {
		if dangled[k] {
			return false
		}
	}
	return true
}

// dirtyTowns sorts the changed units of one kept county scan: the
// townships to rescan alone, or ok false when the county is to be
// rescanned.
func dirtyTowns(st *scanState, units map[schema.Code]bool) (towns []schema.Code, ok bool) {
	sp := st.split
	if sp == nil || len(st.movedIn) > 0 {
		return nil, false
	}
	seen := map[schema.Code]bool{}
	for u := range units {
		if len(u) != 9 && len(u) != 12 {
			return nil, false // a county's own record, or an odd unit
		}
		t := u[:9]
		if !sp.alone[t] {
			return nil, false
		}
		if !seen[t] {
			seen[t] = true
			towns = append(towns, t)
		}
	}
	return towns, true
}

// rescanTowns scans the townships of a kept county scan alone and returns
// the county scan with their parts replaced; nil when one of them no
// longer stands alone (the county is then rescanned).
func (e *Engine) rescanTowns(ctx context.Context, ev *evaluation, kept *scanState, towns []schema.Code) (*scanState, error) {
	out := kept.clone()
	for _, t := range towns {
		st, err := e.scanOne(ctx, ev, t, false, true)
		if err != nil {
			return nil, err
		}
		if !st.track.standsAlone(len(st.movedIn) > 0, kept.split.dangled) {
			return nil, nil
		}
		out.replaceTown(t, st)
	}
	return out, nil
}

// clone copies what replaceTown changes.
func (s *scanState) clone() *scanState {
	c := *s
	c.towns = make(map[schema.Code]*townAcc, len(s.towns))
	for k, v := range s.towns {
		c.towns[k] = v
	}
	c.pops = make(map[schema.Code]popRec, len(s.pops))
	for k, v := range s.pops {
		c.pops[k] = v
	}
	c.reported = make(map[repKey]repRec, len(s.reported))
	for k, v := range s.reported {
		c.reported[k] = v
	}
	c.targets = append([]UnitTarget(nil), s.targets...)
	sp := *s.split
	sp.scanned = make(map[schema.Code]int, len(s.split.scanned))
	for k, v := range s.split.scanned {
		sp.scanned[k] = v
	}
	c.split = &sp
	return &c
}

// replaceTown puts a township's own scan in place of its part of the
// county scan.
func (s *scanState) replaceTown(t schema.Code, st *scanState) {
	in := func(u schema.Code) bool { return strings.HasPrefix(string(u), string(t)) }
	delete(s.towns, t)
	if acc := st.towns[t]; acc != nil {
		s.towns[t] = acc
	}
	for u := range s.pops {
		if in(u) {
			delete(s.pops, u)
		}
	}
	for u, p := range st.pops {
		s.pops[u] = p
	}
	for k := range s.reported {
		if in(k.unit) {
			delete(s.reported, k)
		}
	}
	for k, r := range st.reported {
		s.reported[k] = r
	}
	targets := s.targets[:0:0]
	for _, x := range s.targets {
		if !in(x.Unit) {
			targets = append(targets, x)
		}
	}
	s.targets = append(targets, st.targets...)
	s.scanned += st.scanned - s.split.scanned[t]
	s.split.scanned[t] = st.scanned
}
