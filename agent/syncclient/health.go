package syncclient

import (
	"fmt"
	"time"

	"laoxiao/schema"
)

// health is the device's state for the hello: what waits, for how long,
// what the server refused and nobody fixed, and how wrong the clock is.
// The server keeps it so the county sees a township falling behind.
func (s *session) health() (*schema.Health, error) {
	st, err := s.st.Status()
	if err != nil {
		return nil, fmt.Errorf("device health: %w", err)
	}
	h := &schema.Health{Waiting: st.Outbox, Parked: st.Parked, ClockOffsetMS: st.ClockOffset.Milliseconds(), LastSeq: st.LastSeq}
	if st.OldestSeq > 0 {
		h.OldestAgeS = max(0, int64(s.clock.Physical().Sub(st.OldestAt())/time.Second))
	}
	return h, nil
}
