package session

import (
	"sync"
	"time"
)

// news wakes an endpoint's caught-up download streams after commits, at
// most once per linger. With many devices uploading, commits come every
// few milliseconds; each woke every session, and with two hundred
// sessions that was two hundred goroutines queued for the two cores at
// every commit, ahead of the ones committing and acking the next batches
// (the scheduler-latency profile of sync_200_agents). One goroutine waits
// for the ingester's commits instead, and the sessions wake together once
// per linger: a tenth of a second is nothing to a device that syncs every
// few minutes.
type news struct {
	mu   sync.Mutex
	ch   chan struct{} // closed at the next wake-up
	stop chan struct{}
	done chan struct{}
}

// startNews follows changed (ingest.Ingester.Changed: a channel closed at
// the next commit) until close.
func startNews(changed func() <-chan struct{}, linger time.Duration) *news {
	n := &news{ch: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	// Taken here, not in the goroutine: a commit between this return and
	// the goroutine's start would otherwise wake no one.
	go n.run(changed(), changed, linger)
	return n
}

// next returns a channel closed within linger of the first commit after
// this call. Trap: take it before reading the log, or a commit between
// the read and the wait is never woken for.
func (n *news) next() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *news) run(commit <-chan struct{}, changed func() <-chan struct{}, linger time.Duration) {
	defer close(n.done)
	for {
		select {
		case <-commit:
		case <-n.stop:
			return
		}
		t := time.NewTimer(linger)
		select {
		case <-t.C:
		case <-n.stop:
			t.Stop()
			return
		}
		// Taken before the wake-up: a commit after it closes this one,
		// and one before it is seen by the streams the wake-up wakes.
		commit = changed()
		n.mu.Lock()
		close(n.ch)
		n.ch = make(chan struct{})
		n.mu.Unlock()
	}
}

// close stops the goroutine and waits for it.
func (n *news) close() {
	close(n.stop)
	<-n.done
}
