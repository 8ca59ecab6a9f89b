// Package session is the server side of the sync protocol: one websocket
// connection per device, binary CBOR frames, uploads pipelined into the
// single writer and acked only after their commit, and a download stream of
// the accepted changes in the device's scope.
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"laoxiao/schema"
	"laoxiao/syncserver/devices"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// Endpoint serves the sync websocket.
type Endpoint struct {
	Ingest   *ingest.Ingester
	Store    store.Store
	Registry *devices.Registry
	Log      *slog.Logger
	Now      func() time.Time

	// MaxInFlight is how many upload batches a device may have unacked.
	MaxInFlight int
	// PingInterval and ReadTimeout keep dead connections from lingering:
	// a peer that sends nothing, not even a pong, for ReadTimeout is cut.
	PingInterval time.Duration
	ReadTimeout  time.Duration
	// DownloadBatch is the number of log entries per download frame,
	// schema.MaxBatchChanges when 0: a device applies a page in one
	// synced transaction, so fewer, larger pages cost it fewer flushes.
	DownloadBatch int

	mu       sync.Mutex
	sessions map[*conn]struct{}
	closed   bool
	// kickStop ends the goroutine that ends sessions other server
	// processes claim (on a store.Shared store).
	kickStop chan struct{}
	// news wakes the caught-up downloads (news.go); nil until the first
	// connection.
	news     *news
	wg       sync.WaitGroup
	upgrader websocket.Upgrader
}

func (e *Endpoint) defaults() {
	if e.MaxInFlight == 0 {
		e.MaxInFlight = 4
	}
	if e.PingInterval == 0 {
		e.PingInterval = 20 * time.Second
	}
	if e.ReadTimeout == 0 {
		e.ReadTimeout = 60 * time.Second
	}
	if e.DownloadBatch == 0 {
		e.DownloadBatch = schema.MaxBatchChanges
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Log == nil {
		e.Log = slog.Default()
	}
}

// BearerToken extracts the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	return ""
}

// ServeHTTP authenticates the upgrade request and runs the session.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	if e.sessions == nil {
		e.defaults()
		e.sessions = map[*conn]struct{}{}
		e.upgrader = websocket.Upgrader{ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10, WriteBufferPool: &sync.Pool{}}
		e.news = startNews(e.Ingest.Changed, downloadLinger)
		if sh, ok := e.Store.(store.Shared); ok {
			e.kickStop = make(chan struct{})
			go e.kicks(sh.SessionKicks(), e.kickStop)
		}
	}
	closed := e.closed
	if !closed {
		e.wg.Add(1)
	}
	e.mu.Unlock()
	if closed {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	defer e.wg.Done()
	dev, err := e.Registry.Authenticate(r.Context(), BearerToken(r))
	if err != nil {
		e.Log.Warn("sync refused", "remote", r.RemoteAddr, "err", err)
		code := http.StatusUnauthorized
		if !errors.Is(err, devices.ErrAuth) {
			code = http.StatusInternalServerError
		}
		http.Error(w, "unauthorised: unknown, wrong or revoked token", code)
		return
	}
	ws, err := e.upgrader.Upgrade(w, r, nil)
	if err != nil {
		e.Log.Warn("websocket upgrade", "remote", r.RemoteAddr, "err", err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{ep: e, ws: ws, dev: dev, ctx: ctx, cancel: cancel,
		out: make(chan *schema.Msg, 8), log: e.Log.With("device", dev.ID, "scope", dev.Scope)}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		cancel()
		ws.Close()
		return
	}
	// One session per device: a new connection means the old one is
	// dead or stale (a laptop that lost its network and came back), and
	// keeping both would let one device have twice its in-flight cap.
	for old := range e.sessions {
		if old.dev.ID == dev.ID {
			old.fail(&schema.Error{Code: schema.ErrProtocol, Message: "replaced by a newer connection of this device", Retry: true})
		}
	}
	e.sessions[c] = struct{}{}
	e.mu.Unlock()
	c.run()
	e.mu.Lock()
	delete(e.sessions, c)
	e.mu.Unlock()
}

// Shutdown tells every session the server is stopping, lets batches in
// flight finish their commit and ack, closes the connections and waits
// for the sessions to end (or ctx to expire).
func (e *Endpoint) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	if !e.closed && e.kickStop != nil {
		close(e.kickStop)
	}
	stopNews := !e.closed && e.news != nil
	e.closed = true
	for c := range e.sessions {
		c.stop()
	}
	e.mu.Unlock()
	if stopNews {
		e.news.close()
	}
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		e.mu.Lock()
		for c := range e.sessions {
			c.ws.Close()
		}
		e.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Kick closes the sessions of a device (after it was revoked), on every
// server process of a store.Shared store.
func (e *Endpoint) Kick(deviceID string) {
	if sh, ok := e.Store.(store.Shared); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := sh.EndSession(ctx, deviceID); err != nil && e.Log != nil {
			e.Log.Warn("end the device's sessions on the other server processes", "device", deviceID, "err", err)
		}
		cancel()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.sessions {
		if c.dev.ID == deviceID {
			c.fail(&schema.Error{Code: schema.ErrAuth, Message: "device revoked"})
		}
	}
}

// conn is one device's session.
type conn struct {
	ep     *Endpoint
	ws     *websocket.Conn
	dev    store.Device
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	out    chan *schema.Msg

	failOnce sync.Once
	failMsg  *schema.Error
	// windowed: the device asked for flow-control windows
	// (schema.FeatureWindow); set before the session's loops start.
	windowed bool
	// turn is the session's place in the ingester's turns when the device
	// takes turns (schema.FeatureTurns), else nil; credit is what its
	// grants allow it to send still.
	turn   *ingest.Holder
	credit atomic.Int64
}

func (c *conn) stop() {
	c.fail(&schema.Error{Code: schema.ErrShuttingDown, Message: "server shutting down", Retry: true})
}

// fail records the error to send and ends the session.
func (c *conn) fail(e *schema.Error) {
	c.failOnce.Do(func() {
		c.failMsg = e
		c.cancel()
	})
}

func (c *conn) run() {
	e := c.ep
	defer c.ws.Close()
	defer c.cancel()
	// No read limit on the connection: schema.ReadFrame enforces the
	// frame limit itself, so an oversized frame gets a bad_frame error
	// that says why before the close (gorilla's own limit answers with a
	// bare close).
	// Deadlines use the real clock: e.Now may be a test's moved clock.
	c.ws.SetReadDeadline(time.Now().Add(e.ReadTimeout))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(e.ReadTimeout))
	})
	hello, err := c.readHello()
	if err != nil {
		c.log.Warn("sync hello refused", "err", err)
		var pe *schema.Error
		if !errors.As(err, &pe) {
			pe = &schema.Error{Code: schema.ErrBadFrame, Message: err.Error()}
		}
		c.writeNow(&schema.Msg{Type: schema.MsgError, Error: pe})
		return
	}
	release, err := c.claim()
	if err != nil {
		c.log.Warn("sync session refused", "err", err)
		c.writeNow(&schema.Msg{Type: schema.MsgError, Error: &schema.Error{Code: schema.ErrOverloaded, Retry: true,
			Message: "this device's session is still open on another server process; try again"}})
		return
	}
	defer release()
	c.keepHealth(hello)
	// Read after the claim: a session the device had on another process
	// has committed all it will.
	mark, err := e.Store.Mark(c.ctx, c.dev.ID)
	if err != nil {
		c.writeNow(&schema.Msg{Type: schema.MsgError, Error: &schema.Error{Code: schema.ErrInternal, Message: "read mark", Retry: true}})
		return
	}
	welcome := &schema.Welcome{Protocol: schema.ProtocolVersion, Schema: schema.SchemaVersion, HighWater: mark.HighWater,
		Scope: c.dev.Scope, ServerTimeMS: e.Now().UnixMilli(), MaxInFlight: e.MaxInFlight, MaxBatch: schema.MaxBatchChanges}
	if hello.Features&schema.FeatureIncarnation != 0 {
		// Only to devices that asked: an older one refuses the field.
		if welcome.Incarnation, err = e.Store.Incarnation(c.ctx); err != nil {
			c.writeNow(&schema.Msg{Type: schema.MsgError, Error: &schema.Error{Code: schema.ErrInternal, Message: "read incarnation", Retry: true}})
			return
		}
	}
	if hello.Features&schema.FeatureTurns != 0 {
		c.turn = e.Ingest.Turns().Join()
		// Deferred here, so a session that ends before its loops start
		// gives back its grant too; otherwise after they stopped, when
		// every batch it sent was answered.
		defer c.turn.Leave()
		welcome.Turns = true
		if want := schema.FirstAsk(hello.Health, mark.HighWater); want > 0 {
			c.turn.Ask(want)
			welcome.Grant = c.turn.Take()
			c.credit.Add(int64(welcome.Grant))
		}
	} else if hello.Features&schema.FeatureWindow != 0 {
		c.windowed = true
		welcome.Window = e.Ingest.Window()
	}
	if err := c.writeNow(&schema.Msg{Type: schema.MsgWelcome, Welcome: welcome}); err != nil {
		return
	}
	c.log.Info("sync session", "high_water", mark.HighWater, "cursor", hello.Cursor)

	var workers sync.WaitGroup
	writerDone := make(chan struct{})
	go func() { defer close(writerDone); c.writeLoop() }()
	pending := make(chan pendingBatch, e.MaxInFlight)
	workers.Add(2)
	go func() { defer workers.Done(); c.ackLoop(pending) }()
	go func() { defer workers.Done(); c.downloadLoop(hello.Cursor, pageBudget(hello.PageBytes)) }()
	if c.turn != nil {
		workers.Add(1)
		go func() { defer workers.Done(); c.grantLoop() }()
	}

	c.readLoop(pending)
	close(pending)
	// Batches already handed to the writer finish: their acks are sent if
	// the connection still works, so a clean shutdown loses no ack.
	workers.Wait()
	close(c.out)
	<-writerDone
}

// keepHealth stores the device's report of its own state for the
// offices. Failing to store it does not stop the sync: the figures are
// the point, the report only describes them.
func (c *conn) keepHealth(h *schema.Hello) {
	if h.Health == nil {
		return // an older build
	}
	err := c.ep.Store.PutHealth(c.ctx, c.dev.ID, store.Health{Report: *h.Health, AppVersion: h.AppVersion, At: c.ep.Now()})
	if err != nil {
		c.log.Warn("keep device health", "err", err)
	}
}

func (c *conn) readHello() (*schema.Hello, error) {
	data, err := schema.ReadFrame(c.ws)
	if err != nil {
		return nil, fmt.Errorf("read hello: %w", err)
	}
	m, err := schema.DecodeMsg(data)
	if err != nil {
		return nil, err
	}
	if m.Type != schema.MsgHello {
		return nil, &schema.Error{Code: schema.ErrProtocol, Message: fmt.Sprintf("first message is %s, want hello", m.Type)}
	}
	h := m.Hello
	if h.Protocol != schema.ProtocolVersion || h.Schema != schema.SchemaVersion {
		return nil, &schema.Error{Code: schema.ErrVersion, Message: fmt.Sprintf(
			"device speaks protocol %d schema %d; server speaks protocol %d schema %d: update the app",
			h.Protocol, h.Schema, schema.ProtocolVersion, schema.SchemaVersion)}
	}
	if h.Device != c.dev.ID {
		return nil, &schema.Error{Code: schema.ErrAuth, Message: "hello names another device than the token"}
	}
	return h, nil
}

// pendingBatch is a batch in the writer's hands and its size.
type pendingBatch struct {
	p  ingest.Pending
	n  int
	at time.Time // when its frame was read
}

func (c *conn) readLoop(pending chan<- pendingBatch) {
	acct := ingest.Account{Device: c.dev.ID, Scope: c.dev.Scope, Role: c.dev.Role}
	frames := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			data, err := schema.ReadFrame(c.ws)
			if err != nil {
				readErr <- err
				return
			}
			c.ws.SetReadDeadline(time.Now().Add(c.ep.ReadTimeout))
			select {
			case frames <- data:
			case <-c.ctx.Done():
				readErr <- c.ctx.Err()
				return
			}
		}
	}()
	for {
		var data []byte
		select {
		case <-c.ctx.Done():
			return
		case err := <-readErr:
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) && !errors.Is(err, context.Canceled) {
				c.log.Info("sync connection ended", "err", err)
				c.fail(&schema.Error{Code: schema.ErrBadFrame, Message: err.Error()})
			} else {
				c.cancel()
			}
			return
		case data = <-frames:
		}
		at := time.Now()
		m, err := schema.DecodeMsg(data)
		if err != nil {
			c.log.Warn("bad frame", "err", err)
			c.fail(&schema.Error{Code: schema.ErrBadFrame, Message: err.Error()})
			return
		}
		if m.Type == schema.MsgAsk && c.turn != nil {
			c.turn.Ask(m.Ask.Changes)
			continue
		}
		if m.Type != schema.MsgUpload {
			c.fail(&schema.Error{Code: schema.ErrProtocol, Message: fmt.Sprintf("unexpected %s", m.Type)})
			return
		}
		if c.turn != nil {
			if left := c.credit.Add(-int64(m.Upload.Len())); left < 0 {
				c.fail(&schema.Error{Code: schema.ErrProtocol, Message: fmt.Sprintf(
					"upload of %d changes beyond the %d granted", m.Upload.Len(), left+int64(m.Upload.Len()))})
				return
			}
		}
		if len(pending) == cap(pending) {
			c.fail(&schema.Error{Code: schema.ErrOverloaded, Retry: true,
				Message: fmt.Sprintf("more than %d batches in flight", cap(pending))})
			return
		}
		p, err := c.ep.Ingest.Enqueue(c.ctx, acct, m.Upload)
		if err != nil {
			c.fail(&schema.Error{Code: schema.ErrShuttingDown, Message: err.Error(), Retry: true})
			return
		}
		pending <- pendingBatch{p: p, n: m.Upload.Len(), at: at}
	}
}

// ackLoop sends acks in batch order once each batch is durable.
func (c *conn) ackLoop(pending <-chan pendingBatch) {
	for pb := range pending {
		// Wait without the session's context: the batch is in the writer's
		// hands and will be committed; its ack is worth sending if we can.
		ack, err := pb.p.Wait(context.Background())
		if c.turn != nil {
			c.turn.Done(pb.n, time.Since(pb.at))
		}
		if err != nil {
			var pe *ingest.ProtocolError
			if errors.As(err, &pe) {
				c.fail(&schema.Error{Code: schema.ErrProtocol, Message: pe.Msg})
			} else {
				c.fail(&schema.Error{Code: schema.ErrInternal, Message: err.Error(), Retry: true})
			}
			continue
		}
		if c.windowed {
			ack.Window = c.ep.Ingest.Window()
		}
		c.send(&schema.Msg{Type: schema.MsgAck, Ack: ack})
	}
}

// grantLoop tells the device each grant of its turns. The credit grows
// before the grant is sent, so the upload the grant allows never finds
// it short.
func (c *conn) grantLoop() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.turn.Ready():
		}
		n := c.turn.Take()
		if n == 0 {
			continue
		}
		c.credit.Add(int64(n))
		if !c.send(&schema.Msg{Type: schema.MsgGrant, Grant: &schema.Grant{Changes: n}}) {
			return
		}
	}
}

func (c *conn) visible(e *store.LogEntry) bool {
	ch := &e.Change
	if ch.Device == c.dev.ID {
		return false // the device has its own changes
	}
	if ch.Unit.Within(c.dev.Scope) {
		return true
	}
	// Targets and locks set for the units above a site flow down to it.
	return ch.Kind.FlowsDown() && c.dev.Scope.Within(ch.Unit)
}

// pageBudget is the estimated bytes one download frame may carry: what
// the device asked for in its hello (a link that breaks often wants small
// pages), never more than schema.BatchBudget.
func pageBudget(asked int) int {
	if asked > 0 {
		return min(asked, schema.BatchBudget)
	}
	return schema.BatchBudget
}

// downloadLinger is how long the caught-up downloads wait after a commit
// before they read the log (news.go), so the commits of that while cost
// each session one read. With many devices uploading, commits come every
// few milliseconds, and every session read the log after each (and sent a
// frame when only its cursor moved): with 200 devices that was a fifth of
// the server's CPU, and as much again on the devices writing their
// cursors. A tenth of a second is nothing to a device that syncs every
// few minutes.
const downloadLinger = 100 * time.Millisecond

// cursorEvery is how often a frame goes out only to move the device's
// cursor past changes outside its scope. Holding it back loses nothing:
// the next frame with entries carries it, and a session that ends first
// leaves the device to skip those changes again next time.
const cursorEvery = time.Second

// downloadLoop streams the log after cursor in frames of at most
// e.DownloadBatch entries and budget estimated bytes (at least one entry
// each, so a change larger than the budget still goes out).
func (c *conn) downloadLoop(cursor uint64, budget int) {
	e := c.ep
	first := true
	sentCaughtUp := false
	sentCursor, sentAt := cursor, time.Now()
	for {
		changed := e.news.next()
		entries, next, err := c.readPage(cursor, budget)
		full := errors.Is(err, errFrameFull)
		if full {
			err, next = nil, entries[len(entries)-1].Seq
		}
		if err != nil {
			if c.ctx.Err() == nil {
				c.log.Error("download", "err", err)
				c.fail(&schema.Error{Code: schema.ErrInternal, Message: "read log", Retry: true})
			}
			return
		}
		cursor = next
		caughtUp := !full && len(entries) < e.DownloadBatch && next >= e.Ingest.Head()
		// Also send an empty frame when only the caught-up state changed:
		// after a full last batch the device must still hear it is caught
		// up, or it waits for news until its read times out.
		worth := first || len(entries) > 0 || caughtUp != sentCaughtUp
		if worth || (cursor != sentCursor && time.Since(sentAt) >= cursorEvery) {
			if !c.send(&schema.Msg{Type: schema.MsgDownload, Download: &schema.Download{Entries: entries, Cursor: cursor, CaughtUp: caughtUp}}) {
				return
			}
			first = false
			sentCaughtUp = caughtUp
			sentCursor, sentAt = cursor, time.Now()
		}
		if !caughtUp {
			continue
		}
		select {
		case <-changed:
		case <-c.ctx.Done():
			return
		}
	}
}

// readPage reads the entries of the next download frame after cursor:
// at most e.DownloadBatch, and no more than budget estimated bytes unless
// that is a single entry. A backend that can hand out the changes as
// stored (store.RawLogReader) has them sent as they are. The error is
// errFrameFull when the budget cut the page.
func (c *conn) readPage(cursor uint64, budget int) ([]schema.LogEntry, uint64, error) {
	e := c.ep
	var entries []schema.LogEntry
	size := 0
	// Changes with long notes must not make a frame the device cannot
	// read: stop at the byte budget, resume from there.
	add := func(le schema.LogEntry, s int) error {
		if len(entries) > 0 && size+s > budget {
			return errFrameFull
		}
		entries = append(entries, le)
		size += s
		return nil
	}
	if raw, ok := e.Store.(store.RawLogReader); ok {
		// One buffer for the page's changes: they are copied out of
		// the store's, which is reused after each call.
		var buf []byte
		next, err := raw.LogAfterRaw(c.ctx, c.dev.Scope, c.dev.ID, cursor, e.DownloadBatch, c.visible, func(seq uint64, change []byte) error {
			if cap(buf)-len(buf) < len(change) {
				buf = make([]byte, 0, max(64<<10, 2*len(change)))
			}
			at := len(buf)
			buf = append(buf, change...)
			return add(schema.LogEntry{Seq: seq, Raw: buf[at:len(buf):len(buf)]}, len(change))
		})
		return entries, next, err
	}
	next, err := e.Store.LogAfter(c.ctx, c.dev.Scope, c.dev.ID, cursor, e.DownloadBatch, c.visible, func(le *store.LogEntry) error {
		return add(schema.LogEntry{Seq: le.Seq, Change: le.Change}, schema.ChangeSize(&le.Change))
	})
	return entries, next, err
}

// errFrameFull stops a log read once a download frame is full.
var errFrameFull = errors.New("download frame full")

// send queues a message for the writer; false once the session ended.
func (c *conn) send(m *schema.Msg) bool {
	select {
	case c.out <- m:
		return true
	case <-c.ctx.Done():
		// Acks are still delivered during shutdown: the writer drains
		// out until it is closed.
		if m.Type == schema.MsgAck {
			c.out <- m
			return true
		}
		return false
	}
}

// writeNow writes m on the caller's goroutine: the handshake's, before
// writeLoop starts, or writeLoop's own.
func (c *conn) writeNow(m *schema.Msg) error { return schema.WriteMsg(c.ws, m, 10*time.Second) }

// writeLoop owns every write to the connection (gorilla allows one writer)
// and sends pings. It runs until out is closed; after a failure it keeps
// draining so senders never block.
func (c *conn) writeLoop() {
	ping := time.NewTicker(c.ep.PingInterval)
	defer ping.Stop()
	broken := false
	for {
		select {
		case m, ok := <-c.out:
			if !ok {
				// Settle failMsg: a fail (Kick, Shutdown) racing with
				// the end of the session either finished before this
				// or never writes it.
				c.failOnce.Do(func() {})
				if !broken {
					if c.failMsg != nil {
						c.writeNow(&schema.Msg{Type: schema.MsgError, Error: c.failMsg})
					}
					c.ws.WriteControl(websocket.CloseMessage,
						websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
				}
				return
			}
			if broken {
				continue
			}
			if err := c.writeNow(m); err != nil {
				broken = true
				c.cancel()
			}
		case <-ping.C:
			if broken {
				continue
			}
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second)); err != nil {
				broken = true
				c.cancel()
			}
		}
	}
}
