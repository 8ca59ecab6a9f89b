// Package syncclient is the device side of the sync protocol: it enrols a
// store with a server, uploads the outbox in pipelined batches, releases
// entries only after the server's durable ack, applies the server's
// download stream with the same merge, and keeps state values (pending,
// sending, last success, last error) the desktop app shows.
//
// Each SyncOnce is one session on a new connection (session.go): the
// handshake (handshake.go), the upload pipeline and its acks (upload.go),
// download pages (download.go); acked changes leave the outbox in the
// background (releaser.go); a server restored from an older copy gets
// what it lost offered again (refill.go).
package syncclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
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
	// Refill is set when the server turned out to be restored from an
	// older copy and the device queued again what it lost.
	Refill *agent.Refill
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
	// AppVersion is what the hello says this program is (for the
	// office's device list); schema.BuildVersion() by default.
	AppVersion string
	// MinBackoff and MaxBackoff bound Run's wait after a failed attempt
	// (1 s and 5 min when 0). The wait doubles from MinBackoff after each
	// failure that made no progress and returns to MinBackoff after an
	// attempt that advanced the upload mark or the download cursor (see
	// backoff). Set them before Run starts.
	MinBackoff, MaxBackoff time.Duration

	// link is the batch and page size this client learned; it outlives
	// sessions, not the process.
	link linkSizes
	// window is what the upload window grew to (window.go).
	window grownWindow
	// plainHello: the server refused Hello.Features (it is older than
	// them); later hellos leave them out.
	plainHello atomic.Bool

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
		kick:   make(chan struct{}, 1), AppVersion: schema.BuildVersion()}
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
// exponentially (MinBackoff doubling to MaxBackoff) with jitter, so a
// hundred townships coming back online do not hit the server in the same
// second — except after an attempt that made progress, which is retried
// after MinBackoff however it ended (a link that drops every few
// kilobytes still moves batches and pages). The upload batch and download
// page sizes learned on a bad link carry over between attempts.
func (c *Client) Run(ctx context.Context, interval time.Duration) {
	b := newBackoff(c.MinBackoff, c.MaxBackoff)
	for {
		res, err := c.SyncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := interval
		if w := b.after(err != nil, res.HighWater, c.st.Cursor()); err != nil {
			wait = jitter(w)
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
// The Result counts what was done even when it fails partway. Errors to
// test for: ErrNotEnrolled; ErrServerLostChanges (wrapped), which no
// retry cures; a *schema.Error, the server's own refusal (its Retry says
// whether trying later may help). Explain says any error in Chinese.
func (c *Client) SyncOnce(ctx context.Context) (Result, error) {
	res, err := c.syncOnce(ctx)
	if errors.Is(err, errPlainHello) {
		res, err = c.syncOnce(ctx)
	}
	if errors.Is(err, errRedownload) {
		var again Result
		again, err = c.syncOnce(ctx)
		res.Uploaded += again.Uploaded
		res.Parked += again.Parked
		res.Restamped += again.Restamped
		res.Downloaded += again.Downloaded
		res.HighWater, res.Cursor = again.HighWater, again.Cursor
		res.Refill = cmp.Or(res.Refill, again.Refill)
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
	b, err := c.st.Backlog()
	if err != nil {
		return 0, err
	}
	return b.Outbox, nil
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
