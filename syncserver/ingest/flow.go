package ingest

import (
	"sync/atomic"
	"time"
)

// Flow control. A batch is acked only once durable, so its latency is the
// time it waits for the group ahead of it plus its own group's commit.
// The writer's group commit takes every batch waiting (round-robin over
// the devices, up to Options.MaxGroupChanges): the more devices upload,
// the more one fsync carries. What bounds the latency is what waits: each
// device is told a window, the changes it may have unacked (Window, sent
// in every ack to devices that speak schema.FeatureWindow). The windows
// together hold pipelineDepth budgets, a budget being what the writer
// makes durable in Options.GroupLatency at the cost per change it
// measured (perChange), shared equally over the devices uploading now; so
// a batch waits for about one group whatever the number of devices, and
// each device gets the same share.
//
// A lone device gets full batches several in flight; two hundred get
// minWindow each: below that the cost of a batch (its frame, its outbox
// read, its ack) outweighs what a shorter wait gains, so with many
// devices the latency is about devices × minWindow / throughput. Old
// clients ignore windows: the round-robin of the backlog (schedule.go)
// keeps them from crowding others out.
type flow struct {
	latency   time.Duration
	maxGroup  int
	perChange atomic.Int64 // ns per change, as measured (EWMA)
	window    atomic.Int64
	uploading atomic.Int64         // devices that uploaded within activeFor
	seen      map[string]time.Time // writer goroutine only
}

const (
	// initialPerChange is the cost per change assumed before a group
	// large enough to measure it has committed.
	initialPerChange = 40 * time.Microsecond
	// minBudget is the least budget, and the least group the cost per
	// change is measured from: in smaller ones the commit's fixed cost
	// (the fsync) dominates.
	minBudget = 256
	// pipelineDepth is how many groups the devices' windows hold together:
	// one being committed, one being validated, and two on their way (a
	// device sends its next batch only after an ack's round trip), so
	// the writer never waits for a device's next batch.
	pipelineDepth = 4
	// minWindow is the least a device is told it may have in flight
	// (see above; 16 was measured no faster to ack than 32 with 200
	// devices, and slower overall).
	minWindow = 32
	// activeFor is how long a device counts as uploading after its last
	// batch: long enough to bridge the round trip between its batches.
	activeFor = time.Second
)

func newFlow(latency time.Duration, maxGroup int) *flow {
	f := &flow{latency: latency, maxGroup: maxGroup, seen: map[string]time.Time{}}
	f.perChange.Store(int64(initialPerChange))
	f.update(time.Now())
	return f
}

// observe learns from a committed group of n changes that took elapsed
// from the start of its validation to its durable commit, and from the
// devices that sent it (and those still waiting, in waiting).
func (f *flow) observe(devices []string, waiting []string, n int, elapsed time.Duration, now time.Time) {
	if n >= minBudget {
		per := int64(elapsed) / int64(n)
		old := f.perChange.Load()
		f.perChange.Store((3*old + per) / 4)
	}
	for _, d := range devices {
		f.seen[d] = now
	}
	for _, d := range waiting {
		f.seen[d] = now
	}
	f.update(now)
}

// update recomputes the budget and the window.
func (f *flow) update(now time.Time) {
	for d, at := range f.seen {
		if now.Sub(at) > activeFor {
			delete(f.seen, d)
		}
	}
	budget := int64(f.latency) / max(1, f.perChange.Load())
	budget = min(max(budget, minBudget), int64(f.maxGroup))
	f.window.Store(max(pipelineDepth*budget/int64(max(1, len(f.seen))), minWindow))
	f.uploading.Store(int64(len(f.seen)))
}

// Window returns how many changes a device may have unacked now: its
// share of what the writer makes durable within Options.GroupLatency; 0
// for no limit. It is advice to well-behaved clients
// (schema.FeatureWindow), not a limit the server enforces.
//
// Only a pipelined writer gives one. On a shared store (PostgreSQL) a
// group costs round trips and a commit lock whatever its size, and small
// batches from many devices made smaller groups: 200 agents uploaded
// 25-40% fewer changes per second. There the devices send full batches
// and the round-robin alone keeps the groups fair.
func (in *Ingester) Window() int {
	if in.pipe == nil {
		return 0
	}
	return int(in.flow.window.Load())
}

// Turns returns the turns devices that speak schema.FeatureTurns upload
// in, on every store. Unlike windows, turns suit a shared store too: a
// grant is a full batch, so the groups stay large, and a device waits
// for its turn before it sends rather than behind the other processes'
// commits after. With 200 devices over two processes on one PostgreSQL,
// the p99 of a batch's wait for its ack fell from about 3 s to 250–300 ms
// at the same throughput. Each process keeps its own turns; the waits
// they follow include the commit lock the processes share.
func (in *Ingester) Turns() *Turns { return in.turns }
