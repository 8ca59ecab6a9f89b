package indicators

import (
	"sort"
)

// resolveMerged applies the merges the scan found (schema/merged.go):
// merged duplicates were left out of persons and facilities as they were
// read, a visit to a duplicate finds its survivor in countVisits, and
// here a duplicate facility's latest capacity report becomes the
// survivor's when it is later than the survivor's own (the survivor's
// wins a tie: the office chose it). A survivor outside the scan (another
// county) gets nothing from this scan; merges are within an office's unit.
func (s *scanState) resolveMerged() {
	if len(s.merged) == 0 {
		return
	}
	// Sorted, so two duplicates of one survivor with reports of the same
	// month resolve the same way on every run.
	ids := make([]string, 0, len(s.caps))
	for id := range s.caps {
		if s.merged.Merged(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		cr := s.caps[id]
		delete(s.caps, id)
		to := s.merged.Resolve(id)
		if cur := s.caps[to]; cur == nil || cr.month > cur.month {
			s.caps[to] = cr
		}
	}
}
