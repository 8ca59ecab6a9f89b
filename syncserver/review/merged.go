package review

import "laoxiao/schema"

// resolveMerged applies the merge rule (schema/merged.go) the indicator
// engine applies: a merged facility is not listed, and its latest report
// of a period is its survivor's when the survivor has none as late (the
// survivor's own wins a month both reported), so the review's totals are
// the breakdown table's.
func (s *scan) resolveMerged() {
	later := func(dup, have report) bool { return dup.c.Period > have.c.Period }
	schema.ResolveLatest(s.merged, s.cur, later)
	schema.ResolveLatest(s.merged, s.old, later)
}
