package syncclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"laoxiao/agent"
	"laoxiao/schema"
)

// ErrServerLostChanges is returned (wrapped) by SyncOnce when the outbox
// holds a hole above the server's mark, so the server would answer every
// batch with a gap. A server restored from an older copy no longer causes
// it: the handshake's refill (refillIfRestored) queues the lost changes
// again and closes the holes. It remains a guard against an outbox broken
// some other way: the sync stops instead of retrying forever.
var ErrServerLostChanges = errors.New("the server lost changes it had acknowledged")

// errRedownload asks SyncOnce for one more session after a re-stamp.
var errRedownload = errors.New("re-stamped: download the scope again")

// writeTimeout bounds sending one frame to the server.
const writeTimeout = 30 * time.Second

// maxUploadBatch caps the changes of one upload below what the server
// allows, so one lost ack costs little to resend.
const maxUploadBatch = 500

// session is one connection's sync, from hello to goodbye. Its methods
// are the protocol's phases — handshake, fill the upload pipeline, take
// an ack, apply a download — and run drives them until the outbox is
// empty and the download caught up. One goroutine uses it; another only
// reads frames into msgs.
type session struct {
	c     *Client
	st    *agent.Store
	ws    *websocket.Conn
	ctx   context.Context
	clock *schema.Clock
	res   Result

	msgs    chan *schema.Msg
	readErr chan error

	// backlog is the outbox as read for the hello, nil once a refill
	// changed it (placeMark).
	backlog *agent.Backlog

	// From the welcome.
	maxInFlight int
	maxBatch    int
	win         window // changes that may be unacked; see window.go
	// turns: the server hands out turns (schema.Welcome.Turns); then
	// credit is what its grants still allow to send, and asked says an
	// ask waits for its grant.
	turns  bool
	credit int
	asked  bool
	// helloHealth is what the hello told the server of the device, which
	// it takes for the first ask (schema.FirstAsk, Welcome.Grant).
	helloHealth *schema.Health

	// The upload pipeline. res.HighWater is the server's mark.
	rel      *releaser // nil until the handshake placed the mark
	queue    []inflight
	batchNo  uint64
	sentUpTo uint64 // greatest seq sent (or acked)
	released uint64 // greatest seq asked to leave the outbox
	// resending: a gap or a clock refusal came back; drain the acks in
	// flight, then send again from the server's mark.
	resending bool
	restampAt uint64 // lowest seq refused as clock_ahead; 0 when none
	serverMS  int64  // the server's clock in that refusal
	restamps  int    // re-stamps this session, to give up on a jumping server clock

	caughtUp bool         // the download said the server had nothing newer
	pages    int          // download pages applied this session
	pending  *pendingPage // the page being written (applyDownload)
	held     *schema.Msg  // taken by gatherPages, for next to return first
}

// inflight is an upload the server has not acked yet: a gapless run of
// changes from seq first on, as the outbox keeps them.
type inflight struct {
	batch  uint64
	first  uint64
	raws   [][]byte
	sentAt time.Time
}

func (b inflight) len() int     { return len(b.raws) }
func (b inflight) last() uint64 { return b.first + uint64(len(b.raws)) - 1 }

// change decodes the batch's change seq, for the rare ack that refuses it.
func (b inflight) change(seq uint64) (schema.Change, error) {
	if seq < b.first || seq > b.last() {
		return schema.Change{}, fmt.Errorf("not in batch %d (seqs %d to %d)", b.batch, b.first, b.last())
	}
	q := agent.Queued{Seq: seq, Raw: b.raws[seq-b.first]}
	ch, err := q.Change()
	if err == nil && ch.Seq != seq {
		err = fmt.Errorf("outbox entry %d holds change %d", seq, ch.Seq)
	}
	return ch, err
}

// syncOnce runs one session on a new connection. Its Result counts what
// was done even when it fails partway.
func (c *Client) syncOnce(ctx context.Context) (Result, error) {
	c.update(func(s *State) { s.Phase = PhaseConnecting; s.Sent = 0; s.Downloaded = 0 })
	ws, err := c.dial(ctx)
	if err != nil {
		return Result{}, err
	}
	defer ws.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { <-ctx.Done(); ws.Close() }()
	s := newSession(ctx, c, ws)
	// Completes the releases asked for even when the connection breaks:
	// the server holds those changes durably.
	defer s.close()
	if err := s.handshake(); err != nil {
		return s.res, err
	}
	if err := s.run(); err != nil {
		// A page still being written counts if the disk keeps it;
		// the session's error is the one to report.
		s.finishDownload()
		s.learnFromBreak(err)
		return s.res, err
	}
	return s.res, s.end()
}

// newSession starts reading frames from ws until it fails or ctx ends.
func newSession(ctx context.Context, c *Client, ws *websocket.Conn) *session {
	s := &session{c: c, st: c.st, ws: ws, ctx: ctx, clock: c.st.Clock(),
		msgs: make(chan *schema.Msg, 16), readErr: make(chan error, 1)}
	go s.read()
	return s
}

// read hands every frame to next, in order, and the error that ended the
// stream after them.
func (s *session) read() {
	defer close(s.msgs)
	for {
		m, err := schema.ReadMsg(s.ws, s.c.Timeout)
		if err != nil {
			s.readErr <- err
			return
		}
		select {
		case s.msgs <- m:
		case <-s.ctx.Done():
			return
		}
	}
}

// next returns the server's next message. An error message from the
// server comes back as its *schema.Error, unwrapped, for Explain.
func (s *session) next() (*schema.Msg, error) {
	if m := s.held; m != nil {
		s.held = nil
		return m, nil
	}
	m, ok := <-s.msgs
	if ok {
		return m, nil
	}
	select {
	case err := <-s.readErr:
		var refused *schema.Error
		if errors.As(err, &refused) {
			return nil, err
		}
		return nil, fmt.Errorf("read: %w", brokenLink{err})
	default:
		return nil, s.ctx.Err()
	}
}

// close waits for the releases asked for; safe before the handshake and
// more than once.
func (s *session) close() {
	if s.rel != nil {
		s.rel.finish()
	}
}

// run alternates between filling the pipeline and taking what the server
// sends, until every change is acked and the download caught up.
func (s *session) run() error {
	for {
		if err := s.fill(); err != nil {
			return err
		}
		// Waiting for a turn is not having nothing to send: the changes
		// the server's mark passed but this session has not resent may
		// still bring refusals to park, so nothing is settled meanwhile.
		if len(s.queue) == 0 && !s.asked {
			if s.resending {
				if err := s.resend(); err != nil {
					return err
				}
				continue
			}
			if done, err := s.settle(); done || err != nil {
				return err
			}
		}
		if err := s.receive(); err != nil {
			return err
		}
	}
}

// receive takes the server's next message: an ack or a download page.
func (s *session) receive() error {
	m, err := s.next()
	if err != nil {
		return err
	}
	switch m.Type {
	case schema.MsgAck:
		return s.takeAck(m.Ack)
	case schema.MsgDownload:
		return s.applyDownload(m.Download)
	case schema.MsgGrant:
		s.credit += m.Grant.Changes
		s.asked = false
		return nil
	}
	return fmt.Errorf("unexpected %s from server", m.Type)
}

// settle runs when nothing is in flight: everything up to the mark was
// sent and acked, so the mark can be released in full (it may pass the
// last batch when the changes after it were parked). The session is done
// once the download caught up too.
func (s *session) settle() (done bool, err error) {
	if s.res.HighWater > s.released {
		s.rel.upTo(s.res.HighWater)
		s.released = s.res.HighWater
	}
	if !s.caughtUp {
		return false, nil
	}
	return true, s.rel.finish()
}

// end says goodbye. After a re-stamp, downloads merged against the old
// stamps may have lost values that win now; after a refill, the download
// started at a position of the log the restored server lost: either way
// it asks for the whole scope again with errRedownload.
func (s *session) end() error {
	s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	if s.res.Restamped == 0 && s.res.Refill == nil {
		return nil
	}
	if err := s.st.ResetCursor(); err != nil {
		return err
	}
	return errRedownload
}

// localNow is the device's own wall clock, uncorrected: the store's clock
// source (which tests may replace) rather than time.Now, so the offset
// learned from the server is measured against the clock stamps come from.
func localNow(clock *schema.Clock) time.Time { return clock.Physical().Add(-clock.Offset()) }
