package schema

import "slices"

// Prechecked is the part of ValidateMerge that needs no stored record,
// done ahead of time: the checks of the change on its own (envelope, unit,
// each field) and the whole outcome were the change to create its record.
//
// It exists for the server, whose single writer must read the stored
// record before it can finish a check: the goroutine that received a batch
// prechecks it in parallel with the writer, and the writer only finishes
// the checks against the record, or, for a record not seen yet, the usual
// case for new visits, reports and persons, takes the outcome as is.
//
// A Prechecked is for the change it was made from, unchanged: the caller
// must not edit the change afterwards (the server numbers and stamps its
// own changes in the writer, so it does not precheck those). It is read
// only after Precheck returns and is safe to use from another goroutine.
type Prechecked struct {
	v           changeCheck // as alone left it
	clean       Fields
	undecodable bool
	final       bool // alone's problems are the whole answer
	day         string

	// The outcome against no stored record.
	rec     *Record
	changed bool
	ps      Problems
}

// Precheck checks ch as far as it can without the stored record, and
// computes its outcome as a new record. A nil change gives nil, which
// Prechecked.ValidateMerge takes as nothing checked.
func Precheck(ch *Change, ctx ValidationContext) *Prechecked {
	if ch == nil {
		return nil
	}
	p := checkAlone(ch, ctx)
	p.rec, p.changed, p.ps = p.against(nil)
	return p
}

// checkAlone runs the checks that need no record.
func checkAlone(ch *Change, ctx ValidationContext) *Prechecked {
	p := &Prechecked{v: changeCheck{ch: ch, ctx: ctx}, day: today(ctx.Now)}
	p.clean, p.undecodable, p.final = p.v.alone()
	return p
}

// against finishes the check against cur (nil: no record yet) on a copy
// of the state alone left, so p can be finished again against another.
func (p *Prechecked) against(cur *Record) (*Record, bool, Problems) {
	v := p.v
	// Clipped, so appends copy instead of writing into p's arrays.
	v.ps = slices.Clip(v.ps)
	c := *v.c
	c.ps = slices.Clip(c.ps)
	v.c = &c
	ps := v.problems()
	if !p.final {
		ps = v.withRecord(cur, p.clean, p.undecodable)
	}
	return v.outcome(cur, ps)
}

// ValidateMerge is schema.ValidateMerge(cur, ch, ctx), reusing what p
// holds when p was made from ch under a context that checks the same
// way: the same divisions, scope and date. Otherwise, or when p is nil,
// it checks from the start. The record returned for a new record is p's
// own: like every merged record, it must not be modified.
func (p *Prechecked) ValidateMerge(cur *Record, ch *Change, ctx ValidationContext) (*Record, bool, Problems) {
	if p == nil || p.v.ch != ch || !p.sameContext(ctx) {
		return ValidateMerge(cur, ch, ctx)
	}
	if cur == nil {
		return p.rec, p.changed, p.ps
	}
	return p.against(cur)
}

// sameContext reports whether ctx checks as the context p was made under.
// Only the date of Now matters: a change dated today, prechecked just
// before midnight, is checked again after it.
func (p *Prechecked) sameContext(ctx ValidationContext) bool {
	was := p.v.ctx
	return ctx.Divisions == was.Divisions && ctx.Scope == was.Scope &&
		(ctx.Now.Equal(was.Now) || today(ctx.Now) == p.day)
}
