package syncclient

import (
	"errors"
	"testing"
	"time"

	"laoxiao/schema"
)

// TestSyncOnce runs whole sessions, phases chained as run chains them.
func TestSyncOnce(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, srv *testServer) *Client
		wantErr error
		check   func(t *testing.T, c *Client, res Result)
	}{
		{
			name: "not enrolled",
			setup: func(t *testing.T, srv *testServer) *Client {
				return newClient(openStore(t, t.TempDir(), nil))
			},
			wantErr: ErrNotEnrolled,
		},
		{
			name: "uploads everything and stops once caught up",
			setup: func(t *testing.T, srv *testServer) *Client {
				st, c := newSite(t, srv, township, nil)
				putFacilities(t, st, village(t, township, 0), 5)
				return c
			},
			check: func(t *testing.T, c *Client, res Result) {
				if res.Uploaded != 5 || res.HighWater != 5 {
					t.Errorf("result %+v, want 5 uploaded", res)
				}
				if st := c.State(); st.Phase != PhaseIdle || st.Pending != 0 || st.LastSuccess.IsZero() {
					t.Errorf("state after success %+v", st)
				}
			},
		},
		{
			name: "clock behind: re-stamped, then the scope again in a second session",
			setup: func(t *testing.T, srv *testServer) *Client {
				st, c := newSite(t, srv, township, skewed(-time.Hour))
				putFacilities(t, st, village(t, township, 0), 2)
				return c
			},
			check: func(t *testing.T, c *Client, res Result) {
				if res.Restamped != 2 || res.Uploaded != 2 {
					t.Errorf("result %+v, want 2 re-stamped and uploaded", res)
				}
			},
		},
		{
			name: "server lost acknowledged changes: the kept one offered again",
			setup: func(t *testing.T, srv *testServer) *Client {
				return forgottenSite(t, srv)
			},
			check: func(t *testing.T, c *Client, res Result) {
				if r := res.Refill; r == nil || !r.NewIncarnation || r.Reoffered != 1 || r.Lost != 0 || res.HighWater != 2 {
					t.Errorf("result %+v (refill %+v), want the acked change offered again and both uploaded", res, r)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, nil)
			c := tc.setup(t, srv)
			res, err := c.SyncOnce(t.Context())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("SyncOnce: %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if st := c.State(); st.Phase != PhaseOffline || st.LastError == "" || st.LastErrorZh == "" {
					t.Errorf("state after a failure %+v", st)
				}
				return
			}
			tc.check(t, c, res)
			if n, err := c.pending(); err != nil || n != 0 {
				t.Errorf("%d changes still pending (%v)", n, err)
			}
		})
	}
}

// TestSyncOnceRevoked: a revoked device is refused at the door, and the
// refusal reaches the user as the server meant it.
func TestSyncOnceRevoked(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	if err := srv.srv.Registry().Revoke(t.Context(), st.DeviceID()); err != nil {
		t.Fatal(err)
	}
	_, err := c.SyncOnce(t.Context())
	var se *schema.Error
	if !errors.As(err, &se) || se.Code != schema.ErrAuth {
		t.Fatalf("sync of a revoked device: %v, want the server's auth refusal", err)
	}
	if got, want := Explain(err), Explain(&schema.Error{Code: schema.ErrAuth}); got != want {
		t.Fatalf("explained as %q, want %q", got, want)
	}
}
