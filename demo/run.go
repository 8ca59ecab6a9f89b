// Package demo runs Laoxiao's main job on the embedded default: a sync
// server on Badger, one agent per township of 雅安市 entering realistic
// data offline, everyone syncing, the city's targets imported from its plan
// and the task breakdown table written out. The data (synth.PlanCity) adds
// up to the totals the 雅安 plan states for its baseline, so the city row
// of the table reproduces the plan's own ratios.
package demo

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
	"laoxiao/synth"
)

// Options configure a demo run.
type Options struct {
	// Work holds the server's and the agents' stores; it is emptied first.
	Work string
	// Out receives the breakdown table files.
	Out string
	// City is the city to run (雅安市 by default).
	City schema.Code
	// Seed makes the generated data reproducible.
	Seed uint64
	// Parallel is how many agents sync at once.
	Parallel int
	// Stdout receives progress lines and the text table.
	Stdout io.Writer
	Logger *slog.Logger
	// KeyFile is where the server store's new master key is written
	// (replacing a key there from an earlier run, whose store Run has
	// just emptied), so the operator can open the store afterwards with
	// syncserver --key-file. The key only lives in memory when empty. It
	// must not be under Work: a key beside the data it protects protects
	// nothing.
	KeyFile string
	// Passphrase encrypts every township's store (DemoPassphrase when
	// empty); the desktop app and agent ask for it to open one.
	Passphrase string
}

// DemoPassphrase is the townships' passphrase in the demo. It is printed:
// the demo's data is synthetic, and whoever runs it should be able to open
// a township's store in the desktop app.
const DemoPassphrase = "laoxiao-demo"

// Run does the whole job and stops the server before returning.
func Run(ctx context.Context, opts Options) error {
	if opts.City == "" {
		opts.City = schema.BuiltinCity
	}
	if opts.Seed == 0 {
		opts.Seed = 2025
	}
	if opts.Parallel == 0 {
		opts.Parallel = 8
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Passphrase = cmp.Or(opts.Passphrase, DemoPassphrase)
	say := func(f string, a ...any) { fmt.Fprintf(opts.Stdout, f+"\n", a...) }
	if err := os.RemoveAll(opts.Work); err != nil {
		return fmt.Errorf("clear %s: %w", opts.Work, err)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", opts.Out, err)
	}
	start := time.Now()

	key, err := serverKey(opts.KeyFile)
	if err != nil {
		return err
	}
	srv, err := syncserver.Open(ctx, syncserver.Config{DataDir: filepath.Join(opts.Work, "server"), Logger: opts.Logger, Key: key})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen: %w", err)
	}
	sctx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln, "", "") }()
	url := "http://" + ln.Addr().String()
	stop := func() error {
		stopServer()
		serr := <-served
		if cerr := srv.Close(); serr == nil {
			serr = cerr
		}
		return serr
	}
	say("服务器已启动 / server on %s (Badger store in %s)", url, filepath.Join(opts.Work, "server"))
	say("数据加密存储 / stores encrypted at rest: the server's with the key in %s, each township's with the passphrase %q",
		cmp.Or(opts.KeyFile, "memory"), opts.Passphrase)

	towns, err := synth.PlanCity(srv.Divisions(), opts.City, opts.Seed)
	if err != nil {
		stop()
		return err
	}
	city, _ := srv.Divisions().Lookup(opts.City)
	say("%s: %d 个乡镇(街道)各一台设备,离线录入数据后同步 / one agent per township", city.Name, len(towns))

	if err := loadTasks(ctx, srv, opts.City, say); err != nil {
		stop()
		return err
	}
	if err := runAgents(ctx, srv, url, towns, opts); err != nil {
		stop()
		return err
	}
	say("同步完成 / all townships synced: %d changes on the server, %.1fs", srv.Ingest().Head(), time.Since(start).Seconds())

	if err := enterDuplicates(ctx, srv, towns, opts, say); err != nil {
		stop()
		return err
	}
	if err := reviewAndLock(ctx, srv, towns, opts, say); err != nil {
		stop()
		return err
	}
	if err := finish(ctx, srv, opts, say); err != nil {
		stop()
		return err
	}
	if err := stop(); err != nil {
		return fmt.Errorf("stop server: %w", err)
	}
	say("服务器已停止 / server stopped; total %.1fs", time.Since(start).Seconds())
	return offerConsole(filepath.Join(opts.Work, "server"), opts.City, towns[0].Code.Ancestor(schema.LevelCounty), say)
}

// runAgents enrols, fills and syncs one agent per township, several at a
// time.
func runAgents(ctx context.Context, srv *syncserver.Server, url string, towns []synth.PlannedTownship, opts Options) error {
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range towns {
		wg.Add(1)
		sem <- struct{}{}
		go func(t *synth.PlannedTownship) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := runAgent(ctx, srv, url, t, opts); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("township %s %s: %w", t.Code, t.Name, err)
				}
				mu.Unlock()
			}
		}(&towns[i])
	}
	wg.Wait()
	return firstErr
}

func runAgent(ctx context.Context, srv *syncserver.Server, url string, t *synth.PlannedTownship, opts Options) error {
	st, err := agent.Open(filepath.Join(opts.Work, "agents", string(t.Code)), agent.Options{Logger: opts.Logger, Passphrase: opts.Passphrase})
	if err != nil {
		return err
	}
	defer st.Close()
	// Offline first: the township chooses its unit and enters everything
	// before it has ever seen the server.
	if err := st.SetScope(t.Code); err != nil {
		return err
	}
	if err := t.Enter(st); err != nil {
		return err
	}
	if err := enterPlanWork(st, srv.Divisions(), t); err != nil {
		return err
	}
	code, err := srv.NewEnrollCode(ctx, syncserver.CodeRequest{Unit: t.Code, Name: t.Name + "工作站", Role: store.RoleSite})
	if err != nil {
		return err
	}
	if err := syncclient.Enroll(ctx, st, url, code, t.Name+"工作站"); err != nil {
		return err
	}
	c := syncclient.New(st, opts.Logger)
	res, err := c.SyncOnce(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if res.Parked > 0 {
		parked, _ := st.Parked()
		return fmt.Errorf("server refused %d changes, first: %s", res.Parked, parked[0].Rejection.Reason)
	}
	return nil
}

// serverKey makes the server store's master key for this run, and writes
// it to file when file is not empty.
func serverKey(file string) ([]byte, error) {
	if file == "" {
		k := make([]byte, badgerstore.KeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("server key: %w", err)
		}
		return k, nil
	}
	if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("replace server key: %w", err)
	}
	if err := syncserver.NewKeyFile(file); err != nil {
		return nil, err
	}
	return syncserver.ReadKeyFile(file)
}
