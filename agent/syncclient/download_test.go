package syncclient

import (
	"testing"

	"laoxiao/schema"
)

// receiveUntilCaughtUp takes download pages until the server says it has
// nothing newer.
func receiveUntilCaughtUp(t *testing.T, s *session) {
	t.Helper()
	for !s.caughtUp {
		if err := s.receive(); err != nil {
			t.Fatalf("receive: %v", err)
		}
	}
}

func TestApplyDownload(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	neighbour, nc := newSite(t, srv, township, nil)
	far, fc := newSite(t, srv, otherTownship, nil)
	shared := putFacilities(t, neighbour, village(t, township, 1), 2)
	putFacilities(t, far, village(t, otherTownship, 0), 1)
	own := putFacilities(t, st, village(t, township, 0), 1)
	// The device uploads its own change first, so the neighbours' are
	// news to it.
	for _, sc := range []*Client{c, nc, fc} {
		if _, err := sc.SyncOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name       string
		downloaded int
		has        []*schema.Change
	}{
		// The device's own change is not echoed back, the other
		// township's is outside the scope.
		{name: "a neighbour's changes in scope arrive", downloaded: 2, has: append(shared, own...)},
		{name: "nothing new after the stored cursor", downloaded: 0, has: shared},
	}
	var cursor uint64
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := handshaken(t, c)
			receiveUntilCaughtUp(t, s)
			if s.res.Downloaded != tc.downloaded || c.State().Downloaded != tc.downloaded {
				t.Errorf("downloaded %d (state %d), want %d", s.res.Downloaded, c.State().Downloaded, tc.downloaded)
			}
			for _, ch := range tc.has {
				if _, err := st.Get(ch.Kind, ch.ID); err != nil {
					t.Errorf("%s %s: %v", ch.Kind, ch.ID, err)
				}
			}
			if n, err := st.Count(schema.KindFacility, otherTownship); err != nil || n != 0 {
				t.Errorf("%d facilities of the other township arrived (%v)", n, err)
			}
			if st.Cursor() != s.res.Cursor || s.res.Cursor < cursor || s.res.Cursor == 0 {
				t.Errorf("stored cursor %d, session's %d, previous %d", st.Cursor(), s.res.Cursor, cursor)
			}
			cursor = s.res.Cursor
		})
	}
}
