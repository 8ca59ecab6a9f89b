package ingest

import (
	"fmt"
	"slices"
	"testing"

	"laoxiao/schema"
)

func TestBacklogTake(t *testing.T) {
	// batch makes device d's batch number n of size changes.
	batch := func(d string, n, size int) *request {
		return &request{acct: Account{Device: d}, up: &schema.Upload{Batch: uint64(n), Changes: make([]schema.Change, size)}, size: size}
	}
	name := func(g []*request) []string {
		var out []string
		for _, r := range g {
			out = append(out, fmt.Sprintf("%s%d", r.acct.Device, r.up.Batch))
		}
		return out
	}
	tests := []struct {
		name       string
		in         []*request
		maxChanges int
		want       [][]string // the groups, in turn
	}{
		{"one device's batches in order, as many as fit",
			[]*request{batch("a", 1, 10), batch("a", 2, 10), batch("a", 3, 10)}, 20,
			[][]string{{"a1", "a2"}, {"a3"}}},
		{"a deep device does not crowd out the others",
			[]*request{batch("a", 1, 10), batch("a", 2, 10), batch("a", 3, 10), batch("b", 1, 10), batch("c", 1, 10)}, 30,
			[][]string{{"a1", "b1", "c1"}, {"a2", "a3"}}},
		{"the device cut off leads the next group",
			[]*request{batch("a", 1, 10), batch("b", 1, 10), batch("c", 1, 10), batch("a", 2, 10)}, 20,
			[][]string{{"a1", "b1"}, {"c1", "a2"}}},
		{"a batch larger than the group goes alone",
			[]*request{batch("a", 1, 50), batch("b", 1, 1)}, 20,
			[][]string{{"a1"}, {"b1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBacklog()
			for _, r := range tc.in {
				b.add(r)
			}
			var got [][]string
			for !b.empty() {
				got = append(got, name(b.take(tc.maxChanges, 1<<20)))
			}
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Fatalf("groups %v, want %v", got, tc.want)
			}
		})
	}
}
