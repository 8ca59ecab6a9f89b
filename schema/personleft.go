package schema

// The rule for persons who died or moved away, written once for the
// server's indicator engine and the desktop: a person who left before a
// report period began is not counted in it (nor in its visit rates); one
// who left during or after it is, so figures already reported for earlier
// periods do not change when a township marks someone 已故 or 迁出.

// LeftBefore reports whether a person with this status and left-on date
// (YYYY-MM-DD) had left before period ("YYYY" or "YYYY-MM") began. A
// person still 在册, or left without a date, has not.
func LeftBefore(status PersonStatus, leftOn, period string) bool {
	if (status != PersonDied && status != PersonMoved) || leftOn == "" {
		return false
	}
	return leftOn < PeriodStart(period)
}

// PeriodStart is the first day of a period: "2025-03" → "2025-03-01",
// "2025" → "2025-01-01". Anything else comes back as it is, which sorts
// before every date of that year.
func PeriodStart(period string) string {
	switch len(period) {
	case 4:
		return period + "-01-01"
	case 7:
		return period + "-01"
	}
	return period
}
