package review

import "sort"

// resolveMerged applies the merge rule (schema/merged.go) the indicator
// engine applies: a merged facility is not listed, and its latest report
// of a period is its survivor's when the survivor has none as late (the
// survivor's own wins a month both reported), so the review's totals are
// the breakdown table's.
func (s *scan) resolveMerged() {
	if len(s.merged) == 0 {
		return
	}
	for _, m := range []map[string]report{s.cur, s.old} {
		var ids []string
		for id := range m {
			if s.merged.Merged(id) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			rep := m[id]
			delete(m, id)
			to := s.merged.Resolve(id)
			if have, ok := m[to]; !ok || have.c.Period < rep.c.Period {
				m[to] = rep
			}
		}
	}
}
