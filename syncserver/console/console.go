// Package console is the office console: the web pages county and city
// offices (区县、市民政局) use instead of the syncserver command line —
// sync status of their townships with each device's health, the task
// breakdown table with its downloads and each figure's lineage down to
// the records counted, targets (template, upload, split), task progress
// and projects, the period review with its locks (审核), device enrolment
// and revocation, and the audit trail.
//
// It is served on a listener of its own (syncserver serve --console ADDR),
// apart from the sync endpoint townships reach, so an office can expose
// the console on its intranet only. Pages are server-rendered in Chinese
// with html/template; the stylesheet is embedded and the pages carry no
// script at all, so a closed county network needs nothing from outside and
// the Content-Security-Policy can forbid scripts outright.
//
// Security contract: every route but /login and the stylesheet needs a
// session; every POST needs the session's CSRF token (403 otherwise);
// every unit a request names must lie within the account's unit by code
// prefix (403 otherwise), so a 雨城区 (511802) account cannot read 名山区
// (511803) by editing the URL.
package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"laoxiao/syncserver"
)

// Config configures a console.
type Config struct {
	// Server is the running sync server whose data the console shows.
	Server   *syncserver.Server
	Accounts *Accounts
	Logger   *slog.Logger
	// Now is the console's clock (time.Now when nil); tests move it to
	// expire sessions and lockouts.
	Now func() time.Time
	// SecureCookies marks cookies Secure. Serve sets it when it serves
	// TLS; set it yourself when a TLS proxy sits in front.
	SecureCookies bool
	// SessionIdle and SessionMax bound sessions (defaults 30 min, 12 h).
	SessionIdle, SessionMax time.Duration
	// MaxFailures wrong passwords within LockoutWindow lock an account
	// (defaults 5 and 15 min).
	MaxFailures   int
	LockoutWindow time.Duration
}

// Console serves the office console. Make it with New.
type Console struct {
	cfg   Config
	srv   *syncserver.Server
	accts *Accounts
	log   *slog.Logger
	now   func() time.Time
	sess  *sessions
	lock  *lockout
	pages *pages
	// tables keeps breakdown tables until the data changes (tablecache.go).
	tables tableCache
}

// New makes a console over a server and its accounts.
func New(cfg Config) (*Console, error) {
	if cfg.Server == nil || cfg.Accounts == nil {
		return nil, errors.New("console: Server and Accounts are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	return &Console{cfg: cfg, srv: cfg.Server, accts: cfg.Accounts, log: cfg.Logger.With("component", "console"),
		now: cfg.Now, sess: newSessions(cfg.SessionIdle, cfg.SessionMax, cfg.Now),
		lock: newLockout(cfg.MaxFailures, cfg.LockoutWindow, cfg.Now), pages: p}, nil
}

// Handler returns the console's routes, behind the security headers.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/console.css", serveCSS)
	mux.HandleFunc("GET /login", c.loginPage)
	mux.HandleFunc("POST /login", c.login)
	mux.HandleFunc("POST /logout", c.post(c.logout))
	mux.HandleFunc("GET /{$}", c.page(func(w http.ResponseWriter, r *http.Request, v *view) {
		http.Redirect(w, r, "/sync", http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /sync", c.page(c.syncPage))
	mux.HandleFunc("GET /sync.csv", c.page(c.syncCSV))
	mux.HandleFunc("GET /breakdown", c.page(c.breakdownPage))
	mux.HandleFunc("GET /breakdown/download", c.page(c.breakdownDownload))
	mux.HandleFunc("GET /breakdown/lineage", c.page(c.lineagePage))
	mux.HandleFunc("GET /devices", c.page(c.devicesPage))
	mux.HandleFunc("POST /devices/code", c.post(c.devicesCode))
	mux.HandleFunc("POST /devices/revoke", c.post(c.devicesRevoke))
	mux.HandleFunc("GET /audit", c.page(c.auditPage))
	mux.HandleFunc("GET /audit/access", c.page(c.accessPage))
	mux.HandleFunc("GET /persons", c.page(c.personsPage))
	mux.HandleFunc("GET /persons.csv", c.page(c.personsCSV))
	mux.HandleFunc("GET /person", c.page(c.personPage))
	mux.HandleFunc("POST /person/reveal", c.post(c.personReveal))
	mux.HandleFunc("GET /targets", c.page(c.targetsPage))
	mux.HandleFunc("GET /targets/template", c.page(c.targetsTemplate))
	mux.HandleFunc("POST /targets/import", c.upload(c.targetsImport))
	mux.HandleFunc("POST /targets/split", c.post(c.targetsSplit))
	mux.HandleFunc("GET /tasks", c.page(c.tasksPage))
	mux.HandleFunc("POST /tasks/progress", c.post(c.tasksProgress))
	mux.HandleFunc("POST /tasks/project", c.post(c.tasksProject))
	mux.HandleFunc("GET /review", c.page(c.reviewPage))
	mux.HandleFunc("POST /review/lock", c.post(c.reviewLock))
	mux.HandleFunc("POST /review/unlock", c.post(c.reviewUnlock))
	mux.HandleFunc("GET /review/duplicates", c.page(c.duplicatesPage))
	mux.HandleFunc("POST /review/merge", c.post(c.duplicatesMerge))
	mux.HandleFunc("POST /review/unmerge", c.post(c.duplicatesUnmerge))
	return securityHeaders(mux)
}

// Serve serves the console on ln until ctx is cancelled, with TLS when
// tlsCert is set (cookies are then Secure).
func (c *Console) Serve(ctx context.Context, ln net.Listener, tlsCert, tlsKey string) error {
	if tlsCert != "" {
		c.cfg.SecureCookies = true
	}
	hs := &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(c.log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() {
		if tlsCert != "" {
			errc <- hs.ServeTLS(ln, tlsCert, tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	c.log.Info("office console listening", "addr", ln.Addr().String(), "tls", tlsCert != "")
	select {
	case err := <-errc:
		return fmt.Errorf("console: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("console shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// securityHeaders forbids scripts, framing and sniffing on every answer,
// and keeps pages out of shared caches (they show one unit's data).
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
