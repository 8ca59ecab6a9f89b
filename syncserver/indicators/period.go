package indicators

import (
	"fmt"
	"strconv"
	"time"
)

// Period is what a report is "as of": a month, or a whole year when Month
// is 0. The measures read it in three ways (see schema.Measure): capacity
// reports and reported values up to its last month, population up to its
// year, and visits dated inside it (monthly rates: inside its last month).
type Period struct {
	Year  int
	Month int // 1–12, or 0 for the whole year
}

// ParsePeriod reads "2025" or "2025-03".
func ParsePeriod(s string) (Period, error) {
	switch len(s) {
	case 4:
		y, err := strconv.Atoi(s)
		if err != nil || y < 1949 || y > 2100 {
			return Period{}, fmt.Errorf("period %q: want a year YYYY between 1949 and 2100 or a month YYYY-MM", s)
		}
		return Period{Year: y}, nil
	case 7:
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return Period{}, fmt.Errorf("period %q: want a year YYYY or a month YYYY-MM", s)
		}
		return Period{Year: t.Year(), Month: int(t.Month())}, nil
	}
	return Period{}, fmt.Errorf("period %q: want a year YYYY or a month YYYY-MM", s)
}

// MonthOf returns the period of the month t falls in (in t's location).
func MonthOf(t time.Time) Period { return Period{Year: t.Year(), Month: int(t.Month())} }

// IsYear reports whether the period is a whole year.
func (p Period) IsYear() bool { return p.Month == 0 }

// String formats the period as it was parsed: "2025" or "2025-03".
func (p Period) String() string {
	if p.IsYear() {
		return fmt.Sprintf("%04d", p.Year)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, p.Month)
}

// LastMonth is the period's last month as YYYY-MM: the month itself, or
// December of a year. Monthly rates of a yearly report are about it.
func (p Period) LastMonth() string {
	if p.IsYear() {
		return fmt.Sprintf("%04d-12", p.Year)
	}
	return p.String()
}

// End is the first instant after the period, in loc.
func (p Period) End(loc *time.Location) time.Time {
	if p.IsYear() {
		return time.Date(p.Year+1, 1, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(p.Year, time.Month(p.Month)+1, 1, 0, 0, 0, 0, loc)
}

// YearFraction is how far into its year the period's end lies: 1 for a
// year or December, 0.25 for March. Progress toward a target is linear in
// it.
func (p Period) YearFraction() float64 {
	if p.IsYear() {
		return 1
	}
	return float64(p.Month) / 12
}

// monthIndex turns "YYYY-MM" into a number that orders months, or -1 when
// s is not a month. Comparing numbers instead of strings keeps a
// malformed period from sorting after every real one.
func monthIndex(s []byte) int {
	if len(s) != 7 || s[4] != '-' {
		return -1
	}
	y, ok1 := digits(s[:4])
	m, ok2 := digits(s[5:7])
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return -1
	}
	return y*12 + m - 1
}

// dateMonthIndex is monthIndex of the month of a "YYYY-MM-DD" date.
func dateMonthIndex(s []byte) int {
	if len(s) != 10 || s[7] != '-' {
		return -1
	}
	return monthIndex(s[:7])
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(b) > 0
}

// lastMonthIndex is monthIndex of LastMonth.
func (p Period) lastMonthIndex() int {
	if p.IsYear() {
		return p.Year*12 + 11
	}
	return p.Year*12 + p.Month - 1
}

// firstMonthIndex is monthIndex of the period's first month.
func (p Period) firstMonthIndex() int {
	if p.IsYear() {
		return p.Year * 12
	}
	return p.lastMonthIndex()
}
