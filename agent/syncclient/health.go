package syncclient

import (
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// health is the device's state for the hello: what waits, for how long,
// what the server refused and nobody fixed, and how wrong the clock is.
// The server keeps it so the county sees a township falling behind.
func (s *session) health(b agent.Backlog) *schema.Health {
	h := &schema.Health{Waiting: b.Outbox, Parked: b.Parked, ClockOffsetMS: s.clock.Offset().Milliseconds(), LastSeq: b.LastSeq}
	if b.OldestSeq > 0 {
		h.OldestAgeS = max(0, int64(s.clock.Physical().Sub(b.OldestAt())/time.Second))
	}
	return h
}
