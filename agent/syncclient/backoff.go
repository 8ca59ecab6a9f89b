package syncclient

import (
	"math/rand/v2"
	"time"
)

// Default bounds of Run's wait after a failed attempt.
const (
	defaultMinBackoff = time.Second
	defaultMaxBackoff = 5 * time.Minute
)

// backoff is Run's wait between failed attempts. It doubles after each
// failure that made no progress, from min up to max, and falls back to min
// after any attempt — failed or not — that advanced the server's mark for
// this device or the download cursor. A rural link that drops every few
// kilobytes but gets a batch or a page through on each connection is
// working: punishing it with minutes between attempts would turn a sync of
// minutes into one of hours, while a server that is down or refuses makes
// no progress and still backs off to max.
type backoff struct {
	min, max time.Duration
	cur      time.Duration // the wait after the next failure
	// The furthest mark and cursor seen: an attempt beyond them advanced.
	mark, cursor uint64
}

func newBackoff(lo, hi time.Duration) *backoff {
	if lo <= 0 {
		lo = defaultMinBackoff
	}
	if hi < lo {
		hi = max(lo, defaultMaxBackoff)
	}
	return &backoff{min: lo, max: hi, cur: lo}
}

// after takes an attempt's outcome — failed or not, and the server's mark
// and the store's cursor after it — and returns the wait before the next
// attempt, without jitter; 0 after a success (Run then waits its
// interval). A mark of 0 (the attempt never reached the welcome) is no
// progress and forgets nothing.
func (b *backoff) after(failed bool, mark, cursor uint64) time.Duration {
	advanced := mark > b.mark || cursor > b.cursor
	b.mark, b.cursor = max(b.mark, mark), max(b.cursor, cursor)
	if !failed || advanced {
		b.cur = b.min
	}
	if !failed {
		return 0
	}
	wait := b.cur
	b.cur = min(2*b.cur, b.max)
	return wait
}

// jitter spreads d over [d/2, d], so a hundred townships coming back
// online do not all retry in the same second.
func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }
