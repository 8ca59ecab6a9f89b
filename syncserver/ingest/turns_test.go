package ingest

import (
	"testing"
	"time"
)

// granted returns what h was granted since the last call, and whether
// its Ready channel said so.
func granted(h *Holder) (n int, signalled bool) {
	select {
	case <-h.Ready():
		signalled = true
	default:
	}
	return h.Take(), signalled
}

func TestTurnsGrantInOrderWithinCapacity(t *testing.T) {
	const fast = time.Millisecond
	tu := newTurns(10*time.Millisecond, 500) // capacity starts at 1000
	a, b, c := tu.Join(), tu.Join(), tu.Join()
	a.Ask(800)
	b.Ask(300)
	c.Ask(500)
	if n, ok := granted(a); n != 500 || !ok {
		t.Fatalf("first asker granted %d (signalled %v), want a quantum of 500", n, ok)
	}
	if n, _ := granted(b); n != 300 {
		t.Fatalf("second asker granted %d, want the 300 it asked for (800 held of 1000)", n)
	}
	if n, ok := granted(c); n != 0 || ok {
		t.Fatalf("third asker granted %d with 800 of 1000 held, want to wait: a grant is not split", n)
	}
	// a wants more and asks again: behind c, who asked first.
	a.Ask(300)
	b.Done(300, fast)
	if n, _ := granted(c); n != 500 {
		t.Fatalf("after b's commit c was granted %d, want 500", n)
	}
	if n, _ := granted(a); n != 0 {
		t.Fatalf("a was granted %d before c's turn ended, want 0", n)
	}
	a.Done(500, fast)
	if n, _ := granted(a); n != 300 {
		t.Fatalf("a's second ask granted %d, want 300", n)
	}
}

func TestTurnsLeaveReturnsWhatWasHeld(t *testing.T) {
	tu := newTurns(10*time.Millisecond, 500)
	a, b, c := tu.Join(), tu.Join(), tu.Join()
	a.Ask(500)
	b.Ask(500)
	c.Ask(500)
	granted(a)
	granted(b)
	c.Leave() // gives up its place in line
	b.Leave() // gives back the 500 it held, sent or not
	if tu.held != 500 {
		t.Fatalf("held %d after b left, want a's 500", tu.held)
	}
	if n, _ := granted(c); n != 0 {
		t.Fatalf("c was granted %d after it left", n)
	}
	c.Ask(10)
	if n, _ := granted(c); n != 0 {
		t.Fatalf("c asked after it left and was granted %d", n)
	}
	// Done past what it holds (a device that sent more than granted)
	// frees no one else's room.
	a.Done(900, time.Millisecond)
	if tu.held != 0 {
		t.Fatalf("held %d, want 0", tu.held)
	}
}

func TestTurnsLoneAskerGoesWhateverTheRoom(t *testing.T) {
	tu := newTurns(10*time.Millisecond, 5000)
	a, b := tu.Join(), tu.Join() // the capacity starts at 10000
	a.Ask(4000)
	if n, _ := granted(a); n != 4000 {
		t.Fatalf("granted %d with nothing held, want 4000", n)
	}
	for i := 0; i < 3; i++ {
		a.Ask(4000)
	}
	if n, _ := granted(a); n != 12000 {
		t.Fatalf("a lone device holding 4000 was granted %d more, want 12000 past the capacity of 10000: no one waits behind it", n)
	}
	b.Ask(100)
	a.Ask(4000)
	if n, _ := granted(b); n != 0 {
		t.Fatalf("b was granted %d with 16000 held of 10000, want to wait", n)
	}
	a.Done(8000, time.Second) // slow: the capacity shrinks to 8750
	if n, _ := granted(b); n != 100 {
		t.Fatalf("b was granted %d once the room was back, want 100", n)
	}
	if n, _ := granted(a); n != 0 {
		t.Fatalf("a was granted %d past the capacity with b holding, want to wait", n)
	}
}

func TestTurnsCapacityFollowsTheWaits(t *testing.T) {
	tu := newTurns(10*time.Millisecond, 500)
	a := tu.Join()
	start := tu.capacity
	for i := 0; i < 20; i++ {
		a.Ask(100)
		granted(a)
		a.Done(100, 50*time.Millisecond)
	}
	if tu.capacity != tu.least {
		t.Fatalf("capacity %d after slow commits, want it shrunk to %d (from %d)", tu.capacity, tu.least, start)
	}
	for i := 0; i < 200; i++ {
		a.Ask(500)
		granted(a)
		a.Done(500, time.Millisecond)
	}
	if tu.capacity <= 2*tu.least {
		t.Fatalf("capacity %d after quick commits, want it grown", tu.capacity)
	}
	for i := 0; i < 10000; i++ {
		a.Ask(500)
		granted(a)
		a.Done(500, time.Millisecond)
	}
	if tu.capacity != 16*500 {
		t.Fatalf("capacity %d, want it capped at %d", tu.capacity, 16*500)
	}
}
