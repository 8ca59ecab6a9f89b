// Package cli is the syncserver command line: serve, enrol devices, list
// and revoke them, load units. Commands that change the server's data open
// the store directly when no server runs, and go through the running
// server's admin API (address and token in the data directory) when one
// holds the store, so the same command works either way.
package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

const usage = `usage: syncserver COMMAND [flags]

commands:
  serve        --data DIR --listen ADDR [--tls-cert F --tls-key F] [--console ADDR]
               [--store postgres://USER@HOST/DB]   (every command with --data takes --store: the
               data then lives in PostgreSQL, which several serve processes share)
  key new      --out FILE             (a new master key; every command then takes
               --key-file FILE, or the key in LAOXIAO_SERVER_KEY, and a new store is encrypted)
  key rotate   --data DIR --key-file OLD --new-key-file NEW   (server stopped)
  enroll       --data DIR --unit CODE --name NAME [--role site|office] [--ttl 168h]
  devices list --data DIR [--json]   (with each device's own report: waiting changes,
               oldest unsynced, refusals not fixed, clock offset, app version)
  lock         --data DIR --unit CODE --period YYYY[-MM] --reason TEXT [--by NAME]
  unlock       --data DIR --unit CODE --period YYYY[-MM] --reason TEXT [--by NAME]
  locks list   --data DIR [--unit CODE] [--json]
  review       --data DIR --unit COUNTY --period YYYY[-MM] [--json]
  devices revoke --data DIR ID
  units load   --data DIR FILE        (divisions CSV, plain or .gz)
  targets template --data DIR --unit CITY [--out FILE.xlsx|csv]
  targets import   --data DIR FILE.xlsx|csv     (all rows or none)
  targets split    --data DIR --unit CITY --indicator ID --year Y --value V --weight pop60|pop|pop0_3|equal
  report breakdown --data DIR --unit CITY --year Y [--format xlsx|csv|html|text] [--out FILE]
  tasks load       --data DIR --plan yaan|qianjiang|gangcheng|liuzhou|kunming [--unit CITY|COUNTY]
                   (the plan's tasks with their 责任单位, one record per county)
  projects load    --data DIR --plan qianjiang|gangcheng   (the plan's 重大项目)
  users add|list|disable --data DIR ...   (office console accounts; see syncserver users add -h)
  backup       --data DIR --out FILE  (online: while serve runs too; encrypted with the store's key when the store is)
  restore      --data DIR --in FILE [--force]   (server stopped; a new incarnation, devices re-offer what the backup lacks)
  restore      --store postgres://… --new-incarnation-only   (after pg_restore, servers stopped; see README)
  audit        --data DIR [--unit CODE] [--kind KIND --id ID] [--limit N] [--json]
               (the accepted-change log: who set what, when the server received it)
`

// Run runs the command line and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "devices" || cmd == "units") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, stderr)
	case "enroll":
		err = enroll(ctx, rest, stdout)
	case "devices list":
		err = devicesList(ctx, rest, stdout)
	case "devices revoke":
		err = devicesRevoke(ctx, rest, stdout)
	case "units load":
		err = unitsLoad(ctx, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		var ext Command
		if ext = extra[cmd]; ext == nil && len(rest) > 0 {
			if ext = extra[cmd+" "+rest[0]]; ext != nil {
				rest = rest[1:]
			}
		}
		if ext == nil {
			fmt.Fprintf(stderr, "syncserver: unknown command %q\n%s", args[0], usage)
			return 2
		}
		err = ext(ctx, rest, stdout)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "syncserver: %v\n", err)
		return 1
	}
	return 0
}

// Command is a subcommand added by another package (reports, targets).
type Command func(ctx context.Context, args []string, stdout io.Writer) error

var extra = map[string]Command{}

// Register adds a subcommand such as "report breakdown".
func Register(name string, c Command) { extra[name] = c }

// dataFlags say where the server's data is and how to decrypt it.
type dataFlags struct {
	dir     string
	keyFile string
	store   string // a PostgreSQL URL; empty for Badger under dir
}

// newFlags starts a command's flags with --data and --key-file, which
// every command that opens the store needs.
func newFlags(name string) (*flag.FlagSet, *dataFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	d := &dataFlags{}
	fs.StringVar(&d.dir, "data", "laoxiao-server", "server data directory")
	fs.StringVar(&d.keyFile, "key-file", "", "file holding the store's master key (64 hex digits; or set "+syncserver.KeyEnv+"); needed to open an encrypted store")
	fs.StringVar(&d.store, "store", "", "keep the data in this PostgreSQL database (postgres://USER@HOST/DB; the password in PGPASSWORD or ~/.pgpass), shared with other serve processes; --data then holds only this process's own files. Default: the embedded store under --data")
	return fs, d
}

// config is the server configuration the flags describe: the data
// directory and the key. An encrypted store opened without its key fails
// with an error naming both ways to give it.
func (d dataFlags) config(log *slog.Logger) (syncserver.Config, error) {
	key, err := syncserver.LoadKey(d.keyFile)
	if err != nil {
		return syncserver.Config{}, err
	}
	return syncserver.Config{DataDir: d.dir, Store: d.store, Logger: log, Key: key}, nil
}

// open opens the server the flags describe, explaining a missing key.
func (d dataFlags) open(ctx context.Context, log *slog.Logger) (*syncserver.Server, error) {
	cfg, err := d.config(log)
	if err != nil {
		return nil, err
	}
	srv, err := syncserver.Open(ctx, cfg)
	if errors.Is(err, store.ErrKeyRequired) {
		return nil, fmt.Errorf("%w: give the key file with --key-file FILE, or the key in %s", err, syncserver.KeyEnv)
	}
	return srv, err
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs, data := newFlags("serve")
	listen := fs.String("listen", "127.0.0.1:8470", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
	key := fs.String("tls-key", "", "TLS key file (PEM)")
	debug := fs.Bool("debug", false, "log at debug level")
	consoleAddr := fs.String("console", "", "serve the office console (web pages for county and city offices) on this address, e.g. 127.0.0.1:8471; off when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	lvl := slog.LevelInfo
	if *debug {
		lvl = slog.LevelDebug
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	srv, err := data.open(ctx, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	if !srv.Encrypted() {
		log.Warn("the server store is not encrypted at rest: names and ID numbers of persons lie in its files in plain text; see README, Personal data", "data", data.dir)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	consoleDone, err := startConsole(ctx, srv, data.dir, *consoleAddr, *cert, *key, log)
	if err != nil {
		ln.Close()
		return err
	}
	err = srv.Serve(ctx, ln, *cert, *key)
	cancel() // the console stops with the sync server
	return errors.Join(err, consoleDone())
}

// withServer runs local against the opened store when no server holds it,
// or remote against the running server's admin API.
func withServer(ctx context.Context, d dataFlags, local func(*syncserver.Server) error, remote func(*AdminClient) error) error {
	srv, err := d.open(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		defer srv.Close()
		return local(srv)
	}
	if !errors.Is(err, store.ErrLocked) {
		return err
	}
	ac, aerr := NewAdminClient(d.dir)
	if aerr != nil {
		return fmt.Errorf("store is in use by a running server, and its admin API is not reachable: %w", aerr)
	}
	return remote(ac)
}

func enroll(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("enroll")
	unit := fs.String("unit", "", "unit code the device may write (township or village; county or city for office accounts)")
	name := fs.String("name", "", "device or account name")
	role := fs.String("role", "site", "site (township device) or office (county/city account)")
	ttl := fs.Duration("ttl", 7*24*time.Hour, "how long the code stays valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" && *role == "site" {
		return fmt.Errorf("enroll: --unit is required")
	}
	req := syncserver.CodeRequest{Unit: schema.Code(*unit), Name: *name, Role: store.Role(*role), TTLHours: ttl.Hours()}
	var code string
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		code, err = s.NewEnrollCode(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		var out map[string]string
		err := ac.Do(ctx, http.MethodPost, "/admin/codes", req, &out)
		code = out["code"]
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, code)
	return nil
}

func devicesList(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("devices list")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var list []syncserver.DeviceInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		list, err = s.ListDevices(ctx)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodGet, "/admin/devices", nil, &list)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE\tROLE\tHIGH-WATER\tLAST SYNC\tWAITING\tOLDEST UNSYNCED\tPARKED\tCLOCK\tVERSION\tBEHIND\tREVOKED\tNAME")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%v\t%s\n", d.ID, d.Scope, d.Role, d.HighWater, when(d.LastSync),
			healthColumns(d.Health), d.Revoked, d.Name)
	}
	return tw.Flush()
}

// when formats a time for a table cell, "-" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// healthColumns are the device's own report in the devices table: what
// waits and since when, refusals nobody fixed, how far its clock is off,
// what it runs, and whether the office should chase it.
func healthColumns(h *syncserver.DeviceHealth) string {
	if h == nil {
		return "-\t-\t-\t-\t-\t-"
	}
	behind := "-"
	if h.Behind {
		behind = "BEHIND"
	}
	clock := (time.Duration(h.ClockOffsetMS) * time.Millisecond).Round(time.Second).String()
	return fmt.Sprintf("%d\t%s\t%d\t%s\t%s\t%s", h.Waiting, when(h.OldestUnsynced), h.Parked, clock, h.AppVersion, behind)
}

func devicesRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("devices revoke")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("devices revoke: give one device id")
	}
	id := fs.Arg(0)
	err := withServer(ctx, *data, func(s *syncserver.Server) error {
		return s.Revoke(ctx, id)
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/devices/"+id+"/revoke", nil, nil)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s\n", id)
	return nil
}

func unitsLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("units load")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("units load: give one divisions file")
	}
	var n int
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		n, err = s.LoadUnitsFile(ctx, fs.Arg(0))
		return err
	}, func(*AdminClient) error {
		return fmt.Errorf("units load: stop the server first (loading 665,276 units is an offline operation)")
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d units\n", n)
	return nil
}

// printJSON writes v as indented JSON, for scripts.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// AdminClient calls a running server's admin API.
type AdminClient struct {
	Base  string
	Token string
	HTTP  *http.Client
}

// NewAdminClient reads the running server's address and admin token from
// its data directory.
func NewAdminClient(dir string) (*AdminClient, error) {
	addr, err := os.ReadFile(filepath.Join(dir, "admin.addr"))
	if err != nil {
		return nil, fmt.Errorf("read admin address: %w", err)
	}
	tok, err := os.ReadFile(filepath.Join(dir, "admin.token"))
	if err != nil {
		return nil, fmt.Errorf("read admin token: %w", err)
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if pem, err := os.ReadFile(filepath.Join(dir, "admin.cert")); err == nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("admin.cert holds no PEM certificate")
		}
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	return &AdminClient{Base: strings.TrimSpace(string(addr)), Token: strings.TrimSpace(string(tok)), HTTP: hc}, nil
}

// Do sends a JSON request and decodes the JSON answer into out.
func (a *AdminClient) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(raw, &e)
		return fmt.Errorf("admin %s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
