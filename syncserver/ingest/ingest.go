// Package ingest is the server's single writer: it validates uploaded
// changes, merges them into the current records and commits them with the
// devices' new high-water marks. One goroutine does all of it, so two
// devices editing the same record never race between read and write, and
// batches that arrive together share one transaction and one fsync (group
// commit) — the reason 200 agents syncing at once cost about as many disk
// flushes as one. Groups take the devices' batches round-robin
// (schedule.go), and each device either takes turns to upload (turns.go)
// or is told how much it may have in flight (flow.go), so a batch waits
// for about one group, not behind everyone; on
// Badger a group is validated while the one before it is fsynced
// (pipeline.go).
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// ErrClosed is returned by Submit once the ingester has stopped.
var ErrClosed = errors.New("ingester stopped")

// ServerDevice is the device id under which the server itself writes
// (targets set by an office through the server, imports).
const ServerDevice = "server"

// Options configure an Ingester.
type Options struct {
	// Divisions the unit codes of changes must exist in.
	Divisions func() *schema.Divisions
	// Now is the server's clock (time.Now when nil).
	Now func() time.Time
	// MaxAhead is how far ahead of the server's clock a change may be
	// stamped; further is refused so the device re-stamps (default 5 min).
	MaxAhead time.Duration
	// MaxGroupChanges bounds one commit (default 8000).
	MaxGroupChanges int
	// GroupLatency is how long one group commit should take, validation
	// to fsync (default 100 ms): the devices' windows are sized from it
	// (flow.go).
	GroupLatency time.Duration
	// TurnWait is what a batch sent in its turn should wait at most, from
	// its arrival to its durable commit (default 10 ms): how much the
	// devices taking turns may hold at once follows it (turns.go).
	TurnWait time.Duration
	// MaxGroupBytes bounds the field bytes of the changes one commit
	// gathers (default 1 MiB). The transaction is a few times larger
	// (merged records, log entries, indexes) and must stay within what
	// the store writes at once; a group that still does not fit is split.
	MaxGroupBytes int
	Logger        *slog.Logger
}

// Account is who submits a batch: the device and what it may touch.
type Account struct {
	Device string
	Scope  schema.Code
	Role   store.Role
}

// Ingester owns the write path.
type Ingester struct {
	st    store.Store
	opts  Options
	log   *slog.Logger
	reqs  chan *request
	stop  chan struct{}
	done  chan struct{}
	state struct {
		head  uint64
		marks map[string]store.Mark
	}
	clock *schema.Clock
	locks *schema.LockSet // in force as committed; see locks.go
	flow  *flow
	turns *Turns

	// The pipeline (pipeline.go), nil without one; the writer's own.
	pipe   store.Pipelined
	view   store.View
	flying *flight
	// deepestChain is the most groups a pass has walked (pass.depth):
	// two with a pipeline, the group and the one in flight. For the
	// tests, read after Close.
	deepestChain int

	// shared is set on a store several processes write (see shared.go).
	shared     bool
	locksStale atomic.Bool
	locksAt    uint64 // the log head up to which locks is current (run's)
	pollDone   sync.WaitGroup

	notifyMu sync.Mutex
	notify   chan struct{}
	head     atomic.Uint64
	closing  atomic.Bool
	// closeMu orders Enqueue's send against Close: a batch is either in
	// the queue before stop closes (and answered) or refused.
	closeMu sync.RWMutex
}

type request struct {
	acct Account
	up   *schema.Upload
	// pre holds the changes' checks that need no stored record, made by
	// the goroutine that enqueued the batch (precheck.go); nil entries,
	// or none, are checked by the writer from the start.
	pre    []*schema.Prechecked
	size   int // estimated bytes, for the group bound
	result chan result
}

// uploadSize estimates the bytes a batch adds to a commit.
func uploadSize(up *schema.Upload) int {
	n := 0
	for i := range up.Changes {
		n += schema.ChangeSize(&up.Changes[i])
	}
	return n
}

type result struct {
	ack *schema.Ack
	err error
}

// New starts an ingester on st. Stop it with Close.
func New(ctx context.Context, st store.Store, opts Options) (*Ingester, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxAhead == 0 {
		opts.MaxAhead = 5 * time.Minute
	}
	if opts.MaxGroupChanges == 0 {
		opts.MaxGroupChanges = 8000
	}
	if opts.MaxGroupBytes == 0 {
		opts.MaxGroupBytes = 1 << 20
	}
	if opts.GroupLatency == 0 {
		opts.GroupLatency = 100 * time.Millisecond
	}
	if opts.TurnWait == 0 {
		opts.TurnWait = 10 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Divisions == nil {
		opts.Divisions = schema.BuiltinDivisions
	}
	in := &Ingester{st: st, opts: opts, log: opts.Logger.With("component", "ingest"),
		reqs: make(chan *request, 256), stop: make(chan struct{}), done: make(chan struct{}),
		notify: make(chan struct{}), clock: schema.NewClock(opts.Now),
		flow: newFlow(opts.GroupLatency, opts.MaxGroupChanges)}
	head, err := st.LogHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("start ingest: %w", err)
	}
	marks, err := st.Marks(ctx)
	if err != nil {
		return nil, fmt.Errorf("start ingest: %w", err)
	}
	if in.locks, err = store.Locks(ctx, st); err != nil {
		return nil, fmt.Errorf("start ingest: %w", err)
	}
	in.state.head = head
	in.state.marks = marks
	in.locksAt = head // read before the locks
	in.head.Store(head)
	_, in.shared = st.(store.Shared)
	in.pipe = pipelined(st, in.shared)
	in.turns = newTurns(opts.TurnWait, turnQuantum)
	go in.run()
	if in.shared {
		in.pollDone.Add(1)
		go in.pollHead()
	}
	return in, nil
}

// Close stops the ingester after the group in progress is committed.
// Requests still queued get ErrClosed. It is safe to call more than once.
func (in *Ingester) Close() {
	in.closeMu.Lock()
	if in.closing.CompareAndSwap(false, true) {
		close(in.stop)
	}
	in.closeMu.Unlock()
	<-in.done
	in.pollDone.Wait()
}

// Head returns the sequence of the newest committed log entry.
func (in *Ingester) Head() uint64 { return in.head.Load() }

// Changed returns a channel closed at the next commit, so download streams
// can wait for news without polling.
func (in *Ingester) Changed() <-chan struct{} {
	in.notifyMu.Lock()
	defer in.notifyMu.Unlock()
	return in.notify
}

// Submit hands a batch to the writer and waits until it is durable (or
// refused). The ack's HighWater is the device's new mark.
func (in *Ingester) Submit(ctx context.Context, acct Account, up *schema.Upload) (*schema.Ack, error) {
	r, err := in.Enqueue(ctx, acct, up)
	if err != nil {
		return nil, err
	}
	select {
	case res := <-r:
		return res.ack, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Pending is the eventual outcome of an enqueued batch.
type Pending <-chan result

// Wait blocks until the batch is durable or refused.
func (p Pending) Wait(ctx context.Context) (*schema.Ack, error) {
	select {
	case res := <-p:
		return res.ack, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Enqueue hands a batch to the writer without waiting, so a session can
// keep several batches in flight and collect their acks in order.
func (in *Ingester) Enqueue(ctx context.Context, acct Account, up *schema.Upload) (Pending, error) {
	// Made before the lock below, which Close waits for.
	r := &request{acct: acct, up: up, pre: in.precheck(acct, up), size: uploadSize(up), result: make(chan result, 1)}
	// Held while sending: the writer keeps reading the queue until stop
	// closes, so this never blocks Close for longer than a send.
	in.closeMu.RLock()
	defer in.closeMu.RUnlock()
	if in.closing.Load() {
		return nil, ErrClosed
	}
	select {
	case in.reqs <- r:
		return r.result, nil
	case <-in.stop:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// SubmitServer writes changes made by the server itself (targets an office
// set, imports): it stamps them and numbers them in the server's own
// sequence, then commits them like any batch.
func (in *Ingester) SubmitServer(ctx context.Context, changes []schema.Change) (*schema.Ack, error) {
	// Numbering happens inside the writer, which alone knows the server's
	// mark; Seq 0 asks for that.
	for i := range changes {
		changes[i].Device = ServerDevice
		changes[i].Seq = 0
	}
	return in.Submit(ctx, Account{Device: ServerDevice, Role: store.RoleOffice}, &schema.Upload{Changes: changes})
}

// Mark returns a device's committed mark as the writer knows it.
func (in *Ingester) Mark(ctx context.Context, device string) (store.Mark, error) {
	return in.st.Mark(ctx, device)
}

func (in *Ingester) run() {
	defer close(in.done)
	bl := newBacklog()
	for {
		if bl.empty() && in.flying != nil {
			// Nothing to overlap the commit in flight with: its acks
			// should not wait for the next batch.
			select {
			case r := <-in.reqs:
				bl.add(r)
			default:
				in.idle()
			}
		}
		if bl.empty() {
			select {
			case r := <-in.reqs:
				bl.add(r)
			case <-in.stop:
				in.idle()
				in.drainClosed(bl)
				return
			}
		}
		select {
		case <-in.stop:
			in.idle()
			in.drainClosed(bl)
			return
		default:
		}
	queued:
		for {
			select {
			case r := <-in.reqs:
				bl.add(r)
			default:
				break queued
			}
		}
		group := bl.take(in.opts.MaxGroupChanges, in.opts.MaxGroupBytes)
		start := time.Now()
		if in.pipe != nil {
			in.commitPipelined(group)
		} else {
			in.commit(group)
		}
		in.observe(group, bl, start)
	}
}

// observe tells the flow control what the group cost and who is uploading.
func (in *Ingester) observe(group []*request, bl *backlog, start time.Time) {
	n := 0
	devices := make([]string, len(group))
	for i, r := range group {
		n += len(r.up.Changes)
		devices[i] = r.acct.Device
	}
	now := time.Now()
	in.flow.observe(devices, bl.ring, n, now.Sub(start), now)
}

// drainClosed answers every batch not committed with ErrClosed.
func (in *Ingester) drainClosed(bl *backlog) {
	for _, r := range bl.all() {
		r.result <- result{err: ErrClosed}
	}
	for {
		select {
		case r := <-in.reqs:
			r.result <- result{err: ErrClosed}
		default:
			return
		}
	}
}

// pass is the state of one group commit: record states as the group
// leaves them, and marks and head that become real only if the commit
// succeeds.
type pass struct {
	records map[schema.Key]*schema.Record
	order   []schema.Key
	marks   map[string]store.Mark
	head    uint64
	log     []store.LogEntry
	refused map[string][]schema.Rejection
	now     time.Time
	locks   *schema.LockSet // nil until the group writes a lock or unlock
	// read holds the stored states of the group's records read in one
	// call up front (store.RecordsReader), nil for absent ones; nil when
	// the store reads one record at a time.
	read map[schema.Key]*schema.Record
	// prev is the group before this one while its commit is in flight
	// (pipeline.go): its records, marks, head and locks are this group's
	// starting point, newer than the store's.
	prev *pass
}

// depth is how many groups p's lookups walk: itself and those in flight.
func (p *pass) depth() int {
	n := 0
	for q := p; q != nil; q = q.prev {
		n++
	}
	return n
}

// known returns a record as the groups in the writer's hands leave it,
// or as read ahead; ok is false when the store must be asked.
func (p *pass) known(k schema.Key) (rec *schema.Record, ok bool) {
	for q := p; q != nil; q = q.prev {
		if r, ok := q.records[k]; ok {
			return r, true
		}
	}
	r, ok := p.read[k]
	return r, ok
}

// commit applies and commits a group and answers its requests. A group
// the store cannot write in one transaction is committed in halves, down
// to halves of a single batch: each part moves the marks with its own log
// entries, so a crash between parts leaves a consistent store.
func (in *Ingester) commit(group []*request) {
	err := in.tryCommit(group)
	if err == nil {
		return
	}
	if len(group) > 1 {
		in.log.Info("group too big for one commit; splitting", "batches", len(group))
		h := len(group) / 2
		in.commit(group[:h])
		in.commit(group[h:])
		return
	}
	in.commitSplit(group[0], err)
}

// commitSplit commits one batch that is too big for a transaction as two
// half batches, and answers it with one ack for both.
func (in *Ingester) commitSplit(r *request, tooBig error) {
	up := r.up
	if len(up.Changes) < 2 {
		in.log.Error("one change is too big to commit", "device", r.acct.Device, "err", tooBig)
		r.result <- result{err: fmt.Errorf("commit: %w", tooBig)}
		return
	}
	in.log.Info("batch too big for one commit; committing it in halves", "device", r.acct.Device, "changes", len(up.Changes))
	h := len(up.Changes) / 2
	half := func(first uint64, from, to int) result {
		hr := &request{acct: r.acct, up: &schema.Upload{Batch: up.Batch, First: first, Changes: up.Changes[from:to]},
			pre: r.pre[min(from, len(r.pre)):min(to, len(r.pre))], result: make(chan result, 1)}
		in.commit([]*request{hr})
		return <-hr.result
	}
	a := half(up.First, 0, h)
	if a.err != nil {
		r.result <- a
		return
	}
	// The first half is durable now; if the second fails, the device's
	// resend is answered as a partial duplicate.
	b := half(up.First+uint64(h), h, len(up.Changes))
	if b.err != nil {
		r.result <- b
		return
	}
	r.result <- result{ack: joinAcks(a.ack, b.ack)}
}

// joinAcks answers a batch committed in two halves.
func joinAcks(a, b *schema.Ack) *schema.Ack {
	out := &schema.Ack{Batch: a.Batch, HighWater: max(a.HighWater, b.HighWater), ServerTimeMS: b.ServerTimeMS,
		Rejected: append(append([]schema.Rejection(nil), a.Rejected...), b.Rejected...)}
	switch {
	case a.Status == schema.AckGap:
		out.Status = schema.AckGap
	case a.Status == schema.AckDuplicate && b.Status == schema.AckDuplicate:
		out.Status = schema.AckDuplicate
	default:
		// The second half of a batch stopped by a clock refusal comes
		// back as a gap; the refusal in the first half says what to do.
		out.Status = schema.AckApplied
	}
	return out
}

// tryCommit applies and commits a group and answers its requests, except
// when the store refuses the group as too big: then nothing is answered
// or changed and it returns the error.
func (in *Ingester) tryCommit(group []*request) error {
	ctx := context.Background()
	for attempt := 1; ; attempt++ {
		p, results, err := in.applyGroup(ctx, group)
		if err == nil {
			if len(p.log) > 0 || len(p.marks) > 0 {
				in.committed(p)
			}
			for i, r := range group {
				r.result <- results[i]
			}
			return nil
		}
		switch {
		case errors.Is(err, store.ErrTooBig):
			return err
		case errors.Is(err, store.ErrConflict) && attempt < conflictRetries:
			in.log.Info("another server process moved a mark or set a lock; computing the group again", "err", err)
			in.locksStale.Store(true)
			continue
		}
		in.log.Error("commit failed; batches refused, devices will resend", "err", err, "batches", len(group))
		for _, r := range group {
			r.result <- result{err: fmt.Errorf("commit: %w", err)}
		}
		return nil
	}
}

// applyGroup applies a group's batches and commits them. On error nothing
// was committed and no request was answered.
func (in *Ingester) applyGroup(ctx context.Context, group []*request) (*pass, []result, error) {
	p, results, g, err := in.prepare(ctx, group, nil)
	if err != nil || g == nil {
		return p, results, err
	}
	if err := in.st.Commit(ctx, g); err != nil {
		return nil, nil, err
	}
	// A shared store numbered the entries itself (in g.Log, which is
	// p.log).
	if n := len(p.log); n > 0 {
		p.head = p.log[n-1].Seq
	}
	return p, results, nil
}

// prepare validates and merges a group's batches on top of the committed
// state and of prev, a group whose commit is still in flight (nil when
// none), and returns what to commit: nil when the group writes nothing.
// Nothing is written or answered.
func (in *Ingester) prepare(ctx context.Context, group []*request, prev *pass) (*pass, []result, *store.Group, error) {
	if err := in.refresh(ctx, group); err != nil {
		return nil, nil, nil, fmt.Errorf("re-read marks: %w", err)
	}
	p := &pass{records: map[schema.Key]*schema.Record{}, marks: map[string]store.Mark{},
		refused: map[string][]schema.Rejection{}, head: in.state.head, now: in.opts.Now(), prev: prev}
	if prev != nil {
		p.head = prev.head
	}
	in.deepestChain = max(in.deepestChain, p.depth())
	if err := in.readAhead(ctx, p, group); err != nil {
		return nil, nil, nil, err
	}
	results := make([]result, len(group))
	for i, r := range group {
		ack, err := in.apply(ctx, p, r)
		results[i] = result{ack: ack, err: err}
	}
	if len(p.log) == 0 && len(p.marks) == 0 {
		return p, results, nil, nil
	}
	g := &store.Group{Log: p.log, Marks: p.marks, Refused: p.refused,
		Basis: &store.Basis{Marks: map[string]uint64{}, LocksAt: in.locksAt}}
	for id := range p.marks {
		g.Basis.Marks[id] = in.state.marks[id].HighWater
	}
	for _, k := range p.order {
		g.Records = append(g.Records, p.records[k])
	}
	return p, results, g, nil
}

// committed makes a committed group's marks, locks and head the writer's
// and wakes the downloads.
func (in *Ingester) committed(p *pass) {
	other := in.shared && len(p.log) > 0 && p.log[0].Seq != in.state.head+1
	if !other && in.locksAt == in.state.head {
		in.locksAt = p.head // the group's own locks are in p.locks
	}
	in.state.head = max(in.state.head, p.head)
	if p.locks != nil && !other {
		in.locks = p.locks
	}
	for id, m := range p.marks {
		in.state.marks[id] = m
	}
	if other {
		// Another process committed since this writer's last group: its
		// locks may be missing from p.locks.
		in.locksStale.Store(true)
	}
	in.advance(in.state.head, other)
}

func (p *pass) mark(in *Ingester, device string) store.Mark {
	for q := p; q != nil; q = q.prev {
		if m, ok := q.marks[device]; ok {
			return m
		}
	}
	return in.state.marks[device]
}

// ProtocolError is a batch that breaks the protocol (wrong device, broken
// sequence inside the batch); the session closes the connection.
type ProtocolError struct{ Msg string }

// Error returns the description.
func (e *ProtocolError) Error() string { return e.Msg }

// apply handles one batch inside a group.
func (in *Ingester) apply(ctx context.Context, p *pass, r *request) (*schema.Ack, error) {
	up, acct := r.up, r.acct
	mark := p.mark(in, acct.Device)
	if acct.Device == ServerDevice {
		for i := range up.Changes {
			up.Changes[i].Seq = mark.HighWater + uint64(i) + 1
			up.Changes[i].Stamp = in.clock.Now()
		}
		up.First = mark.HighWater + 1
	}
	for i := range up.Changes {
		ch := &up.Changes[i]
		if ch.Device != acct.Device {
			return nil, &ProtocolError{fmt.Sprintf("change %d names device %q, connection is %q", i, ch.Device, acct.Device)}
		}
		if ch.Seq != up.First+uint64(i) {
			return nil, &ProtocolError{fmt.Sprintf("change %d has seq %d, want %d", i, ch.Seq, up.First+uint64(i))}
		}
	}
	ack := &schema.Ack{Batch: up.Batch, HighWater: mark.HighWater, ServerTimeMS: p.now.UnixMilli()}
	last := up.First + uint64(len(up.Changes)) - 1
	switch {
	case last <= mark.HighWater:
		ack.Status = schema.AckDuplicate
	case up.First > mark.HighWater+1:
		ack.Status = schema.AckGap
		return ack, nil
	default:
		ack.Status = schema.AckApplied
	}
	if up.First <= mark.HighWater {
		// A resend of changes handled before: the device lost the ack that
		// answered them, so repeat the refusals it carried, or the device
		// would drop those changes unseen instead of parking them.
		var err error
		if ack.Rejected, err = in.refusedIn(ctx, p, acct.Device, up.First, min(last, mark.HighWater)); err != nil {
			return nil, err
		}
	}
	if ack.Status == schema.AckDuplicate {
		return ack, nil
	}
	vctx := schema.ValidationContext{Divisions: in.opts.Divisions(), Scope: acct.Scope, Now: p.now}
	limit := p.now.Add(in.opts.MaxAhead)
	for i := range up.Changes {
		ch := &up.Changes[i]
		if ch.Seq <= mark.HighWater {
			continue // replayed; applied before
		}
		if ch.Stamp.Time().After(limit) {
			// Stop here: this change and the rest of the batch stay the
			// device's to re-stamp and resend; the mark does not pass them.
			ack.Rejected = append(ack.Rejected, schema.Rejection{Seq: ch.Seq, Code: schema.RejectClockAhead,
				Reason:       fmt.Sprintf("stamped %s, more than %s ahead of the server clock %s", ch.Stamp.Time().UTC().Format(time.RFC3339), in.opts.MaxAhead, p.now.UTC().Format(time.RFC3339)),
				ReasonZh:     "本机时间比服务器快太多,请校正时间后重新发送",
				ServerTimeMS: p.now.UnixMilli()})
			break
		}
		if rej := in.applyChange(ctx, p, acct, ch, r.prechecked(i), vctx); rej != nil {
			ack.Rejected = append(ack.Rejected, *rej)
			p.refused[acct.Device] = append(p.refused[acct.Device], *rej)
		}
		mark.HighWater = ch.Seq
	}
	mark.At = p.now
	p.marks[acct.Device] = mark
	ack.HighWater = mark.HighWater
	return ack, nil
}

// refusedIn returns the refusals of a device's changes with seq in [from,
// to]: those committed before, and those of this group and the one in
// flight, not committed yet (a device's old connection and its new one
// can both be in one group).
func (in *Ingester) refusedIn(ctx context.Context, p *pass, device string, from, to uint64) ([]schema.Rejection, error) {
	var out []schema.Rejection
	var err error
	if in.view != nil {
		// The view is older than the group in flight (p.prev), whose
		// refusals follow.
		out, err = in.view.Refused(ctx, device, from, to)
	} else {
		out, err = in.st.Refused(ctx, device, from, to)
	}
	if err != nil {
		return nil, fmt.Errorf("repeat refusals: %w", err)
	}
	var groups []*pass
	for q := p; q != nil; q = q.prev {
		groups = append([]*pass{q}, groups...)
	}
	for _, q := range groups {
		for _, r := range q.refused[device] {
			if r.Seq >= from && r.Seq <= to {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// applyChange validates and merges one change; a non-nil rejection means
// it was refused (and the mark still passes it: the device parks it).
func (in *Ingester) applyChange(ctx context.Context, p *pass, acct Account, ch *schema.Change, pre *schema.Prechecked, vctx schema.ValidationContext) *schema.Rejection {
	reject := func(code schema.RejectCode, en, zh string) *schema.Rejection {
		in.log.Info("change refused", "device", acct.Device, "seq", ch.Seq, "kind", ch.Kind, "id", ch.ID, "code", code, "reason", en)
		return &schema.Rejection{Seq: ch.Seq, Code: code, Reason: en, ReasonZh: zh}
	}
	if !ch.Unit.Within(acct.Scope) {
		return reject(schema.RejectOutOfScope,
			fmt.Sprintf("unit %s is outside this device's scope %s", ch.Unit, acct.Scope),
			fmt.Sprintf("单位 %s 不在本设备的管辖范围 %s 内", ch.Unit, acct.Scope))
	}
	if acct.Role == store.RoleSite && !ch.Kind.SiteWritable() {
		return reject(schema.RejectReadOnly,
			fmt.Sprintf("%s records are set by a higher office and are read-only at sites", ch.Kind),
			fmt.Sprintf("%s由上级部门设定,乡镇不能修改", ch.Kind.Label()))
	}
	key := ch.Key()
	cur, ok := p.known(key)
	if !ok {
		var err error
		cur, err = in.st.Record(ctx, ch.Kind, ch.ID)
		if errors.Is(err, store.ErrNotFound) {
			cur = nil
		} else if err != nil {
			in.log.Error("read record", "err", err)
			return reject(schema.RejectInvalid, "server could not read the record: "+err.Error(), "服务器读取记录失败")
		}
	}
	if cur != nil && cur.Unit != ch.Unit {
		return reject(schema.RejectUnitChanged,
			fmt.Sprintf("%s %s belongs to unit %s, not %s", ch.Kind, ch.ID, cur.Unit, ch.Unit),
			fmt.Sprintf("该记录属于单位 %s,不能改到 %s", cur.Unit, ch.Unit))
	}
	// A lock comes first: an edit of a locked month cannot be fixed until
	// the county unlocks it, whatever else is wrong with it, and a partial
	// edit of a report the server never accepted (its creation was
	// refused as locked) would otherwise be refused for lacking the
	// fields the refused creation carried.
	if rej := in.lockRefusal(p, acct, cur, ch); rej != nil {
		out := reject(rej.Code, rej.Reason, rej.ReasonZh)
		out.Lock = rej.Lock
		return out
	}
	if rej := mergeFieldRefusal(acct, cur, ch); rej != nil {
		return reject(rej.Code, rej.Reason, rej.ReasonZh)
	}
	merged, changed, probs := pre.ValidateMerge(cur, ch, vctx)
	if len(probs) > 0 {
		var ve *schema.ValidationError
		err := probs.Err()
		if errors.As(err, &ve) {
			return reject(schema.RejectInvalid, ve.Error(), ve.Zh())
		}
		return reject(schema.RejectInvalid, err.Error(), err.Error())
	}
	if err := p.noteLock(in, merged); err != nil {
		return reject(schema.RejectInvalid, err.Error(), "锁定记录无法解析")
	}
	in.clock.Observe(ch.Stamp)
	if changed {
		if _, seen := p.records[key]; !seen {
			p.order = append(p.order, key)
		}
		p.records[key] = merged
	}
	p.head++
	p.log = append(p.log, store.LogEntry{Seq: p.head, Change: *ch, Account: acct.Device, Received: p.now})
	in.followMerge(ctx, p, acct, ch, merged, vctx)
	in.followMove(ctx, p, acct, ch, merged, vctx)
	return nil
}
