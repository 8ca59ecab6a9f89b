package schema

import (
	"fmt"
	"sync"
	"time"
)

// Stamp is a hybrid logical clock stamp: the physical time in milliseconds
// since the Unix epoch in the high 48 bits and a logical counter in the low
// 16. Packing both into one integer makes stamps compare with < and encode
// in at most nine CBOR bytes.
type Stamp uint64

const counterBits = 16
const counterMask = 1<<counterBits - 1

// MakeStamp builds a stamp from its parts.
func MakeStamp(ms int64, counter uint16) Stamp {
	return Stamp(uint64(ms)<<counterBits | uint64(counter))
}

// Millis returns the physical part in Unix milliseconds.
func (s Stamp) Millis() int64 { return int64(s >> counterBits) }

// Counter returns the logical part.
func (s Stamp) Counter() uint16 { return uint16(s & counterMask) }

// Time returns the physical part as a time.
func (s Stamp) Time() time.Time { return time.UnixMilli(s.Millis()) }

// String formats the stamp for logs: RFC 3339 time plus counter.
func (s Stamp) String() string {
	return fmt.Sprintf("%s+%d", s.Time().UTC().Format("2006-01-02T15:04:05.000Z"), s.Counter())
}

// Clock is a hybrid logical clock. Every stamp it issues is greater than
// every stamp it issued or observed before, whatever the wall clock does, so
// causality holds even when a laptop's clock jumps backwards. Offset corrects
// the wall clock by what the server last said it was off by, so a site whose
// clock runs days ahead does not win every conflict.
type Clock struct {
	mu     sync.Mutex
	now    func() time.Time
	offset time.Duration
	last   Stamp
}

// NewClock returns a clock reading now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// SetOffset sets the correction added to the wall clock: server time minus
// local time, as learned at sync.
func (c *Clock) SetOffset(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

// Offset returns the current correction.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Physical returns the corrected wall time.
func (c *Clock) Physical() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now().Add(c.offset)
}

// Now issues a new stamp.
func (c *Clock) Now() Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().Add(c.offset).UnixMilli()
	// A clock set before 1970 (a dead CMOS battery) would wrap to a stamp
	// in the far future through the uint64 conversion and pin the clock
	// there; treat it as the epoch and let the counter advance.
	wall = max(wall, 0)
	if wall > c.last.Millis() {
		c.last = MakeStamp(wall, 0)
	} else {
		c.last = c.bump(c.last)
	}
	return c.last
}

// Observe folds a stamp seen from elsewhere (a downloaded change, a stored
// record) into the clock, so later stamps are greater than it.
func (c *Clock) Observe(s Stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s > c.last {
		c.last = s
	}
}

// Last returns the greatest stamp issued or observed.
func (c *Clock) Last() Stamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// ResetLast forgets stamps issued so far and restarts from s. The agent uses
// it after the server refused its stamps as too far ahead: only then may the
// clock issue stamps below ones it issued before, because those were never
// accepted anywhere.
func (c *Clock) ResetLast(s Stamp) {
	c.mu.Lock()
	c.last = s
	c.mu.Unlock()
}

// bump advances the counter, carrying into the physical part when it
// overflows so stamps stay strictly increasing.
func (c *Clock) bump(s Stamp) Stamp {
	if s.Counter() == counterMask {
		return MakeStamp(s.Millis()+1, 0)
	}
	return s + 1
}
