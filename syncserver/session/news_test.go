package session

import (
	"sync"
	"testing"
	"time"
)

// commits stands in for the ingester's Changed: a channel closed at the
// next commit.
type commits struct {
	mu sync.Mutex
	ch chan struct{}
}

func (c *commits) changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ch
}

func (c *commits) commit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.ch)
	c.ch = make(chan struct{})
}

// TestNewsWakesAfterEveryCommit: whatever the timing, a commit after a
// stream took next() wakes that stream, within the linger, and commits in
// one linger wake it once.
func TestNewsWakesAfterEveryCommit(t *testing.T) {
	c := &commits{ch: make(chan struct{})}
	const linger = 5 * time.Millisecond
	n := startNews(c.changed, linger)
	defer n.close()
	for round := 0; round < 200; round++ {
		ch := n.next()
		select {
		case <-ch:
			continue // woken by the round before's commits: take it again
		default:
		}
		// Sometimes at once, sometimes while the goroutine lingers.
		if round%3 == 0 {
			time.Sleep(time.Duration(round%7) * time.Millisecond)
		}
		c.commit()
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: a commit after next() woke nothing", round)
		}
	}
}

func TestNewsCloseStops(t *testing.T) {
	c := &commits{ch: make(chan struct{})}
	n := startNews(c.changed, time.Hour)
	c.commit() // the goroutine now lingers an hour
	done := make(chan struct{})
	go func() { n.close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("close did not stop a lingering news goroutine")
	}
}
