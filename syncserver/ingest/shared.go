package ingest

import (
	"context"
	"fmt"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// On a store.Shared store (PostgreSQL) several server processes each run
// their own writer, and this one's caches are only its own view:
//
//   - marks: before every group the writer re-reads the marks of the
//     devices in it, and the store refuses the group (store.ErrConflict)
//     if one moved before it commits; the writer then computes the group
//     again, up to conflictRetries times. A device's sessions run on one
//     process at a time, so this only happens to the server's own device,
//     whose changes any process may number.
//   - the log head: the store numbers the entries under its commit lock;
//     the writer learns the head from what it committed and, for other
//     processes' commits, from polling LogHead every headPoll, which also
//     wakes this process's downloads.
//   - the locks in force: re-read before the next group whenever another
//     process may have committed (a lock set through it); the store
//     refuses a group checked against locks older than a lock it logged
//     (store.Basis.LocksAt), so no change gets in behind a lock.

// headPoll is how often a writer on a shared store looks for other
// processes' commits; it bounds how late a download on this process sees
// a change uploaded to another.
const headPoll = 100 * time.Millisecond

// conflictRetries bounds how often one group is recomputed after
// store.ErrConflict before its batches are answered with the error (the
// devices resend).
const conflictRetries = 8

// refresh re-reads what other processes may have changed since this
// writer's last group: the marks of the group's devices, and the locks
// when another process committed.
func (in *Ingester) refresh(ctx context.Context, group []*request) error {
	if !in.shared {
		return nil
	}
	devices := make([]string, 0, len(group))
	for _, r := range group {
		devices = append(devices, r.acct.Device)
	}
	marks, err := in.st.(store.Shared).MarksOf(ctx, devices)
	if err != nil {
		return err
	}
	for _, d := range devices {
		in.state.marks[d] = marks[d]
	}
	if in.locksStale.Swap(false) {
		// The head first: a lock logged after it and read anyway only
		// makes the store refuse the group once more.
		head, err := in.st.LogHead(ctx)
		if err != nil {
			in.locksStale.Store(true)
			return err
		}
		locks, err := store.Locks(ctx, in.st)
		if err != nil {
			in.locksStale.Store(true)
			return err
		}
		in.locks, in.locksAt = locks, head
	}
	return nil
}

// readAhead reads the stored states of every record the group's changes
// name in one call, when the store can (store.RecordsReader, or the
// pipeline's view).
func (in *Ingester) readAhead(ctx context.Context, p *pass, group []*request) error {
	var rr store.RecordsReader = in.view
	if in.view == nil {
		var ok bool
		if rr, ok = in.st.(store.RecordsReader); !ok {
			return nil
		}
	}
	var keys []schema.Key
	for _, r := range group {
		for i := range r.up.Changes {
			keys = append(keys, r.up.Changes[i].Key())
		}
	}
	if len(keys) == 0 {
		return nil
	}
	got, err := rr.Records(ctx, keys)
	if err != nil {
		return fmt.Errorf("read records: %w", err)
	}
	p.read = make(map[schema.Key]*schema.Record, len(keys))
	for _, k := range keys {
		p.read[k] = got[k] // nil: not stored
	}
	return nil
}

// pollHead watches the shared log for other processes' commits until the
// writer stops.
func (in *Ingester) pollHead() {
	defer in.pollDone.Done()
	t := time.NewTicker(headPoll)
	defer t.Stop()
	for {
		select {
		case <-in.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		head, err := in.st.LogHead(ctx)
		cancel()
		if err != nil {
			in.log.Warn("poll log head", "err", err)
			continue
		}
		in.advance(head, true)
	}
}

// advance moves the known head forward (never back) and wakes the
// downloads; other says the news may come from another process.
func (in *Ingester) advance(head uint64, other bool) {
	for {
		cur := in.head.Load()
		if head <= cur {
			return
		}
		if in.head.CompareAndSwap(cur, head) {
			break
		}
	}
	if other {
		in.locksStale.Store(true)
	}
	in.notifyMu.Lock()
	close(in.notify)
	in.notify = make(chan struct{})
	in.notifyMu.Unlock()
}
