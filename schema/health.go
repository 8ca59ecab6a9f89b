package schema

import (
	"runtime/debug"
	"time"
)

// Health is a device's own sync state, carried in every Hello so an office
// sees which townships are behind, and why, without phoning them. The
// server keeps the latest per device. It describes the device at the
// hello, before that session's uploads: LastSeq lets the server tell how
// much of it the session then handled (a mark at or past LastSeq means
// everything that waited at the hello has been accepted or refused).
type Health struct {
	// Waiting is the number of changes in the outbox, not yet acked.
	Waiting int `cbor:"1,keyasint"`
	// OldestAgeS is how long, in seconds, the oldest of them has waited
	// (by the device's corrected clock); 0 when none waits.
	OldestAgeS int64 `cbor:"2,keyasint"`
	// Parked is the number of changes the server refused that the user
	// has neither corrected and re-sent nor discarded.
	Parked int `cbor:"3,keyasint"`
	// ClockOffsetMS is the correction the device applies to its own clock
	// (server minus device, as last learned): how wrong the computer's
	// clock is.
	ClockOffsetMS int64 `cbor:"4,keyasint"`
	// LastSeq is the device's last issued sequence number.
	LastSeq uint64 `cbor:"5,keyasint"`
}

// OldestAge returns OldestAgeS as a duration.
func (h Health) OldestAge() time.Duration { return time.Duration(h.OldestAgeS) * time.Second }

// BuildVersion names the running binary for Hello.AppVersion and logs:
// the module's version when it has one, else the commit it was built from
// (with "+dirty" for uncommitted changes), else "dev".
func BuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}
