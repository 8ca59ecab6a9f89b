package schema

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// fakeWall is a wall clock the test moves by hand.
type fakeWall struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeWall) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeWall) set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}
func (f *fakeWall) add(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func TestStampParts(t *testing.T) {
	for _, tc := range []struct {
		ms int64
		c  uint16
	}{{0, 0}, {1, 1}, {t0.UnixMilli(), 0}, {t0.UnixMilli(), 0xffff}, {1<<47 - 1, 42}} {
		s := MakeStamp(tc.ms, tc.c)
		if s.Millis() != tc.ms || s.Counter() != tc.c {
			t.Errorf("MakeStamp(%d, %d) = %d: parts %d, %d", tc.ms, tc.c, s, s.Millis(), s.Counter())
		}
	}
	if got := MakeStamp(t0.UnixMilli(), 3).String(); got != "2025-03-14T09:26:53.000Z+3" {
		t.Errorf("String() = %q", got)
	}
	// Ordering by integer is ordering by (physical, counter).
	if !(MakeStamp(5, 0xffff) < MakeStamp(6, 0)) {
		t.Error("stamps do not order by physical time first")
	}
}

func TestClockStrictlyIncreases(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w := &fakeWall{t: t0}
	c := NewClock(w.now)
	last := c.Now()
	for i := 0; i < 20000; i++ {
		switch rng.IntN(4) {
		case 0: // wall clock stands still
		case 1:
			w.add(time.Duration(rng.IntN(5)) * time.Millisecond)
		case 2:
			w.add(-time.Duration(rng.IntN(1000)) * time.Millisecond)
		case 3:
			w.add(time.Duration(rng.IntN(3)) * time.Second)
		}
		s := c.Now()
		if s <= last {
			t.Fatalf("step %d: stamp %v not after %v", i, s, last)
		}
		last = s
	}
}

func TestClockWallJumpsBackwards(t *testing.T) {
	w := &fakeWall{t: t0}
	c := NewClock(w.now)
	before := c.Now()
	w.add(-5 * time.Hour) // the user "fixes" the clock, or the battery dies
	var prev = before
	for i := 0; i < 1000; i++ {
		s := c.Now()
		if s <= prev {
			t.Fatalf("after the jump, stamp %v not after %v", s, prev)
		}
		if s.Millis() < before.Millis() {
			t.Fatalf("stamp %v went back in physical time below %v", s, before)
		}
		prev = s
	}
	// Once the wall clock passes the old time again, the physical part
	// follows it and the counter restarts.
	w.set(t0.Add(time.Second))
	if s := c.Now(); s != MakeStamp(t0.Add(time.Second).UnixMilli(), 0) {
		t.Errorf("after the wall clock caught up: %v", s)
	}
}

func TestClockObserveCausality(t *testing.T) {
	w := &fakeWall{t: t0}
	for _, tc := range []struct {
		name     string
		observed Stamp
	}{
		{"remote far ahead", MakeStamp(t0.Add(72*time.Hour).UnixMilli(), 7)},
		{"remote same ms, higher counter", MakeStamp(t0.UnixMilli(), 900)},
		{"remote with maxed counter", MakeStamp(t0.Add(time.Minute).UnixMilli(), 0xffff)},
		{"remote in the past", MakeStamp(t0.Add(-time.Hour).UnixMilli(), 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(w.now)
			mine := c.Now()
			c.Observe(tc.observed)
			s := c.Now()
			if s <= tc.observed || s <= mine {
				t.Errorf("stamp %v after observing %v (and issuing %v)", s, tc.observed, mine)
			}
			if c.Last() != s {
				t.Errorf("Last() = %v, want %v", c.Last(), s)
			}
		})
	}
}

func TestClockCounterOverflowCarries(t *testing.T) {
	w := &fakeWall{t: t0}
	c := NewClock(w.now)
	ms := t0.UnixMilli()
	c.ResetLast(MakeStamp(ms, 0xfffe))
	if s := c.Now(); s != MakeStamp(ms, 0xffff) {
		t.Fatalf("got %v, want counter 0xffff", s)
	}
	s := c.Now()
	if s != MakeStamp(ms+1, 0) {
		t.Fatalf("overflow gave %v (ms %d counter %d), want ms %d counter 0", s, s.Millis(), s.Counter(), ms+1)
	}
	// Thousands of stamps within one frozen millisecond keep increasing
	// across several carries.
	prev := s
	for i := 0; i < 3*65536; i++ {
		n := c.Now()
		if n <= prev {
			t.Fatalf("stamp %d: %v not after %v", i, n, prev)
		}
		prev = n
	}
	if prev.Millis() < ms+3 {
		t.Errorf("after 3×65536 stamps the physical part is %d, want at least %d", prev.Millis(), ms+3)
	}
}

func TestClockOffset(t *testing.T) {
	w := &fakeWall{t: t0}
	for _, off := range []time.Duration{0, 90 * time.Second, 3 * 24 * time.Hour, -2 * time.Hour} {
		c := NewClock(w.now)
		c.SetOffset(off)
		if c.Offset() != off {
			t.Errorf("Offset() = %v, want %v", c.Offset(), off)
		}
		if got, want := c.Physical(), t0.Add(off); !got.Equal(want) {
			t.Errorf("offset %v: Physical() = %v, want %v", off, got, want)
		}
		if s := c.Now(); s.Millis() != t0.Add(off).UnixMilli() || s.Counter() != 0 {
			t.Errorf("offset %v: Now() = %v, want physical %v", off, s, t0.Add(off))
		}
	}
	// Lowering the offset later (the server said the site runs ahead)
	// still never issues a smaller stamp: causality beats correction.
	c := NewClock(w.now)
	c.SetOffset(time.Hour)
	high := c.Now()
	c.SetOffset(0)
	if s := c.Now(); s <= high {
		t.Errorf("after lowering the offset, %v not after %v", s, high)
	}
	// Only ResetLast, used after the server refused the stamps, lets the
	// clock come back down to corrected time.
	c.ResetLast(0)
	if s := c.Now(); s != MakeStamp(t0.UnixMilli(), 0) {
		t.Errorf("after ResetLast, Now() = %v, want %v", s, MakeStamp(t0.UnixMilli(), 0))
	}
}

func TestClockBefore1970(t *testing.T) {
	w := &fakeWall{t: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)}
	c := NewClock(w.now)
	a, b := c.Now(), c.Now()
	if a.Millis() != 0 || b <= a {
		t.Errorf("a wall clock before 1970 gave %v then %v", a, b)
	}
}

func TestClockConcurrent(t *testing.T) {
	c := NewClock(nil)
	const workers, each = 4, 2000
	out := make(chan Stamp, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if i%100 == 0 {
					c.Observe(c.Last())
				}
				out <- c.Now()
			}
		}()
	}
	wg.Wait()
	close(out)
	seen := map[Stamp]bool{}
	for s := range out {
		if seen[s] {
			t.Fatalf("stamp %v issued twice", s)
		}
		seen[s] = true
	}
}
