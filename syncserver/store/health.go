package store

import (
	"time"

	"laoxiao/schema"
)

// Health is a device's latest report of its own state (schema.Health, from
// its hello), with what it said it runs and when the server heard it.
type Health struct {
	Report     schema.Health `cbor:"1,keyasint"`
	AppVersion string        `cbor:"2,keyasint"`
	At         time.Time     `cbor:"3,keyasint"` // server time of the hello
}

// Waiting returns how many of the changes the device held at the hello
// still wait, given the server's mark for it now: none once the mark has
// reached the device's last sequence at the hello (they were accepted or
// refused, and the refused ones are parked), else the reported count.
// Changes made after the hello are unknown until the next one.
func (h Health) Waiting(m Mark) int {
	if h.Report.Waiting == 0 || m.HighWater >= h.Report.LastSeq {
		return 0
	}
	return h.Report.Waiting
}

// OldestUnsynced returns when the oldest change still waiting (see
// Waiting) was made, or the zero time when none waits.
func (h Health) OldestUnsynced(m Mark) time.Time {
	if h.Waiting(m) == 0 {
		return time.Time{}
	}
	return h.At.Add(-h.Report.OldestAge())
}

// MaxWait is how long a change may wait on a device before offices see the
// township flagged as behind.
const MaxWait = 7 * 24 * time.Hour

// Behind reports whether a change has waited on the device for more than
// MaxWait at now, or the device carries refusals nobody fixed: the two
// things an office must chase.
func (h Health) Behind(m Mark, now time.Time) bool {
	old := h.OldestUnsynced(m)
	return (!old.IsZero() && now.Sub(old) > MaxWait) || h.Report.Parked > 0
}
