package store

import (
	"testing"
	"time"

	"laoxiao/schema"
)

func TestHealthWaitingAndBehind(t *testing.T) {
	at := time.Date(2025, 4, 10, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	report := func(waiting int, age time.Duration, parked int) Health {
		return Health{Report: schema.Health{Waiting: waiting, OldestAgeS: int64(age / time.Second), Parked: parked, LastSeq: 50}, At: at}
	}
	for _, tc := range []struct {
		name    string
		h       Health
		mark    uint64
		now     time.Time
		waiting int
		behind  bool
	}{
		{"nothing waits", report(0, 0, 0), 40, at, 0, false},
		{"a day's changes wait", report(10, day, 0), 40, at, 10, false},
		{"eight days' changes wait", report(10, 8*day, 0), 40, at, 10, true},
		{"they waited eight days but the session sent them", report(10, 8*day, 0), 50, at, 0, false},
		{"six days at the hello, eight days later still unsent", report(10, 6*day, 0), 40, at.Add(2 * day), 10, true},
		{"a refusal nobody fixed", report(0, 0, 1), 50, at, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Mark{HighWater: tc.mark}
			if got := tc.h.Waiting(m); got != tc.waiting {
				t.Errorf("Waiting = %d, want %d", got, tc.waiting)
			}
			if got := tc.h.Behind(m, tc.now); got != tc.behind {
				t.Errorf("Behind = %v, want %v", got, tc.behind)
			}
		})
	}
}
