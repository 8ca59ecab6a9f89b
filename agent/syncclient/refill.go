package syncclient

import (
	"errors"

	"laoxiao/schema"
)

// errPlainHello asks SyncOnce for one more session, saying hello without
// Features: the server is older than the field and refused the hello.
var errPlainHello = errors.New("server refused the hello's features: say hello without them")

// features is what the hello asks for: nothing once a server refused the
// field (see schema.Hello.Features).
func (c *Client) features() schema.Features {
	if c.plainHello.Load() {
		return 0
	}
	return schema.FeatureIncarnation | schema.FeatureWindow | schema.FeatureTurns
}

// refusedFeatures reports whether err is a server's answer to a hello
// carrying Features that an older server gives: it decodes strictly and
// calls an unknown field a bad frame. Remembered for the client's life,
// so the next session says hello without them.
func (c *Client) refusedFeatures(err error, sent schema.Features) bool {
	var se *schema.Error
	if sent == 0 || !errors.As(err, &se) || se.Code != schema.ErrBadFrame {
		return false
	}
	c.plainHello.Store(true)
	c.log.Warn("server is older than the hello's features; saying hello without them (a restored server is then found by its mark alone)")
	return true
}

// refillIfRestored finds a server restored from an older copy of its
// store: its high-water mark for this device is below what the device
// knows was acked, or its incarnation id changed since the last sync, or
// a refill a crash interrupted waits to be finished. The device then puts
// the changes the server lost back in the outbox (agent.Store.Refill),
// which the upload that follows sends as usual. Runs after learnClock, so
// a re-stamp never touches changes the server accepted before.
func (s *session) refillIfRestored(w *schema.Welcome) error {
	seen, err := s.st.Incarnation()
	if err != nil {
		return err
	}
	acked, err := s.st.Acked()
	if err != nil {
		return err
	}
	pending, resume, err := s.st.RefillPending()
	if err != nil {
		return err
	}
	newIncarnation := w.Incarnation != "" && seen != "" && w.Incarnation != seen
	if !resume && !newIncarnation && w.HighWater >= acked {
		if w.Incarnation != "" && w.Incarnation != seen {
			return s.st.SetIncarnation(w.Incarnation)
		}
		return nil
	}
	r, err := s.st.Refill(w.HighWater, w.Incarnation, newIncarnation || resume && pending.NewIncarnation)
	if err != nil {
		return err
	}
	s.res.Refill = &r
	s.backlog = nil // the outbox changed
	return nil
}
