package indicators

import "laoxiao/schema"

// resolveMerged applies the merges the scan found (schema/merged.go):
// merged duplicates were left out of persons and facilities as they were
// read, a visit to a duplicate finds its survivor in countVisits, and
// here a duplicate facility's latest capacity report becomes the
// survivor's when it is later than the survivor's own (the survivor's
// wins a tie: the office chose it). A survivor outside the scan (another
// county) gets nothing from this scan; merges are within an office's unit.
func (s *scanState) resolveMerged() {
	schema.ResolveLatest(s.merged, s.caps, func(dup, have *capRec) bool { return dup.month > have.month })
}
