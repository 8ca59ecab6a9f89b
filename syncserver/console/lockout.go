package console

import (
	"sync"
	"time"
)

// Lockout defaults: five wrong passwords for one account within fifteen
// minutes lock it for the rest of those fifteen minutes.
const (
	DefaultMaxFailures   = 5
	DefaultLockoutWindow = 15 * time.Minute
)

// lockout counts failed sign-ins per account name (known or not, so the
// lock does not reveal which names exist). It locks the name, not the
// client address: offices sit behind one NAT, and locking an address
// would lock the whole office out.
type lockout struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

func newLockout(max int, window time.Duration, now func() time.Time) *lockout {
	if max <= 0 {
		max = DefaultMaxFailures
	}
	if window <= 0 {
		window = DefaultLockoutWindow
	}
	return &lockout{max: max, window: window, now: now, failures: map[string][]time.Time{}}
}

// recent drops failures older than the window and returns those left.
// Call with l.mu held.
func (l *lockout) recentLocked(name string) []time.Time {
	cut := l.now().Add(-l.window)
	f := l.failures[name]
	i := 0
	for i < len(f) && !f[i].After(cut) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.failures, name)
		return nil
	}
	l.failures[name] = f
	return f
}

// locked reports whether the name is locked; checked before the password
// is, so a locked account refuses even the right one.
func (l *lockout) locked(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recentLocked(name)) >= l.max
}

// fail records a failed sign-in.
func (l *lockout) fail(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[name] = append(l.recentLocked(name), l.now())
}

// succeed forgets the failures of a name after a good sign-in.
func (l *lockout) succeed(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, name)
}
