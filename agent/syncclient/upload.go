package syncclient

import (
	"fmt"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// maxRestamps bounds the re-stamps of one session: a correct offset makes
// the resent stamps acceptable, so refusals again and again mean the
// server's clock is jumping.
const maxRestamps = 3

// fill sends batches from the outbox until maxInFlight are unacked, the
// window is full, the turn's grant is spent, the outbox has nothing more,
// or a resend is pending. Each batch takes the size the link allows now
// (linkSizes), at most maxBatch and what the window and the grant have
// room for.
func (s *session) fill() error {
	for !s.resending && len(s.queue) < s.maxInFlight {
		n := min(s.c.link.batchSize(s.maxBatch), s.win.limit(s.maxBatch*s.maxInFlight)-s.unacked())
		if s.turns && s.credit < n {
			if s.credit == 0 {
				return s.ask()
			}
			n = s.credit
		}
		if n <= 0 {
			return nil
		}
		chs, err := s.nextBatch(n)
		if err != nil || len(chs) == 0 {
			return err
		}
		if err := s.send(chs); err != nil {
			return err
		}
	}
	return nil
}

// nextBatch reads the batch of at most n changes after sentUpTo, cut to be gapless and to fit
// a frame (cutBatch).
//
// Holes in the outbox come from parked changes, which the server's mark
// has passed. A hole above the mark means the server lost changes it had
// acked (its store was restored from an older copy): it would answer
// every resend with a gap, so it returns ErrServerLostChanges instead of
// resending forever.
func (s *session) nextBatch(n int) ([]agent.Queued, error) {
	chs, err := s.st.Queue(s.sentUpTo, n)
	if err != nil || len(chs) == 0 {
		return nil, err
	}
	if first := chs[0].Seq; first > s.sentUpTo+1 && first > s.res.HighWater+1 {
		return nil, fmt.Errorf("server's mark %d is below this device's oldest unsent change %d: %w; "+
			"ask the county office to restore its data", s.res.HighWater, first, ErrServerLostChanges)
	}
	return cutBatch(chs), nil
}

// cutBatch returns the longest prefix of chs (at least one change) that is
// gapless — parked changes leave holes in the outbox below the server's
// mark — and within schema.BatchBudget: changes with long notes would
// otherwise make a frame the server refuses on every retry.
func cutBatch(chs []agent.Queued) []agent.Queued {
	size := len(chs[0].Raw)
	for i := 1; i < len(chs); i++ {
		size += len(chs[i].Raw)
		if chs[i].Seq != chs[i-1].Seq+1 || size > schema.BatchBudget {
			return chs[:i]
		}
	}
	return chs
}

// send uploads one batch and queues it for its ack. It is queued before
// the write: a batch the link breaks in the middle of is one that went
// unacked too (learnFromBreak), and the session ends with the write. The
// changes go out as the outbox keeps them, not decoded and encoded again.
func (s *session) send(chs []agent.Queued) error {
	s.batchNo++
	raws := make([][]byte, len(chs))
	for i, q := range chs {
		raws[i] = q.Raw
	}
	up := &schema.Upload{Batch: s.batchNo, First: chs[0].Seq, Encoded: raws}
	s.queue = append(s.queue, inflight{batch: s.batchNo, first: chs[0].Seq, raws: raws, sentAt: time.Now()})
	if err := schema.WriteMsg(s.ws, &schema.Msg{Type: schema.MsgUpload, Upload: up}, writeTimeout); err != nil {
		return fmt.Errorf("send batch: %w", brokenLink{err})
	}
	s.sentUpTo = chs[len(chs)-1].Seq
	s.credit -= len(chs)
	return nil
}

// ask asks the server for a turn when changes wait to be sent and no ask
// is out yet. It asks for what the outbox held at the hello past what was
// sent (at least one): changes saved since come after those, and are
// asked for in turn.
func (s *session) ask() error {
	if s.asked {
		return nil
	}
	next, err := s.st.Queue(s.sentUpTo, 1)
	if err != nil || len(next) == 0 {
		return err
	}
	want := 1
	if s.backlog != nil && s.backlog.LastSeq > s.sentUpTo {
		want = int(min(s.backlog.LastSeq-s.sentUpTo, schema.MaxBatchChanges))
	}
	if err := schema.WriteMsg(s.ws, &schema.Msg{Type: schema.MsgAsk, Ask: &schema.Ask{Changes: want}}, writeTimeout); err != nil {
		return fmt.Errorf("ask for a turn: %w", brokenLink{err})
	}
	s.asked = true
	return nil
}

// takeAck takes the answer to the oldest batch in flight: it parks the
// changes the server refused, notes a gap or a clock refusal for resend,
// releases what the ack covers and advances the mark.
func (s *session) takeAck(a *schema.Ack) error {
	if len(s.queue) == 0 || s.queue[0].batch != a.Batch {
		return fmt.Errorf("ack for batch %d out of order", a.Batch)
	}
	sent := s.queue[0]
	s.queue = s.queue[1:]
	s.c.link.acked(s.maxBatch)
	s.win.acked(sent.len(), a.Window, s.maxBatch*s.maxInFlight)
	if s.c.OnAck != nil {
		s.c.OnAck(sent.len(), time.Since(sent.sentAt))
	}
	if err := s.takeRefusals(a, sent); err != nil {
		return err
	}
	if a.Status == schema.AckGap {
		s.resending = true
	}
	// Release what this ack covers, never past its batch: a duplicate's
	// ack carries the server's whole mark, and later batches may still
	// bring refusals to park.
	if upto := min(a.HighWater, sent.last()); upto > s.released {
		if err := s.rel.err(); err != nil {
			return err
		}
		s.rel.upTo(upto)
		s.released = upto
	}
	if a.HighWater > s.res.HighWater {
		s.res.Uploaded += int(a.HighWater - s.res.HighWater)
		s.res.HighWater = a.HighWater
	}
	uploaded := s.res.Uploaded
	s.c.update(func(st *State) { st.Sent = uploaded; st.Pending = max(0, st.Total-uploaded) })
	return nil
}

// takeRefusals parks every change of the batch the server refused, before
// any release covers it, so none leaves the outbox unseen. A clock_ahead
// refusal is not parked: the change is re-stamped and resent (resend).
func (s *session) takeRefusals(a *schema.Ack, sent inflight) error {
	for _, rej := range a.Rejected {
		if rej.Code == schema.RejectClockAhead {
			if s.restampAt == 0 || rej.Seq < s.restampAt {
				s.restampAt = rej.Seq
			}
			s.serverMS = rej.ServerTimeMS
			s.resending = true
			continue
		}
		ch, err := sent.change(rej.Seq)
		if err != nil {
			return fmt.Errorf("server refused seq %d: %w", rej.Seq, err)
		}
		if err := s.st.Park(ch, rej); err != nil {
			return err
		}
		s.res.Parked++
	}
	return nil
}

// resend runs once every batch in flight was answered after a gap or a
// clock refusal: it re-stamps the refused changes if there were any and
// starts sending again right after the server's mark.
func (s *session) resend() error {
	if s.restampAt > 0 {
		if err := s.restamp(); err != nil {
			return err
		}
	}
	s.resending = false
	s.sentUpTo = s.res.HighWater
	return nil
}

// restamp moves the changes from restampAt on to the server's clock, as
// the last clock_ahead refusal gave it.
func (s *session) restamp() error {
	if s.restamps++; s.restamps > maxRestamps {
		return fmt.Errorf("server refused our clock %d times; not re-stamping again", s.restamps)
	}
	offset := time.UnixMilli(s.serverMS).Sub(localNow(s.clock))
	n, err := s.st.Restamp(s.restampAt, offset)
	if err != nil {
		return err
	}
	s.res.Restamped += n
	s.c.log.Warn("server refused our clock; changes re-stamped", "from_seq", s.restampAt, "count", n, "offset", offset.Round(time.Millisecond))
	s.c.update(func(st *State) { st.ClockOffset = offset })
	s.restampAt = 0
	return nil
}
