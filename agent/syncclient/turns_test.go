package syncclient

import (
	"errors"
	"sync"
	"testing"

	"laoxiao/schema"
)

// TestUploadWithoutTurnRefused: a device that takes turns and sends
// changes it was not granted is stopped with a protocol error, not
// served ahead of the devices waiting for theirs.
func TestUploadWithoutTurnRefused(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	putFacilities(t, st, village(t, township, 0), 3)
	s := openSession(t, c)
	if err := s.handshake(); err != nil {
		t.Fatal(err)
	}
	if !s.turns || s.credit != 3 {
		t.Fatalf("turns %v with a first grant of %d, want turns and the 3 changes the hello said wait", s.turns, s.credit)
	}
	// Saved after the hello: not granted yet.
	putFacilities(t, st, village(t, township, 0), 3)
	chs, err := s.nextBatch(6)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.send(chs); err != nil {
		t.Fatal(err)
	}
	var refused *schema.Error
	for {
		m, err := s.next()
		if errors.As(err, &refused) {
			break
		}
		if err != nil {
			t.Fatalf("want a protocol error, got %v", err)
		}
		if m.Type == schema.MsgAck {
			t.Fatal("an ungranted batch was acked")
		}
	}
	if refused.Code != schema.ErrProtocol {
		t.Errorf("refused with %s (%s), want %s", refused.Code, refused.Message, schema.ErrProtocol)
	}
	if m := srv.mark(t, st); m != 0 {
		t.Errorf("server's mark %d after an ungranted batch, want 0", m)
	}
}

// TestTurnsServeEveryDevice: devices that each want more than one grant
// sync at once, each taking several turns, and every change of each
// arrives exactly once.
func TestTurnsServeEveryDevice(t *testing.T) {
	srv := startServer(t, nil)
	const devices, each = 6, 700 // two turns each
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	sites := make([]*Client, devices)
	for i := range sites {
		st, c := newSite(t, srv, township, nil)
		putFacilities(t, st, village(t, township, i%3), each)
		sites[i] = c
	}
	for _, c := range sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.SyncOnce(t.Context())
			if err == nil && res.Uploaded != each {
				err = errors.New("uploaded fewer changes than queued")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range sites {
		if m := srv.mark(t, c.st); m != each {
			t.Errorf("device %s: server's mark %d, want %d", c.st.DeviceID(), m, each)
		}
	}
}
