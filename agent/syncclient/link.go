package syncclient

import (
	"errors"
	"sync"

	"laoxiao/schema"
)

// Download page sizes a device asks for once its link broke mid-download
// (schema.Hello.PageBytes). The first break asks for firstPageBytes, each
// further one for half as much down to minPageBytes; pages double again
// after a session that caught up, and past firstPageBytes the device stops
// asking (the server's own budget applies, and servers older than the
// field are not sent it).
const (
	firstPageBytes = 64 << 10
	minPageBytes   = 512
)

// linkSizes is what a Client learned about its link: how many changes an
// upload batch carries and how large a download page it asks for. It
// outlives sessions, so a Run loop on a link that breaks every few
// kilobytes keeps its small batches from one connection to the next
// instead of relearning them; a new process starts large again.
//
// Uploads: a connection that breaks with batches unacked halves the batch
// (down to one change), every ack doubles it (up to the server's and the
// client's maximum). The server keeps every batch that reached it whole,
// acked or not, so progress needs only one batch to fit between breaks.
type linkSizes struct {
	mu    sync.Mutex
	batch int // changes per upload; 0: never broke, the maximum
	page  int // download page bytes asked for; 0: never broke, the server's
}

// batchSize is the changes the next upload batch may carry, at most max.
func (l *linkSizes) batchSize(max int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.batch == 0 {
		return max
	}
	return min(l.batch, max)
}

// acked grows the batch after an ack: the link carried a whole batch.
func (l *linkSizes) acked(max int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.batch != 0 {
		l.batch = min(2*l.batch, max)
	}
}

// uploadBroke halves the batch after a connection broke before the acks
// of the batches in flight arrived.
func (l *linkSizes) uploadBroke(max int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := max
	if l.batch != 0 {
		cur = min(l.batch, max)
	}
	l.batch = (cur + 1) / 2
}

// pageBytes is the page size to ask for in the hello; 0 asks for none.
func (l *linkSizes) pageBytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.page
}

// downloadBroke halves the page after a connection broke before the
// download caught up and before pages got through.
func (l *linkSizes) downloadBroke() {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.page == 0:
		l.page = firstPageBytes
	default:
		l.page = max(minPageBytes, l.page/2)
	}
}

// caughtUp grows the page after a session drained the download.
func (l *linkSizes) caughtUp() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.page != 0 {
		if l.page *= 2; l.page > firstPageBytes {
			l.page = 0
		}
	}
}

// brokenLink marks the failure of a read or write on the connection
// itself, as opposed to the server's refusal or a local failure: only a
// broken link says the frames were too large for it.
type brokenLink struct{ err error }

func (e brokenLink) Error() string { return e.err.Error() }
func (e brokenLink) Unwrap() error { return e.err }

// linkBroke reports whether err is a broken connection.
func linkBroke(err error) bool {
	var b brokenLink
	var refused *schema.Error
	return errors.As(err, &b) && !errors.As(err, &refused)
}

// learnFromBreak adapts the link sizes after a session that failed with
// err. Nothing is learned from a break before the welcome (no batch or
// page was under way). The page shrinks only when fewer than two pages got
// through: pages that arrive whole are small enough, however the link
// breaks between them.
func (s *session) learnFromBreak(err error) {
	if !linkBroke(err) || s.rel == nil || s.ctx.Err() != nil {
		return
	}
	if len(s.queue) > 0 {
		s.c.link.uploadBroke(s.maxBatch)
	}
	if !s.caughtUp && s.pages < 2 {
		s.c.link.downloadBroke()
	}
}
