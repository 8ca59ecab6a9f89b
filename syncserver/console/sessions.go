package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"sync"
	"time"
)

// Session lifetimes: an idle session ends after SessionIdle, any session
// after SessionMax, so a console left open on an office PC does not stay
// signed in overnight.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// Cookie names. The login cookie carries the CSRF token of the sign-in
// form, before any session exists.
const (
	sessionCookie = "laoxiao_console"
	loginCookie   = "laoxiao_login"
)

// session is a signed-in account. Only the hash of its id is a map key,
// so a memory dump does not hand out live cookies.
type session struct {
	account string
	csrf    string
	created time.Time
	seen    time.Time
}

// sessions holds the signed-in sessions in memory: a restart signs
// everyone out, which is acceptable for an office console and avoids
// keeping bearer secrets on disk.
type sessions struct {
	idle, max time.Duration
	now       func() time.Time

	mu   sync.Mutex
	byID map[[32]byte]*session
}

func newSessions(idle, max time.Duration, now func() time.Time) *sessions {
	if idle <= 0 {
		idle = DefaultSessionIdle
	}
	if max <= 0 {
		max = DefaultSessionMax
	}
	return &sessions{idle: idle, max: max, now: now, byID: map[[32]byte]*session{}}
}

// randomToken returns 32 random bytes, URL-safe.
func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func sessionKey(id string) [32]byte { return sha256.Sum256([]byte("laoxiao-console-session:" + id)) }

// start creates a session for an account and returns its cookie value.
func (s *sessions) start(account string) (id string, sess session, err error) {
	id, err = randomToken()
	if err != nil {
		return "", session{}, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", session{}, err
	}
	now := s.now()
	sess = session{account: account, csrf: csrf, created: now, seen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	s.byID[sessionKey(id)] = &sess
	return id, sess, nil
}

// get returns the live session of a cookie value and marks it seen; an
// expired one is removed and reported absent.
func (s *sessions) get(id string) (session, bool) {
	if id == "" {
		return session{}, false
	}
	k := sessionKey(id)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[k]
	if !ok {
		return session{}, false
	}
	if s.expired(sess, now) {
		delete(s.byID, k)
		return session{}, false
	}
	sess.seen = now
	return *sess, true
}

func (s *sessions) expired(sess *session, now time.Time) bool {
	return now.Sub(sess.seen) > s.idle || now.Sub(sess.created) > s.max
}

// end removes a session (sign-out).
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, sessionKey(id))
}

// endAccount removes every session of an account.
func (s *sessions) endAccount(account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, sess := range s.byID {
		if sess.account == account {
			delete(s.byID, k)
		}
	}
}

// sweepLocked drops expired sessions so the map does not grow with every
// sign-in that never signed out.
func (s *sessions) sweepLocked(now time.Time) {
	for k, sess := range s.byID {
		if s.expired(sess, now) {
			delete(s.byID, k)
		}
	}
}

// validCSRF compares a form's token with the expected one in constant
// time; an empty expected token never matches.
func validCSRF(expected, got string) bool {
	return expected != "" && subtle.ConstantTimeCompare([]byte(expected), []byte(got)) == 1
}
