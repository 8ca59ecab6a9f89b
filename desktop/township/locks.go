package township

import (
	"laoxiao/agent"
	"laoxiao/schema"
)

// LockNotice says in Chinese that a county (or the township itself) has
// locked period for area, before anyone types into it: who locked it,
// when, and whom to ask. It is "" when no lock in force covers the whole
// area for the period; a lock on one village only shows up as the
// refusal of that village's rows.
func LockNotice(st *agent.Store, area schema.Code, period string) (string, error) {
	locks, err := st.Locks(area)
	if err != nil {
		return "", err
	}
	for _, l := range locks {
		if schema.Covers(l.Unit, l.Period, area, period) {
			e := &schema.PeriodLockedError{Lock: l, Unit: area, Period: period}
			return e.Zh(st.Divisions()), nil
		}
	}
	return "", nil
}
