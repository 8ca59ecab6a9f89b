package ingest

import (
	"sync"
	"time"
)

// Turns decides which devices upload now (schema.FeatureTurns). Windows
// (flow.go) share what the writer commits in one group latency among the
// devices uploading, but never below minWindow each: with two hundred
// devices that is thousands of changes in flight, and a batch waits
// behind all of them. Turns keep what is in flight to what the writer
// makes durable within Options.TurnWait instead, by making devices wait
// before they send rather than after: a device asks (schema.Ask), and is
// granted (schema.Grant) at most turnQuantum changes once what the
// devices hold granted and uncommitted leaves room, in the order they
// asked. A device that wants more asks again and goes behind those
// already waiting, so every device gets its turn and none waits behind
// another's whole backlog.
//
// A grant is never split to fill the room left: a device granted a
// sliver would send a sliver, and the cost of a batch (its outbox read,
// frame, ack and release) would eat the throughput. A device asking
// alone, with nothing of anyone else's in flight, is granted whatever the
// room: no one waits behind it, and a lone device keeps several batches
// in flight as it did with windows (one at a time cost a fifth of
// sync_e2e). The next device to ask then waits for what it holds to fall
// below the capacity.
type Turns struct {
	target      time.Duration // the wait a batch should stay under
	quantum     int
	least, most int // the capacity's bounds

	mu       sync.Mutex
	capacity int       // changes that may be held at once (see Done)
	held     int       // granted and not yet committed, over all holders
	queue    []*Holder // holders asking, first asked first
}

// turnQuantum is the most one grant gives: one full upload batch (the
// client's maxUploadBatch), so a device with much to send sends it in
// full batches, asking again after each.
const turnQuantum = 500

// The capacity stays between minCapacity and maxCapacity quanta.
//
// At the least, a full grant and half of another, so two devices with
// little to send each (the common case: a township's day of edits) still
// upload side by side. At the most, what the default
// Options.MaxGroupChanges holds, so a long run of quick commits does not
// grow it past what a burst of slow ones shrinks back soon.
const (
	minCapacity = 1.5
	maxCapacity = 16
)

func newTurns(target time.Duration, quantum int) *Turns {
	return &Turns{target: target, quantum: quantum, capacity: 2 * quantum,
		least: int(minCapacity * float64(quantum)), most: maxCapacity * quantum}
}

// Holder is one session's place in the turns. Its methods are safe for
// concurrent use; a holder that left asks and holds nothing.
type Holder struct {
	t     *Turns
	ready chan struct{} // a token whenever granted grows

	// Under t.mu.
	want    int  // asked and not granted; > 0 while in t.queue
	held    int  // granted and not yet committed
	granted int  // granted and not yet taken (Take)
	gone    bool // left
}

// Join adds a session. It must Leave when it ends, or what it holds is
// never handed out again.
func (t *Turns) Join() *Holder {
	return &Holder{t: t, ready: make(chan struct{}, 1)}
}

// Ask puts the holder in line for a grant of up to n changes (n ≥ 1),
// behind every holder already asking; a holder already in line keeps its
// place and asks for n instead.
func (h *Holder) Ask(n int) {
	t := h.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if h.gone || n < 1 {
		return
	}
	if h.want == 0 {
		t.queue = append(t.queue, h)
	}
	h.want = n
	t.dispatch()
}

// Held returns the changes granted and not yet answered, over every
// session: 0 once every session ended, whatever became of their links.
func (t *Turns) Held() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.held
}

// Ready has a token when a grant came since the last Take.
func (h *Holder) Ready() <-chan struct{} { return h.ready }

// Take returns the changes granted since the last Take (0 if none): the
// session tells the device.
func (h *Holder) Take() int {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	n := h.granted
	h.granted = 0
	return n
}

// Done says n changes the holder was granted are answered (committed,
// refused or found duplicate), waited is how long their batch took from
// arriving to being durable: their room goes to whoever asks next.
// Changes beyond what it holds (a device sending what it was not
// granted; the session refuses that) count for nothing.
//
// The capacity follows the waits, as TCP's window follows losses: a wait
// over the target shrinks it by an eighth, one under it grows it by about
// a quantum per capacity's worth of changes answered. What a group costs
// depends on the disk, on what else the machine runs, and on the
// devices' own work between batches; the waits measure all of it.
func (h *Holder) Done(n int, waited time.Duration) {
	t := h.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if waited > t.target {
		t.capacity = max(t.least, t.capacity-t.capacity/8)
	} else {
		t.capacity = min(t.most, t.capacity+max(1, n*t.quantum/t.capacity))
	}
	n = min(n, h.held)
	h.held -= n
	t.held -= n
	t.dispatch()
}

// Leave ends the holder's turn: it leaves the line and what it holds goes
// back, whatever it sent. Call it once the session's batches are
// answered: one still being committed no longer counts against the room.
func (h *Holder) Leave() {
	t := h.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if h.gone {
		return
	}
	h.gone = true
	if h.want > 0 {
		for i, q := range t.queue {
			if q == h {
				t.queue = append(t.queue[:i], t.queue[i+1:]...)
				break
			}
		}
		h.want = 0
	}
	t.held -= h.held
	h.held = 0
	t.dispatch()
}

// dispatch grants the holders in line while there is room. Called under
// t.mu.
func (t *Turns) dispatch() {
	capacity := t.capacity
	for len(t.queue) > 0 {
		h := t.queue[0]
		g := min(h.want, t.quantum)
		if t.held+g > capacity && !(len(t.queue) == 1 && t.held == h.held) {
			return
		}
		t.queue = t.queue[1:]
		h.want = 0
		h.held += g
		h.granted += g
		t.held += g
		select {
		case h.ready <- struct{}{}:
		default: // a token is waiting already; Take returns all
		}
	}
}
