package schema

import "testing"

func TestLeftBefore(t *testing.T) {
	for _, tc := range []struct {
		status      PersonStatus
		leftOn, per string
		want        bool
	}{
		{PersonActive, "", "2025-03", false},
		{PersonDied, "2025-02-28", "2025-03", true},
		{PersonDied, "2025-03-01", "2025-03", false}, // left during the month: still counted in it
		{PersonMoved, "2025-03-31", "2025-03", false},
		{PersonMoved, "2024-12-31", "2025", true},
		{PersonMoved, "2025-06-01", "2025", false},
		{PersonDied, "", "2025", false}, // no date: never excluded (validation asks for one)
	} {
		if got := LeftBefore(tc.status, tc.leftOn, tc.per); got != tc.want {
			t.Errorf("LeftBefore(%q, %q, %q) = %v, want %v", tc.status, tc.leftOn, tc.per, got, tc.want)
		}
	}
}
