// Package syncserver is the central server townships sync with: it wires
// the store, the single writer (ingest), device enrolment, the websocket
// sync endpoint and the admin and report HTTP handlers together.
package syncserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/devices"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/session"
	"laoxiao/syncserver/store"
)

// Config configures a server.
type Config struct {
	// DataDir holds the Badger store and the admin token.
	DataDir string
	// Store, when set, is a PostgreSQL database URL (postgres://…): the
	// server keeps its data there instead of Badger under DataDir, and
	// other server processes may share it (see package pgstore). DataDir
	// still holds this process's own files (the admin token).
	Store  string
	Logger *slog.Logger
	// Key, when not nil, is the store's master key (LoadKey reads it): a
	// new store is created encrypted at rest, an existing one must have
	// been. Open fails with store.ErrKeyRequired, ErrWrongKey or
	// ErrNotEncrypted when the key and the store disagree.
	Key []byte
	// Now is the server's clock (time.Now when nil); tests move it.
	Now func() time.Time
	// MaxAhead is how far ahead of the server a change may be stamped.
	MaxAhead time.Duration
	// PingInterval and ReadTimeout of sync connections (defaults 20 s, 60 s).
	PingInterval, ReadTimeout time.Duration
}

// Server is a running sync server's core.
type Server struct {
	cfg        Config
	log        *slog.Logger
	st         store.Store
	in         *ingest.Ingester
	reg        *devices.Registry
	ep         *session.Endpoint
	divs       atomic.Pointer[schema.Divisions]
	adminToken string
	// extraAdmin are admin routes of packages that import this one (the
	// office console's accounts), added by HandleAdmin.
	extraAdmin []func(*http.ServeMux)
	// scans keeps the indicator engine's county scans between reports.
	scans *indicators.ScanCache
}

// Files in the data directory besides the store.
const (
	adminTokenFile = "admin.token" // bearer token of the admin API, 0600
	adminAddrFile  = "admin.addr"  // where the running server listens
	adminCertFile  = "admin.cert"  // its TLS certificate, when it serves TLS
	storeSubdir    = "badger"
)

// Open opens the store in cfg.DataDir and starts the writer. While another
// process (a running server) holds the store it fails with an error that
// errors.Is store.ErrLocked.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", cfg.DataDir, err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, st: st, scans: indicators.NewScanCache(scanCacheSize)}
	if err := s.loadUnits(ctx); err != nil {
		st.Close()
		return nil, err
	}
	s.adminToken, err = ensureAdminToken(cfg.DataDir)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.in, err = ingest.New(ctx, st, ingest.Options{Divisions: s.Divisions, Now: cfg.Now, MaxAhead: cfg.MaxAhead, Logger: cfg.Logger})
	if err != nil {
		st.Close()
		return nil, err
	}
	s.reg = &devices.Registry{St: st, Divisions: s.Divisions, Now: cfg.Now}
	s.ep = &session.Endpoint{Ingest: s.in, Store: st, Registry: s.reg, Log: cfg.Logger, Now: cfg.Now,
		PingInterval: cfg.PingInterval, ReadTimeout: cfg.ReadTimeout}
	return s, nil
}

func storeDir(dataDir string) string { return filepath.Join(dataDir, storeSubdir) }

// loadUnits starts from the built-in units and adds every unit a divisions
// file loaded earlier put in the store.
func (s *Server) loadUnits(ctx context.Context) error {
	var all []schema.Unit
	schema.BuiltinDivisions().Each(func(u schema.Unit) { all = append(all, u) })
	if err := s.st.Units(ctx, func(u schema.Unit) error { all = append(all, u); return nil }); err != nil {
		return fmt.Errorf("load units: %w", err)
	}
	d, err := schema.BuildDivisions(all)
	if err != nil {
		return fmt.Errorf("load units: %w", err)
	}
	s.divs.Store(d)
	return nil
}

// Divisions returns the units the server knows.
func (s *Server) Divisions() *schema.Divisions { return s.divs.Load() }

// Store returns the server's store (reports read it).
func (s *Server) Store() store.Store { return s.st }

// Ingest returns the single writer.
func (s *Server) Ingest() *ingest.Ingester { return s.in }

// Registry returns the device registry.
func (s *Server) Registry() *devices.Registry { return s.reg }

// AdminToken returns the bearer token of the admin API.
func (s *Server) AdminToken() string { return s.adminToken }

// LoadUnitsFile stores every unit of a divisions CSV (plain or gzip) and
// makes them known at once. A bad file changes nothing.
func (s *Server) LoadUnitsFile(ctx context.Context, path string) (int, error) {
	d, err := schema.LoadDivisionsFile(path)
	if err != nil {
		return 0, err
	}
	units := make([]schema.Unit, 0, d.Len())
	d.Each(func(u schema.Unit) { units = append(units, u) })
	for i := 0; i < len(units); i += 10000 {
		end := min(i+10000, len(units))
		if err := s.st.PutUnits(ctx, units[i:end]); err != nil {
			return 0, err
		}
	}
	if err := s.loadUnits(ctx); err != nil {
		return 0, err
	}
	return len(units), nil
}

// Handler returns the server's HTTP routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /v1/sync", s.ep)
	mux.HandleFunc("POST /v1/enroll", s.handleEnroll)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok head=%d\n", s.in.Head())
	})
	s.adminRoutes(mux)
	for _, add := range s.extraAdmin {
		add(mux)
	}
	return mux
}

// HandleAdmin adds a route to the admin API, behind the admin token, for
// a package this one cannot import (the office console). Call it before
// Serve; routes added later are not served.
func (s *Server) HandleAdmin(pattern string, h http.HandlerFunc) {
	s.extraAdmin = append(s.extraAdmin, func(mux *http.ServeMux) { mux.HandleFunc(pattern, s.admin(h)) })
}

// Serve serves HTTP on ln until ctx is cancelled, then shuts down
// gracefully: it stops accepting, lets sync sessions finish the batches
// they have in flight, and returns. Close the server afterwards.
func (s *Server) Serve(ctx context.Context, ln net.Listener, tlsCert, tlsKey string) error {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	if err := os.WriteFile(filepath.Join(s.cfg.DataDir, adminAddrFile), []byte(adminURL(ln.Addr(), tlsCert != "")), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", adminAddrFile, err)
	}
	defer os.Remove(filepath.Join(s.cfg.DataDir, adminAddrFile))
	if tlsCert != "" {
		// Admin commands on this machine trust the server's own
		// certificate, which may be self-signed.
		pem, err := os.ReadFile(tlsCert)
		if err != nil {
			return fmt.Errorf("read TLS certificate: %w", err)
		}
		if err := os.WriteFile(filepath.Join(s.cfg.DataDir, adminCertFile), pem, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", adminCertFile, err)
		}
		defer os.Remove(filepath.Join(s.cfg.DataDir, adminCertFile))
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		if tlsCert != "" {
			err = hs.ServeTLS(ln, tlsCert, tlsKey)
		} else {
			err = hs.Serve(ln)
		}
		errc <- err
	}()
	s.log.Info("sync server listening", "addr", ln.Addr().String(), "tls", tlsCert != "", "encrypted_store", s.cfg.Key != nil)
	s.warnExposure(ln.Addr(), tlsCert != "")
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Shutdown does not wait for hijacked (websocket) connections; the
	// endpoint's own Shutdown does.
	hs.Shutdown(sctx)
	if err := s.ep.Shutdown(sctx); err != nil {
		s.log.Warn("sync sessions did not end in time", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func adminURL(a net.Addr, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host := a.String()
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	return scheme + "://" + host
}

// Close stops the writer and closes the store. Call it after Serve returned.
func (s *Server) Close() error {
	s.in.Close()
	if err := s.st.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

func ensureAdminToken(dir string) (string, error) {
	p := filepath.Join(dir, adminTokenFile)
	if b, err := os.ReadFile(p); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	tok := hex.EncodeToString(raw[:])
	if err := os.WriteFile(p, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token %s: %w", p, err)
	}
	return tok, nil
}
