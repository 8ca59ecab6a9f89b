package syncclient

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"laoxiao/agent"
)

func TestHandshake(t *testing.T) {
	tests := []struct {
		name string
		// setup makes the device's state before the session under test.
		setup func(t *testing.T, srv *testServer) (*agent.Store, *Client)
		check func(t *testing.T, s *session, srv *testServer)
	}{
		{
			name: "new device starts at zero with the server's limits",
			setup: func(t *testing.T, srv *testServer) (*agent.Store, *Client) {
				return newSite(t, srv, township, nil)
			},
			check: func(t *testing.T, s *session, srv *testServer) {
				if s.res.HighWater != 0 || s.sentUpTo != 0 || s.released != 0 {
					t.Errorf("mark %d, sent up to %d, released %d; want 0, 0, 0", s.res.HighWater, s.sentUpTo, s.released)
				}
				if s.maxInFlight != 4 || s.maxBatch != maxUploadBatch {
					t.Errorf("in flight %d, batch %d; want the server's 4 and the client's own cap %d", s.maxInFlight, s.maxBatch, maxUploadBatch)
				}
				if off := s.clock.Offset(); !near(off, 0, time.Second) {
					t.Errorf("clock offset %s on a correct clock", off)
				}
			},
		},
		{
			name: "clock an hour ahead: offset learned, stamps left for the server to refuse",
			setup: func(t *testing.T, srv *testServer) (*agent.Store, *Client) {
				st, c := newSite(t, srv, township, skewed(time.Hour))
				putFacilities(t, st, village(t, township, 0), 2)
				return st, c
			},
			check: func(t *testing.T, s *session, srv *testServer) {
				checkOffset(t, s, -time.Hour)
				if s.res.Restamped != 0 {
					t.Errorf("%d changes re-stamped at hello; stamps ahead wait for the server's refusal", s.res.Restamped)
				}
			},
		},
		{
			name: "clock an hour behind: offset learned, unsynced changes moved to the real time",
			setup: func(t *testing.T, srv *testServer) (*agent.Store, *Client) {
				st, c := newSite(t, srv, township, skewed(-time.Hour))
				putFacilities(t, st, village(t, township, 0), 2)
				return st, c
			},
			check: func(t *testing.T, s *session, srv *testServer) {
				checkOffset(t, s, time.Hour)
				checkMovedToNow(t, s, 2)
			},
		},
		{
			name: "a stop after the correction was saved and before the changes moved: the next hello moves them",
			setup: func(t *testing.T, srv *testServer) (*agent.Store, *Client) {
				st, c := newSite(t, srv, township, skewed(-time.Hour))
				putFacilities(t, st, village(t, township, 0), 2)
				// What the session that learned the hour saved before it
				// stopped: the offset, not the moved changes.
				if err := st.SetClockOffset(time.Hour); err != nil {
					t.Fatal(err)
				}
				if due, err := st.RestampDue(); err != nil || !due {
					t.Fatalf("restamp due after a jump of an hour: %v, %v", due, err)
				}
				return st, c
			},
			check: func(t *testing.T, s *session, srv *testServer) {
				checkMovedToNow(t, s, 2)
				if due, err := s.st.RestampDue(); err != nil || due {
					t.Errorf("restamp still due after the hello: %v, %v", due, err)
				}
			},
		},
		{
			name: "acks lost with their connection: resend what the server holds, release nothing yet",
			setup: func(t *testing.T, srv *testServer) (*agent.Store, *Client) {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 3)
				uploadBehindTheBack(t, c)
				return st, c
			},
			check: func(t *testing.T, s *session, srv *testServer) {
				if s.res.HighWater != 3 || s.sentUpTo != 0 || s.released != 0 {
					t.Errorf("mark %d, sent up to %d, released %d; want 3, 0, 0", s.res.HighWater, s.sentUpTo, s.released)
				}
				if got := outboxSeqs(t, s.st); !slices.Equal(got, []uint64{1, 2, 3}) {
					t.Errorf("outbox %v, want every change kept until its refusals are known", got)
				}
			},
		},
		{
			name: "device restored from a backup: its sequence continues after the server's mark",
			setup: func(t *testing.T, srv *testServer) (*agent.Store, *Client) {
				dir := filepath.Join(t.TempDir(), "site")
				st := openStore(t, dir, nil)
				srv.enroll(t, st, township)
				putFacilities(t, st, village(t, township, 0), 1)
				st.Close()
				backup := filepath.Join(t.TempDir(), "backup")
				copyDir(t, dir, backup)
				st = openStore(t, dir, nil)
				putFacilities(t, st, village(t, township, 0), 2)
				if _, err := newClient(st).SyncOnce(t.Context()); err != nil {
					t.Fatal(err)
				}
				st.Close()
				restored := openStore(t, backup, nil)
				return restored, newClient(restored)
			},
			check: func(t *testing.T, s *session, srv *testServer) {
				status, err := s.st.Status()
				if err != nil {
					t.Fatal(err)
				}
				if status.LastSeq != 3 || status.Outbox != 0 || s.res.HighWater != 3 {
					t.Errorf("last seq %d, outbox %d, mark %d; want 3, 0, 3", status.LastSeq, status.Outbox, s.res.HighWater)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, nil)
			_, c := tc.setup(t, srv)
			s := openSession(t, c)
			if err := s.handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			tc.check(t, s, srv)
		})
	}
}

// checkOffset asserts the offset the session learned, as the store keeps
// it and the client's state shows it.
func checkOffset(t *testing.T, s *session, want time.Duration) {
	t.Helper()
	status, err := s.st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !near(status.ClockOffset, want, 5*time.Second) {
		t.Errorf("store's clock offset %s, want about %s", status.ClockOffset, want)
	}
	if got := s.c.State().ClockOffset; got != status.ClockOffset {
		t.Errorf("client state shows offset %s, store %s", got, status.ClockOffset)
	}
}

// checkMovedToNow checks the session re-stamped want changes and every
// queued change now carries about the present time.
func checkMovedToNow(t *testing.T, s *session, want int) {
	t.Helper()
	if s.res.Restamped != want {
		t.Errorf("%d changes re-stamped, want %d", s.res.Restamped, want)
	}
	chs, err := s.st.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		if at := ch.Stamp.Time(); !near(time.Since(at), 0, time.Minute) {
			t.Errorf("change %d stamped %s, want about now", ch.Seq, at)
		}
	}
}
