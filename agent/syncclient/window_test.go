package syncclient

import "testing"

func TestWindow(t *testing.T) {
	const cap = 2000
	tests := []struct {
		name   string
		server int
		acks   []int // changes acked, in turn, each ack advising server
		want   int
	}{
		{"a server without windows: no limit, no slow start", 0, nil, cap},
		{"a new client starts small", 1000, nil, initialWindow},
		{"each ack widens it by what it acked", 1000, []int{16, 16, 32}, initialWindow + 64},
		{"never past the server's window", 40, []int{16, 16, 32}, 40},
		{"never past the cap", 5000, []int{500, 500, 500, 500}, cap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := window{server: tc.server, grown: &grownWindow{}}
			for _, n := range tc.acks {
				w.acked(n, tc.server, cap)
			}
			if got := w.limit(cap); got != tc.want {
				t.Fatalf("limit %d, want %d", got, tc.want)
			}
		})
	}
}
