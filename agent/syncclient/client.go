// Package syncclient is the device side of the sync protocol: it enrols a
// store with a server, uploads the outbox in pipelined batches, releases
// entries only after the server's durable ack, applies the server's
// download stream with the same merge, and keeps state values (pending,
// sending, last success, last error) the desktop app shows.
package syncclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Phase is what the client is doing.
type Phase string

// Phases, with the Chinese the app shows.
const (
	PhaseIdle       Phase = "idle"       // 空闲
	PhaseConnecting Phase = "connecting" // 正在连接
	PhaseSending    Phase = "sending"    // 正在上传
	PhaseReceiving  Phase = "receiving"  // 正在下载
	PhaseOffline    Phase = "offline"    // 离线
	PhaseNotEnrol   Phase = "not_enrolled"
)

// Label returns the phase in Chinese.
func (p Phase) Label() string {
	return map[Phase]string{PhaseIdle: "已同步", PhaseConnecting: "正在连接", PhaseSending: "正在上传",
		PhaseReceiving: "正在下载", PhaseOffline: "离线", PhaseNotEnrol: "尚未注册"}[p]
}

// State is a snapshot of the client for display.
type State struct {
	Phase       Phase
	Pending     int // outbox entries not yet acked
	Sent        int // acked in the current run
	Total       int // pending when the current run started
	Downloaded  int // remote changes applied in the current run
	LastSuccess time.Time
	LastError   string // English, for logs
	LastErrorZh string // plain Chinese, for the user
	ClockOffset time.Duration
	NextTry     time.Time
}

// Result sums up one sync run.
type Result struct {
	Uploaded   int
	Parked     int
	Restamped  int
	Downloaded int
	HighWater  uint64
	Cursor     uint64
}

// Client syncs one store with its server.
type Client struct {
	st  *agent.Store
	log *slog.Logger
	// Dial settings; tests may replace the dialer (e.g. to go through a
	// fault-injecting proxy).
	Dialer *websocket.Dialer
	// Timeout bounds a read while waiting on the server.
	Timeout time.Duration
	// OnState, when set, is called after every state change (not on the
	// caller's goroutine guarantees: the app must hop to its UI thread).
	OnState func(State)
	// OnAck, when set, is called for every upload batch the server acks,
	// with its size and the time from sending it to reading its ack
	// (benchmarks measure ack latency with it).
	OnAck func(changes int, latency time.Duration)

	mu    sync.Mutex
	state State
	kick  chan struct{}
}

// New returns a client for an enrolled (or not yet enrolled) store.
func New(st *agent.Store, log *slog.Logger) *Client {
	if log == nil {
		log = slog.Default()
	}
	c := &Client{st: st, log: log.With("component", "sync"), Timeout: 60 * time.Second,
		Dialer: &websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10},
		kick:   make(chan struct{}, 1)}
	c.state.Phase = PhaseIdle
	return c
}

// State returns the current state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Client) update(fn func(*State)) {
	c.mu.Lock()
	fn(&c.state)
	s := c.state
	cb := c.OnState
	c.mu.Unlock()
	if cb != nil {
		cb(s)
	}
}

// Kick asks a running Run loop to sync now.
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Run syncs whenever the server is reachable until ctx is cancelled: after
// a success it waits for interval or a Kick; after a failure it backs off
// exponentially (1 s doubling to 5 min) with jitter, so a hundred
// townships coming back online do not hit the server in the same second.
func (c *Client) Run(ctx context.Context, interval time.Duration) {
	backoff := time.Second
	for {
		_, err := c.SyncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := interval
		if err != nil {
			wait = backoff/2 + rand.N(backoff/2+1)
			backoff = min(backoff*2, 5*time.Minute)
		} else {
			backoff = time.Second
		}
		c.update(func(s *State) { s.NextTry = time.Now().Add(wait) })
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-c.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// SyncOnce connects, uploads every pending change, downloads until caught
// up, and disconnects. It records the outcome in the store for Status.
func (c *Client) SyncOnce(ctx context.Context) (Result, error) {
	res, err := c.syncOnce(ctx)
	if errors.Is(err, errRedownload) {
		var again Result
		again, err = c.syncOnce(ctx)
		res.Uploaded += again.Uploaded
		res.Parked += again.Parked
		res.Restamped += again.Restamped
		res.Downloaded += again.Downloaded
		res.HighWater, res.Cursor = again.HighWater, again.Cursor
		if errors.Is(err, errRedownload) {
			err = fmt.Errorf("clock corrections did not settle after two sessions")
		}
	}
	now := time.Now()
	rec := agent.SyncResult{At: now, Uploaded: res.Uploaded, Applied: res.Downloaded}
	if err != nil {
		rec.Error = err.Error()
		zh := Explain(err)
		c.update(func(s *State) { s.Phase = PhaseOffline; s.LastError = err.Error(); s.LastErrorZh = zh })
		c.log.Info("sync failed", "err", err)
	} else {
		c.update(func(s *State) { s.Phase = PhaseIdle; s.LastSuccess = now; s.LastError = ""; s.LastErrorZh = "" })
	}
	if e, ok, _ := c.st.Enrollment(); ok {
		rec.ServerURL = e.ServerURL
	}
	if serr := c.st.SetLastSync(rec); serr != nil && err == nil {
		err = serr
	}
	if n, serr := c.pending(); serr == nil {
		c.update(func(s *State) { s.Pending = n })
	}
	return res, err
}

func (c *Client) pending() (int, error) {
	st, err := c.st.Status()
	if err != nil {
		return 0, err
	}
	return st.Outbox, nil
}

// ErrNotEnrolled is returned by SyncOnce before the store is enrolled.
var ErrNotEnrolled = errors.New("not enrolled with a server")

func (c *Client) dial(ctx context.Context) (*websocket.Conn, error) {
	e, ok, err := c.st.Enrollment()
	if err != nil {
		return nil, err
	}
	if !ok {
		c.update(func(s *State) { s.Phase = PhaseNotEnrol })
		return nil, ErrNotEnrolled
	}
	u, err := url.Parse(e.ServerURL)
	if err != nil {
		return nil, fmt.Errorf("server address %q: %w", e.ServerURL, err)
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/v1/sync"
	h := http.Header{}
	h.Set("Authorization", "Bearer "+e.Token)
	d := c.Dialer
	if d.TLSClientConfig == nil && u.Scheme == "wss" {
		tc, err := tlsConfig(e.CAPEM)
		if err != nil {
			return nil, err
		}
		d.TLSClientConfig = tc
	}
	ws, resp, err := d.DialContext(ctx, u.String(), h)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return nil, &schema.Error{Code: schema.ErrAuth, Message: "server refused the token (unknown, wrong or revoked)"}
		}
		return nil, fmt.Errorf("connect %s: %w", u.Host, err)
	}
	ws.SetReadLimit(schema.MaxFrameBytes)
	return ws, nil
}

// inflight is an upload the server has not acked yet.
type inflight struct {
	batch   uint64
	changes []schema.Change
	sentAt  time.Time
}

func (c *Client) syncOnce(ctx context.Context) (Result, error) {
	var res Result
	c.update(func(s *State) { s.Phase = PhaseConnecting; s.Sent = 0; s.Downloaded = 0 })
	ws, err := c.dial(ctx)
	if err != nil {
		return res, err
	}
	defer ws.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { <-ctx.Done(); ws.Close() }()

	clock := c.st.Clock()
	sentAt := time.Now() // for the round trip only: monotonic
	localAt := localNow(clock)
	hello := &schema.Hello{Protocol: schema.ProtocolVersion, Schema: schema.SchemaVersion, Device: c.st.DeviceID(),
		Cursor: c.st.Cursor(), ClockMS: clock.Physical().UnixMilli()}
	if err := schema.WriteMsg(ws, &schema.Msg{Type: schema.MsgHello, Hello: hello}, writeTimeout); err != nil {
		return res, fmt.Errorf("send hello: %w", err)
	}
	msgs := make(chan *schema.Msg, 16)
	readErr := make(chan error, 1)
	go func() {
		defer close(msgs)
		for {
			m, err := schema.ReadMsg(ws, c.Timeout)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() (*schema.Msg, error) {
		m, ok := <-msgs
		if !ok {
			select {
			case err := <-readErr:
				var refused *schema.Error
				if errors.As(err, &refused) {
					return nil, err // the server's own word: kept as it is for Explain
				}
				return nil, fmt.Errorf("read: %w", err)
			default:
				return nil, ctx.Err()
			}
		}
		return m, nil
	}

	m, err := next()
	if err != nil {
		return res, err
	}
	if m.Type != schema.MsgWelcome {
		return res, fmt.Errorf("server answered hello with %s", m.Type)
	}
	w := m.Welcome
	// The server's clock at the midpoint of the round trip, less ours.
	rtt := time.Since(sentAt)
	offset := time.UnixMilli(w.ServerTimeMS).Sub(localAt.Add(rtt / 2)).Round(time.Millisecond)
	jump := offset - clock.Offset()
	if jump > time.Second || jump < -time.Second {
		if err := c.st.SetClockOffset(offset); err != nil {
			return res, err
		}
		c.log.Info("clock offset learned", "offset", offset)
	}
	// A clock more than a minute behind stamped the unsynced changes too
	// early: the server would accept them and they would lose conflicts
	// they won in real time, so move them to the time they were really
	// made before sending them. (Stamps too far ahead the server refuses
	// itself, and the refusal path below moves them.) Changes at or below
	// the server's mark are accepted already and keep their stamps.
	if jump > time.Minute {
		n, err := c.st.Restamp(w.HighWater+1, offset)
		if err != nil {
			return res, err
		}
		if n > 0 {
			res.Restamped += n
			c.log.Warn("clock was wrong; unsynced changes moved to corrected time", "count", n, "offset", offset)
		}
	}
	c.update(func(s *State) { s.ClockOffset = clock.Offset() })
	status, err := c.st.Status()
	if err != nil {
		return res, err
	}
	// Outbox entries at or below the server's mark are durable there, but
	// the ack that answered them was lost with a connection, and it may
	// have carried refusals. Releasing them now would drop refused changes
	// unseen; resending them instead gets duplicate acks that repeat the
	// refusals, parked like any other. (A mark beyond every sequence this
	// device issued means the store was restored from a backup; Release
	// handles that.)
	sentUpTo := w.HighWater // greatest seq sent (or acked)
	released := w.HighWater // greatest seq released from the outbox
	if status.OldestSeq != 0 && status.OldestSeq <= w.HighWater && w.HighWater <= status.LastSeq {
		sentUpTo = status.OldestSeq - 1
		released = sentUpTo
	} else if err := c.st.Release(w.HighWater); err != nil {
		return res, err
	}
	res.HighWater = w.HighWater
	// Acked changes leave the outbox in the background, so the next batch
	// goes out while they are deleted; the deferred finish completes the
	// releases asked for even when the connection breaks, since the
	// server holds those changes durably.
	rel := startReleaser(c.st, released)
	defer rel.finish()
	maxInFlight := max(1, w.MaxInFlight)
	maxBatch := max(1, min(w.MaxBatch, schema.MaxBatchChanges, 500))

	total := status.Outbox
	c.update(func(s *State) { s.Total = total; s.Pending = total; s.Phase = PhaseSending })

	var (
		queue     []inflight
		batchNo   uint64
		caughtUp  bool
		resending bool // a gap or clock refusal: drain acks, then resend from the mark
		restampAt uint64
		restamps  int
		serverMS  int64
	)
	for {
		// Fill the pipeline.
		for !resending && len(queue) < maxInFlight {
			chs, err := c.st.Outbox(sentUpTo, maxBatch)
			if err != nil {
				return res, err
			}
			if len(chs) == 0 {
				break
			}
			// Holes in the outbox come from parked changes, which the
			// server's mark has passed. A hole above the mark means the
			// server lost changes it had acked (its store was restored
			// from an older copy): it would answer every resend with a
			// gap, so say so instead of resending forever.
			if first := chs[0].Seq; first > sentUpTo+1 && first > res.HighWater+1 {
				return res, fmt.Errorf("server's mark %d is below this device's oldest unsent change %d: "+
					"the server lost changes it had acknowledged; ask the county office to restore its data", res.HighWater, first)
			}
			// A batch must be gapless (parked changes leave holes in the
			// outbox below the server's mark) and fit in a frame: changes
			// with long notes would otherwise make a frame the server
			// refuses on every retry.
			size := schema.ChangeSize(&chs[0])
			for i := 1; i < len(chs); i++ {
				size += schema.ChangeSize(&chs[i])
				if chs[i].Seq != chs[i-1].Seq+1 || size > schema.BatchBudget {
					chs = chs[:i]
					break
				}
			}
			batchNo++
			up := &schema.Upload{Batch: batchNo, First: chs[0].Seq, Changes: chs}
			at := time.Now()
			if err := schema.WriteMsg(ws, &schema.Msg{Type: schema.MsgUpload, Upload: up}, writeTimeout); err != nil {
				return res, fmt.Errorf("send batch: %w", err)
			}
			queue = append(queue, inflight{batch: batchNo, changes: chs, sentAt: at})
			sentUpTo = chs[len(chs)-1].Seq
		}
		if len(queue) == 0 {
			if resending {
				if restampAt > 0 {
					// A correct offset makes the resent stamps acceptable;
					// refusals again mean the server's clock is jumping.
					if restamps++; restamps > 3 {
						return res, fmt.Errorf("server refused our clock %d times; not re-stamping again", restamps)
					}
					offset := time.UnixMilli(serverMS).Sub(localNow(clock))
					n, err := c.st.Restamp(restampAt, offset)
					if err != nil {
						return res, err
					}
					res.Restamped += n
					c.log.Warn("server refused our clock; changes re-stamped", "from_seq", restampAt, "count", n, "offset", offset.Round(time.Millisecond))
					c.update(func(s *State) { s.ClockOffset = offset })
					restampAt = 0
				}
				resending = false
				sentUpTo = res.HighWater
				continue
			}
			// Everything up to the mark was sent and acked: the mark can
			// be released in full (it may pass the last batch when the
			// changes after it were parked).
			if res.HighWater > released {
				rel.upTo(res.HighWater)
				released = res.HighWater
			}
			if caughtUp {
				if err := rel.finish(); err != nil {
					return res, err
				}
				break
			}
		}
		m, err := next()
		if err != nil {
			return res, err
		}
		switch m.Type {
		case schema.MsgAck:
			a := m.Ack
			if len(queue) == 0 || queue[0].batch != a.Batch {
				return res, fmt.Errorf("ack for batch %d out of order", a.Batch)
			}
			sent := queue[0]
			queue = queue[1:]
			if c.OnAck != nil {
				c.OnAck(len(sent.changes), time.Since(sent.sentAt))
			}
			for _, rej := range a.Rejected {
				if rej.Code == schema.RejectClockAhead {
					if restampAt == 0 || rej.Seq < restampAt {
						restampAt = rej.Seq
					}
					serverMS = rej.ServerTimeMS
					resending = true
					continue
				}
				ch, ok := findSeq(sent.changes, rej.Seq)
				if !ok {
					return res, fmt.Errorf("server refused seq %d not in batch %d", rej.Seq, a.Batch)
				}
				if err := c.st.Park(ch, rej); err != nil {
					return res, err
				}
				res.Parked++
			}
			if a.Status == schema.AckGap {
				resending = true
			}
			// Release what this ack covers, never past its batch: a
			// duplicate's ack carries the server's whole mark, and later
			// batches may still bring refusals to park.
			if upto := min(a.HighWater, sent.changes[len(sent.changes)-1].Seq); upto > released {
				if err := rel.err(); err != nil {
					return res, err
				}
				rel.upTo(upto)
				released = upto
			}
			if a.HighWater > res.HighWater {
				res.Uploaded += int(a.HighWater - res.HighWater)
				res.HighWater = a.HighWater
			}
			c.update(func(s *State) { s.Sent = res.Uploaded; s.Pending = max(0, s.Total-res.Uploaded) })
		case schema.MsgDownload:
			d := m.Download
			if len(d.Entries) > 0 {
				c.update(func(s *State) { s.Phase = PhaseReceiving })
			}
			n, err := c.st.ApplyRemote(d.Entries, d.Cursor)
			if err != nil {
				return res, err
			}
			res.Downloaded += n
			res.Cursor = d.Cursor
			caughtUp = d.CaughtUp
			c.update(func(s *State) { s.Downloaded = res.Downloaded })
		default:
			return res, fmt.Errorf("unexpected %s from server", m.Type)
		}
	}
	ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	if res.Restamped > 0 {
		// Downloads merged against the old stamps may have lost values
		// that win now: merge the whole scope again.
		if err := c.st.ResetCursor(); err != nil {
			return res, err
		}
		return res, errRedownload
	}
	return res, nil
}

// errRedownload asks SyncOnce for one more session after a re-stamp.
var errRedownload = errors.New("re-stamped: download the scope again")

// localNow is the device's own wall clock, uncorrected: the store's clock
// source (which tests may replace) rather than time.Now, so the offset
// learned from the server is measured against the clock stamps come from.
func localNow(clock *schema.Clock) time.Time { return clock.Physical().Add(-clock.Offset()) }

func findSeq(chs []schema.Change, seq uint64) (schema.Change, bool) {
	for _, ch := range chs {
		if ch.Seq == seq {
			return ch, true
		}
	}
	return schema.Change{}, false
}

// writeTimeout bounds sending one frame to the server.
const writeTimeout = 30 * time.Second
