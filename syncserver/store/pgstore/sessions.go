package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"laoxiao/syncserver/store"
)

// kickChannel is the NOTIFY channel on which a process asks the others to
// end a device's session; the payload is "<device id>|<process token>".
const kickChannel = "laoxiao_session_kick"

// sessions keeps one sync session per device across server processes
// with session-level advisory locks, all held on one dedicated connection
// per process (not one per session: a province's thousands of devices
// would exhaust the database's connections). When the process dies, its
// connection closes and PostgreSQL releases every claim at once, so a
// device whose server was killed reconnects to another without waiting
// for a lease to expire. A second dedicated connection LISTENs for other
// processes' requests to end a session here.
type sessions struct {
	s     *Store
	token string // this process, to ignore its own requests

	mu     sync.Mutex
	conn   *pgx.Conn      // holds the advisory locks; nil after it broke
	held   map[string]int // claims per device on conn
	kicks  chan string    // the Store's
	stop   chan struct{}
	done   sync.WaitGroup
	closed bool
}

// SessionKicks implements store.Shared.
func (s *Store) SessionKicks() <-chan string { return s.kicks }

// sessions returns the session claims, starting them at the first call
// (and again after a start that failed: the database may have been
// unreachable for a moment).
func (s *Store) sessions(ctx context.Context) (*sessions, error) {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	if s.sessClosed {
		return nil, errors.New("store closed")
	}
	if s.sess != nil {
		return s.sess, nil
	}
	ss := &sessions{s: s, held: map[string]int{}, kicks: s.kicks, stop: make(chan struct{})}
	var err error
	if ss.token, err = newIncarnation(); err != nil {
		return nil, err
	}
	if err := ss.connect(ctx); err != nil {
		return nil, err
	}
	// Listening before the first claim: a request to end a session this
	// process holds must not go out before anyone hears it.
	lc, err := ss.listenConn(ctx)
	if err != nil {
		ss.conn.Close(context.Background())
		return nil, err
	}
	ss.done.Add(2)
	go ss.listen(lc)
	go ss.watch()
	s.sess = ss
	return ss, nil
}

func (ss *sessions) connect(ctx context.Context) error {
	cfg := ss.s.pool.Config().ConnConfig.Copy()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect for session claims: %w", err)
	}
	ss.conn = conn
	return nil
}

// LockSession implements store.Shared.
func (s *Store) LockSession(ctx context.Context, device string) (func(), error) {
	ss, err := s.sessions(ctx)
	if err != nil {
		return nil, err
	}
	key := lockKey("laoxiao/session/" + device)
	asked := false
	for {
		ok, err := ss.try(ctx, device, key)
		if err != nil {
			return nil, err
		}
		if ok {
			var once sync.Once
			return func() { once.Do(func() { ss.unlock(device, key) }) }, nil
		}
		if !asked {
			asked = true
			if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, kickChannel, device+"|"+ss.token); err != nil {
				return nil, fmt.Errorf("ask for the session of %s: %w", device, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: %w", device, store.ErrSessionBusy)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// EndSession implements store.Shared: the request goes out with a
// token no process has, so this process's listener acts on it too.
func (s *Store) EndSession(ctx context.Context, device string) error {
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, kickChannel, device+"|end"); err != nil {
		return fmt.Errorf("ask to end the session of %s: %w", device, err)
	}
	return nil
}

func (ss *sessions) try(ctx context.Context, device string, key int64) (bool, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return false, errors.New("store closed")
	}
	if ss.conn == nil {
		if err := ss.connect(ctx); err != nil {
			return false, err
		}
	}
	var ok bool
	if err := ss.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		ss.broken()
		return false, fmt.Errorf("claim the session of %s: %w", device, err)
	}
	if ok {
		ss.held[device]++
	}
	return ok, nil
}

func (ss *sessions) unlock(device string, key int64) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.held[device] == 0 || ss.conn == nil {
		return // lost with a broken connection
	}
	ss.held[device]--
	if ss.held[device] == 0 {
		delete(ss.held, device)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := ss.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		ss.broken()
	}
}

// broken drops a connection that failed: its claims are gone (the server
// released them when it noticed), so every session that relied on one
// ends. Called with mu held.
func (ss *sessions) broken() {
	ss.s.log.Warn("session claims connection lost; ending the sessions it held", "sessions", len(ss.held))
	if ss.conn != nil {
		ss.conn.Close(context.Background())
		ss.conn = nil
	}
	for d := range ss.held {
		ss.kick(d)
	}
	ss.held = map[string]int{}
}

func (ss *sessions) kick(device string) {
	select {
	case ss.kicks <- device:
	default:
		ss.s.log.Warn("session kick dropped: queue full", "device", device)
	}
}

// watch checks the claims connection every few seconds, so claims lost
// with it end their sessions even when no session starts or ends.
func (ss *sessions) watch() {
	defer ss.done.Done()
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ss.stop:
			return
		case <-t.C:
		}
		ss.mu.Lock()
		if ss.conn != nil && len(ss.held) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if _, err := ss.conn.Exec(ctx, `SELECT 1`); err != nil {
				ss.broken()
			}
			cancel()
		}
		ss.mu.Unlock()
	}
}

// listenConn connects and LISTENs for requests to end sessions.
func (ss *sessions) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, ss.s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect to listen for session requests: %w", err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+kickChannel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("listen for session requests: %w", err)
	}
	return conn, nil
}

// listen passes other processes' requests to end a session here on to
// SessionKicks, reconnecting when its connection breaks.
func (ss *sessions) listen(conn *pgx.Conn) {
	defer ss.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-ss.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for ctx.Err() == nil {
		var err error
		if conn == nil {
			conn, err = ss.listenConn(ctx)
		}
		for err == nil {
			var n *pgconn.Notification
			n, err = conn.WaitForNotification(ctx)
			if err != nil {
				break
			}
			device, from, _ := strings.Cut(n.Payload, "|")
			if from == ss.token {
				continue
			}
			ss.mu.Lock()
			mine := ss.held[device] > 0
			ss.mu.Unlock()
			if mine {
				ss.kick(device)
			}
		}
		if conn != nil {
			conn.Close(context.Background())
			conn = nil
		}
		if ctx.Err() != nil {
			return
		}
		ss.s.log.Warn("session kick listener reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (ss *sessions) close() {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	ss.closed = true
	close(ss.stop)
	if ss.conn != nil {
		ss.conn.Close(context.Background())
		ss.conn = nil
	}
	ss.mu.Unlock()
	ss.done.Wait()
}
