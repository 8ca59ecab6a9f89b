package syncclient

import (
	"sync"

	"laoxiao/agent"
)

// releaser deletes acked changes from the outbox on its own goroutine.
// Asks that arrive while a release runs are merged into one, so a fast
// stream of acks costs a few large releases rather than one per batch.
// Parking a refused change happens before the release that covers it is
// asked for, so no refused change is deleted unparked.
type releaser struct {
	st       *agent.Store
	kick     chan struct{}
	quit     chan struct{}
	finished chan struct{}
	once     sync.Once

	mu         sync.Mutex
	want, done uint64
	failed     error
}

func startReleaser(st *agent.Store, done uint64) *releaser {
	r := &releaser{st: st, kick: make(chan struct{}, 1), quit: make(chan struct{}), finished: make(chan struct{}),
		want: done, done: done}
	go r.run()
	return r
}

// releaseStep is how many acked changes may wait in the outbox before a
// release starts during a sync (the rest go when it ends). A release
// walks the outbox from its start, past the entries deleted before, so
// releasing after every batch would cost time quadratic in the backlog.
// Acked changes still queued when a device crashes are resent and
// answered as duplicates, which is cheap and safe.
const releaseStep = 5000

// upTo asks for every change up to seq to be released.
func (r *releaser) upTo(seq uint64) {
	r.mu.Lock()
	r.want = max(r.want, seq)
	due := r.want-r.done >= releaseStep
	r.mu.Unlock()
	if !due {
		return
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// err returns the error of a failed release, if any.
func (r *releaser) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// finish completes every release asked for and stops the goroutine.
func (r *releaser) finish() error {
	r.once.Do(func() { close(r.quit) })
	<-r.finished
	return r.err()
}

func (r *releaser) run() {
	defer close(r.finished)
	for {
		select {
		case <-r.kick:
		case <-r.quit:
			r.release()
			return
		}
		if !r.release() {
			return
		}
	}
}

// release releases up to the latest ask; false once a release failed.
func (r *releaser) release() bool {
	r.mu.Lock()
	want, done, failed := r.want, r.done, r.failed
	r.mu.Unlock()
	if failed != nil {
		return false
	}
	if want <= done {
		return true
	}
	err := r.st.Release(want)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failed = err
		return false
	}
	r.done = want
	return true
}
