package ingest

// backlog holds the batches the writer has taken off its queue but not
// yet put in a group, one FIFO per device, and hands them out round-robin:
// a group takes one batch from each device with batches waiting before it
// takes a second from any, so a device with a deep pipeline (or an old
// client ignoring its window) fills the groups only after every other
// device had its turn. A device's batches always leave in the order they
// came, which their sequence numbers need.
type backlog struct {
	queues map[string][]*request
	ring   []string // devices with batches waiting, next to serve first
}

func newBacklog() *backlog { return &backlog{queues: map[string][]*request{}} }

func (b *backlog) add(r *request) {
	d := r.acct.Device
	if len(b.queues[d]) == 0 {
		b.ring = append(b.ring, d)
	}
	b.queues[d] = append(b.queues[d], r)
}

func (b *backlog) empty() bool { return len(b.ring) == 0 }

// take returns the next group: batches round-robin over the devices
// until the group holds maxChanges changes or maxBytes estimated bytes
// (always at least one batch).
func (b *backlog) take(maxChanges, maxBytes int) []*request {
	var group []*request
	n, size := 0, 0
	for len(b.ring) > 0 && (len(group) == 0 || (n < maxChanges && size < maxBytes)) {
		d := b.ring[0]
		q := b.queues[d]
		r := q[0]
		if len(group) > 0 && (n+len(r.up.Changes) > maxChanges || size+r.size > maxBytes) {
			// The next batch would overfill the group; it leads the next
			// one instead, ahead of the devices after it.
			break
		}
		group = append(group, r)
		n += len(r.up.Changes)
		size += r.size
		b.ring = b.ring[1:]
		if q = q[1:]; len(q) > 0 {
			b.queues[d] = q
			b.ring = append(b.ring, d)
		} else {
			delete(b.queues, d)
		}
	}
	return group
}

// all removes and returns every batch waiting.
func (b *backlog) all() []*request {
	var out []*request
	for _, d := range b.ring {
		out = append(out, b.queues[d]...)
	}
	b.queues, b.ring = map[string][]*request{}, nil
	return out
}
