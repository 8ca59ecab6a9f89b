package syncclient

import (
	"fmt"
	"time"

	"laoxiao/schema"
)

// handshake says hello, learns the server's clock and places the upload
// pipeline at the server's mark for this device.
func (s *session) handshake() error {
	w, offset, err := s.hello()
	if err != nil {
		return err
	}
	if err := s.learnClock(w.HighWater, offset); err != nil {
		return err
	}
	if err := s.refillIfRestored(w); err != nil {
		return err
	}
	if err := s.placeMark(w.HighWater); err != nil {
		return err
	}
	s.maxInFlight = max(1, w.MaxInFlight)
	s.maxBatch = max(1, min(w.MaxBatch, schema.MaxBatchChanges, maxUploadBatch))
	s.win = window{server: w.Window, grown: &s.c.window}
	s.turns = w.Turns
	if s.turns {
		// The hello was the first ask, for schema.FirstAsk of its health.
		s.credit = w.Grant
		s.asked = w.Grant == 0 && schema.FirstAsk(s.helloHealth, w.HighWater) > 0
	}
	return nil
}

// hello sends Hello and reads the Welcome. offset is the server's clock
// at the midpoint of the round trip, less the device's own.
func (s *session) hello() (w *schema.Welcome, offset time.Duration, err error) {
	// Read before the round trip starts: the outbox count takes a scan.
	// placeMark reuses it (see there).
	b, err := s.st.Backlog()
	if err != nil {
		return nil, 0, fmt.Errorf("device health: %w", err)
	}
	s.backlog = &b
	health := s.health(b)
	s.helloHealth = health
	sentAt := time.Now() // for the round trip only: monotonic
	localAt := localNow(s.clock)
	hello := &schema.Hello{Protocol: schema.ProtocolVersion, Schema: schema.SchemaVersion, Device: s.st.DeviceID(),
		Cursor: s.st.Cursor(), ClockMS: s.clock.Physical().UnixMilli(), AppVersion: s.c.AppVersion, Health: health,
		PageBytes: s.c.link.pageBytes(), Features: s.c.features()}
	if err := schema.WriteMsg(s.ws, &schema.Msg{Type: schema.MsgHello, Hello: hello}, writeTimeout); err != nil {
		return nil, 0, fmt.Errorf("send hello: %w", brokenLink{err})
	}
	m, err := s.next()
	if s.c.refusedFeatures(err, hello.Features) {
		return nil, 0, errPlainHello
	}
	if err != nil {
		return nil, 0, err
	}
	if m.Type != schema.MsgWelcome {
		return nil, 0, fmt.Errorf("server answered hello with %s", m.Type)
	}
	w = m.Welcome
	rtt := time.Since(sentAt)
	offset = time.UnixMilli(w.ServerTimeMS).Sub(localAt.Add(rtt / 2)).Round(time.Millisecond)
	return w, offset, nil
}

// learnClock keeps the offset when it moved by more than a second.
//
// A clock more than a minute behind stamped the unsynced changes too
// early: the server would accept them and they would lose conflicts they
// won in real time, so they move to the time they were really made
// before they are sent. (Stamps too far ahead the server refuses itself,
// and takeAck's refusal path moves them.) Changes at or below the
// server's mark are accepted already and keep their stamps.
func (s *session) learnClock(mark uint64, offset time.Duration) error {
	jump := offset - s.clock.Offset()
	if jump > time.Second || jump < -time.Second {
		if err := s.st.SetClockOffset(offset); err != nil {
			return err
		}
		s.c.log.Info("clock offset learned", "offset", offset)
	}
	// A restamp is due after a forward jump, this time or at a hello a
	// stop cut short before it moved the changes.
	due, err := s.st.RestampDue()
	if err != nil {
		return err
	}
	if due {
		// A refill a crash interrupted has put changes the server accepted
		// before it was restored back in the outbox, some renumbered:
		// those keep their stamps, so nothing is re-stamped this time.
		if _, pending, err := s.st.RefillPending(); err != nil || pending {
			s.c.update(func(st *State) { st.ClockOffset = s.clock.Offset() })
			if err != nil {
				return err
			}
			return s.st.SkipRestamp()
		}
		n, err := s.st.Restamp(mark+1, offset)
		if err != nil {
			return err
		}
		if n > 0 {
			s.res.Restamped += n
			s.c.log.Warn("clock was wrong; unsynced changes moved to corrected time", "count", n, "offset", offset)
		}
	}
	s.c.update(func(st *State) { st.ClockOffset = s.clock.Offset() })
	return nil
}

// placeMark starts the pipeline after the server's mark and the releaser
// at what may leave the outbox.
//
// Outbox entries at or below the mark are durable on the server, but the
// ack that answered them was lost with a connection, and it may have
// carried refusals. Releasing them now would drop refused changes unseen;
// resending them instead gets duplicate acks that repeat the refusals,
// parked like any other. A mark beyond every sequence this device issued
// means the device's store was restored from a backup: Release moves the
// device's sequence past the mark, so new changes are not taken for
// duplicates.
//
// The backlog read for the hello still holds here unless a refill
// re-queued changes: the clock's re-stamp keeps every seq, and changes
// the user makes meanwhile come after every seq the server can hold.
func (s *session) placeMark(mark uint64) error {
	if s.backlog == nil {
		b, err := s.st.Backlog()
		if err != nil {
			return err
		}
		s.backlog = &b
	}
	status := *s.backlog
	s.sentUpTo, s.released = mark, mark
	if status.OldestSeq != 0 && status.OldestSeq <= mark && mark <= status.LastSeq {
		s.sentUpTo = status.OldestSeq - 1
		s.released = s.sentUpTo
	} else if err := s.st.Release(mark); err != nil {
		return err
	}
	s.res.HighWater = mark
	// Acked changes leave the outbox in the background, so the next batch
	// goes out while they are deleted.
	s.rel = startReleaser(s.st, s.released)
	total := status.Outbox
	s.c.update(func(st *State) { st.Total = total; st.Pending = total; st.Phase = PhaseSending })
	return nil
}
