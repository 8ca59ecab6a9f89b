package indicators

import "testing"

func TestPeriods(t *testing.T) {
	for _, c := range []struct {
		in        string
		last      string
		first, lm int
	}{{"2025", "2025-12", 2025 * 12, 2025*12 + 11}, {"2025-03", "2025-03", 2025*12 + 2, 2025*12 + 2}} {
		p, err := ParsePeriod(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if p.String() != c.in || p.LastMonth() != c.last || p.firstMonthIndex() != c.first || p.lastMonthIndex() != c.lm {
			t.Errorf("%s: %s %s %d %d", c.in, p, p.LastMonth(), p.firstMonthIndex(), p.lastMonthIndex())
		}
	}
	for _, bad := range []string{"", "25", "2025-13", "2025-1", "abcd", "1800"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) succeeded", bad)
		}
	}
	if monthIndex([]byte("2025-00")) != -1 || dateMonthIndex([]byte("2025-06-01")) != 2025*12+5 {
		t.Error("month index")
	}
}
