package syncclient

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// batchSeqs lists the sequence numbers of every batch in flight.
func batchSeqs(s *session) [][]uint64 {
	var out [][]uint64
	for _, b := range s.queue {
		var seqs []uint64
		for seq := b.first; seq <= b.last(); seq++ {
			seqs = append(seqs, seq)
		}
		out = append(out, seqs)
	}
	return out
}

func TestFill(t *testing.T) {
	tests := []struct {
		name string
		// setup makes the device's state and returns the handshaken
		// session, its limits possibly lowered to make batches visible.
		setup   func(t *testing.T, srv *testServer) *session
		want    [][]uint64 // batches in flight after fill
		wantErr error
		// wantMark is the server's mark once the batches are acked.
		wantMark uint64
	}{
		{
			name: "batches of the batch size, up to the in-flight cap",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 8)
				s := handshaken(t, c)
				s.maxBatch, s.maxInFlight = 3, 2
				return s
			},
			want:     [][]uint64{{1, 2, 3}, {4, 5, 6}},
			wantMark: 6,
		},
		{
			name: "a parked change's hole below the mark splits the resend",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, nil)
				chs := putFacilities(t, st, village(t, township, 0), 3)
				uploadBehindTheBack(t, c)
				// Parked from a refusal whose release a crash cut short.
				if err := st.Park(*chs[1], schema.Rejection{Seq: 2, Code: schema.RejectInvalid, Reason: "test"}); err != nil {
					t.Fatal(err)
				}
				return handshaken(t, c)
			},
			want:     [][]uint64{{1}, {3}},
			wantMark: 3,
		},
		{
			name: "nothing goes out while a resend is pending",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 2)
				s := handshaken(t, c)
				s.resending = true
				return s
			},
		},
		{
			name: "server lost a change it had acknowledged: sent again before the new one",
			setup: func(t *testing.T, srv *testServer) *session {
				return handshaken(t, forgottenSite(t, srv))
			},
			want:     [][]uint64{{1, 2}},
			wantMark: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, nil)
			s := tc.setup(t, srv)
			err := s.fill()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("fill: %v, want %v", err, tc.wantErr)
			}
			if got := batchSeqs(s); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Fatalf("batches in flight %v, want %v", got, tc.want)
			}
			drain(t, s)
			if s.res.HighWater != tc.wantMark {
				t.Errorf("mark after the acks %d, want %d", s.res.HighWater, tc.wantMark)
			}
		})
	}
}

func TestCutBatch(t *testing.T) {
	change := func(seq uint64, note int) agent.Queued {
		ch := schema.Change{Kind: schema.KindPerson, ID: "p", Unit: "511802001001", Device: "d", Seq: seq}
		if note > 0 {
			ch.Set = schema.Fields{"note": schema.MustMarshal(strings.Repeat("x", note))}
		}
		return agent.Queued{Seq: seq, Raw: schema.MustMarshal(&ch)}
	}
	third := schema.BatchBudget / 3
	tests := []struct {
		name string
		in   []agent.Queued
		want []uint64
	}{
		{"gapless and small: all of it", []agent.Queued{change(1, 0), change(2, 0), change(3, 0)}, []uint64{1, 2, 3}},
		{"stops before a hole", []agent.Queued{change(4, 0), change(5, 0), change(7, 0)}, []uint64{4, 5}},
		{"stops before the budget", []agent.Queued{change(1, third), change(2, third), change(3, third), change(4, 0)}, []uint64{1, 2}},
		{"one change over the budget still goes, alone", []agent.Queued{change(1, schema.BatchBudget), change(2, 0)}, []uint64{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []uint64
			for _, ch := range cutBatch(tc.in) {
				got = append(got, ch.Seq)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("cut to %v, want %v", got, tc.want)
			}
		})
	}
}

// takeNext receives until one more batch was acked.
func takeNext(t *testing.T, s *session) {
	t.Helper()
	for n := len(s.queue); len(s.queue) == n; {
		if err := s.receive(); err != nil {
			t.Fatalf("receive: %v", err)
		}
	}
}

func TestTakeAck(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *testServer) *session
		// run takes the acks under test (and whatever follows them).
		run   func(t *testing.T, s *session)
		check func(t *testing.T, s *session)
	}{
		{
			name: "applied: counted, released, reported",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 3)
				return handshaken(t, c)
			},
			run: fillAndDrain,
			check: func(t *testing.T, s *session) {
				if s.res.Uploaded != 3 || s.res.HighWater != 3 || s.released != 3 {
					t.Errorf("uploaded %d, mark %d, released %d; want 3, 3, 3", s.res.Uploaded, s.res.HighWater, s.released)
				}
				if st := s.c.State(); st.Sent != 3 || st.Pending != 0 {
					t.Errorf("state shows %d sent, %d pending", st.Sent, st.Pending)
				}
				if err := s.rel.finish(); err != nil {
					t.Fatal(err)
				}
				if got := outboxSeqs(t, s.st); len(got) != 0 {
					t.Errorf("outbox %v after the ack", got)
				}
			},
		},
		{
			name: "refused change parked with its reason, the mark passes it",
			setup: func(t *testing.T, srv *testServer) *session {
				// Edits made before enrolment carry no scope: one lands
				// outside the township the device is then enrolled in.
				st := openStore(t, t.TempDir(), nil)
				putFacilities(t, st, village(t, township, 0), 1)
				putFacilities(t, st, village(t, otherTownship, 0), 1)
				putFacilities(t, st, village(t, township, 1), 1)
				srv.enroll(t, st, township)
				return handshaken(t, newClient(st))
			},
			run: fillAndDrain,
			check: func(t *testing.T, s *session) {
				parked, err := s.st.Parked()
				if err != nil {
					t.Fatal(err)
				}
				if len(parked) != 1 || parked[0].Change.Seq != 2 || parked[0].Rejection.Code != schema.RejectOutOfScope || parked[0].Rejection.ReasonZh == "" {
					t.Fatalf("parked %+v, want seq 2 refused out of scope with a reason", parked)
				}
				if s.res.Parked != 1 || s.res.HighWater != 3 {
					t.Errorf("parked %d, mark %d; want 1, 3", s.res.Parked, s.res.HighWater)
				}
			},
		},
		{
			name: "gap: nothing released, resend from the server's mark",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 3)
				s := handshaken(t, c)
				s.sentUpTo = 1 // as if seq 1 had gone out on this connection and been lost
				return s
			},
			run: func(t *testing.T, s *session) {
				fillAndDrain(t, s)
				if !s.resending || s.res.HighWater != 0 || s.released != 0 {
					t.Fatalf("after the gap: resending %v, mark %d, released %d; want true, 0, 0", s.resending, s.res.HighWater, s.released)
				}
				if err := s.resend(); err != nil {
					t.Fatal(err)
				}
				fillAndDrain(t, s)
			},
			check: func(t *testing.T, s *session) {
				if s.res.HighWater != 3 || s.resending {
					t.Errorf("after the resend: mark %d, resending %v", s.res.HighWater, s.resending)
				}
			},
		},
		{
			name: "duplicate: the ack's whole mark is not released past its batch",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 3)
				uploadBehindTheBack(t, c)
				s := handshaken(t, c)
				s.maxBatch = 1
				return s
			},
			run: func(t *testing.T, s *session) {
				if err := s.fill(); err != nil {
					t.Fatal(err)
				}
				takeNext(t, s)
			},
			check: func(t *testing.T, s *session) {
				if s.res.HighWater != 3 || s.released != 1 {
					t.Errorf("mark %d, released %d; want the server's 3 and the batch's 1", s.res.HighWater, s.released)
				}
			},
		},
		{
			name: "clock ahead: not parked, re-stamped and resent",
			setup: func(t *testing.T, srv *testServer) *session {
				st, c := newSite(t, srv, township, skewed(time.Hour))
				putFacilities(t, st, village(t, township, 0), 2)
				return handshaken(t, c)
			},
			run: func(t *testing.T, s *session) {
				fillAndDrain(t, s)
				if !s.resending || s.restampAt != 1 || s.res.Parked != 0 || s.res.HighWater != 0 {
					t.Fatalf("after the refusal: resending %v from %d, parked %d, mark %d; want true from 1, 0, 0",
						s.resending, s.restampAt, s.res.Parked, s.res.HighWater)
				}
				if err := s.resend(); err != nil {
					t.Fatal(err)
				}
				fillAndDrain(t, s)
			},
			check: func(t *testing.T, s *session) {
				if s.res.Restamped != 2 || s.res.HighWater != 2 || s.restampAt != 0 {
					t.Errorf("re-stamped %d, mark %d, still to re-stamp from %d; want 2, 2, 0", s.res.Restamped, s.res.HighWater, s.restampAt)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, nil)
			s := tc.setup(t, srv)
			tc.run(t, s)
			tc.check(t, s)
		})
	}
}

// fillAndDrain sends what the outbox holds and takes the acks, taking as
// many turns as that needs.
func fillAndDrain(t *testing.T, s *session) {
	t.Helper()
	for {
		if err := s.fill(); err != nil {
			t.Fatal(err)
		}
		if len(s.queue) == 0 && !s.asked {
			return
		}
		drain(t, s)
		takeTurn(t, s)
	}
}

// TestTakeAckRefusesNonsense: an ack that matches no batch in flight, or a
// refusal of a change the batch did not carry, ends the session instead
// of releasing or parking the wrong changes.
func TestTakeAckRefusesNonsense(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	chs := putFacilities(t, st, village(t, township, 0), 1)
	s := handshaken(t, c)
	tests := []struct {
		name string
		ack  schema.Ack
	}{
		{"ack of a batch not in flight", schema.Ack{Batch: 7, Status: schema.AckApplied, HighWater: 1}},
		{"refusal of a change not in the batch", schema.Ack{Batch: 1, Status: schema.AckApplied, HighWater: 1,
			Rejected: []schema.Rejection{{Seq: 9, Code: schema.RejectInvalid}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.queue = []inflight{{batch: 1, first: chs[0].Seq, raws: [][]byte{schema.MustMarshal(chs[0])}}}
			if err := s.takeAck(&tc.ack); err == nil {
				t.Fatal("takeAck took it")
			}
			if s.released != 0 || s.res.Parked != 0 || s.res.HighWater != 0 {
				t.Fatalf("released %d, parked %d, mark %d on a nonsense ack", s.released, s.res.Parked, s.res.HighWater)
			}
		})
	}
}
