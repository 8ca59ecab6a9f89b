package ingest

import (
	"context"
	"fmt"

	"laoxiao/syncserver/store"
)

// The pipeline. On a store that commits asynchronously (store.Pipelined,
// one process writing) the writer validates and merges group N+1 while
// group N is written and fsynced:
//
//   - N+1 starts from N's records, marks, head and locks (pass.prev),
//     and reads the rest from a view of the store taken after N-1 was
//     durable and before N was handed to it;
//   - N+1 is handed to the store only once N is durable, so commits
//     land in order, and a failed N never leaves N+1 written on top of
//     it: N+1 is then computed again from the committed state;
//   - every ack, even a duplicate's, is sent only once its group and all
//     before it are durable.
//
// Anything unusual — a group too big for one transaction, a store error
// while preparing — drains the pipeline and takes the synchronous path
// (commit), which splits or reports as before.

// flight is the group whose commit is in flight.
type flight struct {
	group   []*request
	results []result
	p       *pass
	wait    func() error // answers the batches once durable (answerWhenDurable)
}

// commitPipelined prepares group on top of the group in flight, waits for
// that one, and hands group to the store without waiting for it.
func (in *Ingester) commitPipelined(group []*request) {
	ctx := context.Background()
	if in.view == nil {
		// Idle: nothing in flight, so the view waits for nothing.
		v, err := in.pipe.Snapshot()
		if err != nil {
			in.log.Warn("open a view of the store; committing without the pipeline", "err", err)
			in.commitSync(group)
			return
		}
		in.view = v
	}
	var prev *pass
	if in.flying != nil {
		prev = in.flying.p
	}
	p, results, g, err := in.prepare(ctx, group, prev)
	if err != nil || !in.land() {
		in.commitSync(group)
		return
	}
	// prev has landed: its records, marks, head and locks are the
	// writer's and the next view's now. Holding on to it would chain every
	// group of a long burst to the next, each lookup walking them all.
	p.prev = nil
	if g == nil {
		// Nothing to write (gaps, duplicates, protocol errors): answered
		// now that every group before it is durable. Nothing is in
		// flight now, and the view predates the group that just landed:
		// the next group must not read from it, or it misses that
		// group's records and refusals (it took new ones for records
		// it had, and a resend lost the refusals its ack repeats).
		in.closeView()
		for i, r := range group {
			r.result <- results[i]
		}
		return
	}
	// Nothing is in flight: a view taken now holds every group so far
	// and waits for nothing.
	in.closeView()
	v, err := in.pipe.Snapshot()
	if err != nil {
		in.commitSync(group)
		return
	}
	wait, err := in.pipe.CommitAsync(ctx, g)
	if err != nil {
		v.Close()
		// Too big for one transaction, or not encodable: nothing was
		// written, and the synchronous path splits or reports it.
		in.commitSync(group)
		return
	}
	in.view = v
	in.flying = &flight{group: group, results: results, p: p, wait: answerWhenDurable(wait, group, results)}
}

// answerWhenDurable answers a group's batches as soon as its commit is
// durable, from a goroutine of its own: the writer is busy preparing the
// next group by then, and an ack has no reason to wait for that. The
// function returned waits for the commit; on failure it has answered
// nothing.
func answerWhenDurable(wait func() error, group []*request, results []result) func() error {
	done := make(chan error, 1)
	go func() {
		err := wait()
		if err == nil {
			for i, r := range group {
				r.result <- results[i]
			}
		}
		done <- err
	}()
	return func() error { return <-done }
}

// commitSync commits group the synchronous way, with nothing in flight
// and no view (the store's own reads see every commit).
func (in *Ingester) commitSync(group []*request) {
	in.land()
	in.closeView()
	in.commit(group)
}

// land waits for the group in flight and makes its marks, head and locks
// the writer's; false when its commit failed (its batches get the error,
// the devices resend, and the writer's state stays the committed one).
func (in *Ingester) land() bool {
	f := in.flying
	if f == nil {
		return true
	}
	in.flying = nil
	if err := f.wait(); err != nil {
		in.log.Error("commit failed; batches refused, devices will resend", "err", err, "batches", len(f.group))
		for _, r := range f.group {
			r.result <- result{err: fmt.Errorf("commit: %w", err)}
		}
		return false
	}
	in.committed(f.p) // its batches were answered as it became durable
	return true
}

// idle lands the group in flight and closes the view, when the writer has
// nothing more to do for now.
func (in *Ingester) idle() {
	in.land()
	in.closeView()
}

func (in *Ingester) closeView() {
	if in.view != nil {
		in.view.Close()
		in.view = nil
	}
}

// pipelined returns the store's asynchronous commit when the writer may
// use it: not on a store other processes write too, whose commit lock
// orders the log (shared.go).
func pipelined(st store.Store, shared bool) store.Pipelined {
	if p, ok := st.(store.Pipelined); ok && !shared {
		return p
	}
	return nil
}
