package syncclient

import "sync/atomic"

// initialWindow is the changes a new client has unacked before its first
// ack (TCP's slow start): a device does not know yet how many others
// upload with it, and two hundred devices opening with full batches at
// once would make each of those first batches wait for all the others.
// Every ack widens it by the changes acked (doubling it per round trip),
// up to the server's window, so a lone device reaches full batches within
// a few acks. What it grew to outlives the session (grownWindow): the
// server's window in the next welcome says how busy it is then.
const initialWindow = 16

// grownWindow is what slow start has grown a client's window to; 0 before
// the first ack.
type grownWindow struct{ n atomic.Int64 }

func (g *grownWindow) get() int {
	if n := g.n.Load(); n > 0 {
		return int(n)
	}
	return initialWindow
}

// window is how many changes a session may have unacked: the smaller of
// what the server last advised (schema.Welcome.Window, schema.Ack.Window:
// its share for each device uploading now) and what slow start has grown
// to.
type window struct {
	// server is 0 when the server gives none (an older one, or one that
	// wants full batches): then neither it nor slow start limits the
	// upload, as before windows.
	server int
	grown  *grownWindow
}

// limit returns the changes the session may have unacked; at most most.
func (w *window) limit(most int) int {
	if w.server <= 0 {
		return most
	}
	return max(1, min(w.grown.get(), most, w.server))
}

// acked widens the window after an ack of n changes that advised server
// (0: no advice in this ack), growing it to most at the most.
func (w *window) acked(n, server, most int) {
	w.grown.n.Store(int64(min(w.grown.get()+n, most)))
	if server > 0 {
		w.server = server
	}
}

// unacked is the changes in flight.
func (s *session) unacked() int {
	n := 0
	for _, b := range s.queue {
		n += b.len()
	}
	return n
}
