package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/internal/serverchild"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/cli"
	"laoxiao/syncserver/store"
)

func init() {
	// The server RSS bench re-executes this binary as a sync server. The
	// role is picked in init, before cmd/bench's main parses flags.
	serverchild.RunIfChild(io.Discard, io.Discard)
	Register(Bench{Name: "sync_e2e", Run: benchSyncE2E})
	Register(Bench{Name: "sync_200_agents", Run: benchSync200})
	Register(Bench{Name: "sync_server_rss", Run: benchServerRSS})
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// benchServer is a sync server in this process on a loopback port.
type benchServer struct {
	srv    *syncserver.Server
	url    string
	cancel context.CancelFunc
	done   chan error
}

func startBenchServer(dir string) (*benchServer, error) { return startBenchServerOn(dir, "") }

// startBenchServerOn starts a server keeping its data in the PostgreSQL
// database at storeURL (Badger under dir when empty).
func startBenchServerOn(dir, storeURL string) (*benchServer, error) {
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: dir, Store: storeURL, Logger: discardLog()})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &benchServer{srv: srv, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { b.done <- srv.Serve(ctx, ln, "", "") }()
	return b, nil
}

func (b *benchServer) stop() error {
	b.cancel()
	err := <-b.done
	if cerr := b.srv.Close(); err == nil {
		err = cerr
	}
	return err
}

// openAgent opens a fresh agent store in dir and enrols it with the
// server for unit.
func (b *benchServer) openAgent(ctx context.Context, dir, name string, unit schema.Code) (*agent.Store, error) {
	st, err := agent.Open(dir, agent.Options{Logger: discardLog()})
	if err != nil {
		return nil, err
	}
	code, err := b.srv.NewEnrollCode(ctx, syncserver.CodeRequest{Unit: unit, Name: name, Role: store.RoleSite})
	if err == nil {
		err = syncclient.Enroll(ctx, st, b.url, code, name)
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("enrol %s: %w", name, err)
	}
	return st, nil
}

// benchSyncE2E uploads a large outbox from one agent and then downloads
// the same records into a fresh agent, both over loopback and durable on
// both sides; and, in the same run, writes the same encoded changes to a
// fresh Badger, the floor no sync can beat.
func benchSyncE2E(env Env) ([]Figure, error) { return syncE2E(env, "") }

// syncE2E is benchSyncE2E on the store at storeURL (Badger when empty). On
// PostgreSQL its figures are named *_pg_* and it skips the raw Badger
// floor.
func syncE2E(env Env, storeURL string) ([]Figure, error) {
	n := 100000
	if env.Quick {
		n = 2000
	}
	ctx := env.Ctx
	asRole("server")
	bs, err := startBenchServerOn(filepath.Join(env.Dir, "server"), storeURL)
	asRole("agent")
	defer asRole("")
	if err != nil {
		return nil, err
	}
	defer bs.stop()
	st, err := bs.openAgent(ctx, filepath.Join(env.Dir, "agent"), "bench-upload", demoTownship)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := fillStoreBatched(st, n); err != nil {
		return nil, err
	}
	queued, err := readOutbox(st)
	if err != nil {
		return nil, err
	}
	if len(queued) != n {
		return nil, fmt.Errorf("outbox holds %d changes, want %d", len(queued), n)
	}

	c := syncclient.New(st, discardLog())
	stopProfile := env.profilePhase("upload")
	start := time.Now()
	res, err := c.SyncOnce(ctx)
	syncD := time.Since(start)
	stopProfile()
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	if res.Uploaded != n || res.Parked != 0 {
		return nil, fmt.Errorf("sync uploaded %d (%d parked), want %d", res.Uploaded, res.Parked, n)
	}
	var figs []Figure
	download := "download_records_per_s"
	if storeURL != "" {
		figs = []Figure{Rate("sync_e2e_pg_changes_per_s", n, syncD, "changes/s")}
		download = "download_pg_records_per_s"
	} else {
		rawD, floorD, err := writeRawPair(filepath.Join(env.Dir, "raw"), queued)
		if err != nil {
			return nil, err
		}
		figs = []Figure{
			Rate("sync_e2e_changes_per_s", n, syncD, "changes/s"),
			Rate("badger_raw_changes_per_s", n, rawD, "changes/s"),
			{Name: "sync_vs_raw_ratio", Value: rawD.Seconds() / syncD.Seconds(), Unit: "ratio"},
			Rate("badger_log_and_record_changes_per_s", n, floorD, "changes/s"),
			{Name: "log_and_record_vs_raw_ratio", Value: rawD.Seconds() / floorD.Seconds(), Unit: "ratio"},
		}
		lastSyncE2E = figs[0].Value
	}

	st2, err := bs.openAgent(ctx, filepath.Join(env.Dir, "agent2"), "bench-download", demoTownship)
	if err != nil {
		return figs, err
	}
	defer st2.Close()
	c2 := syncclient.New(st2, discardLog())
	stopProfile = env.profilePhase("download")
	start = time.Now()
	res, err = c2.SyncOnce(ctx)
	downD := time.Since(start)
	stopProfile()
	if err != nil {
		return figs, fmt.Errorf("download: %w", err)
	}
	if res.Downloaded != n {
		return figs, fmt.Errorf("downloaded %d records, want %d", res.Downloaded, n)
	}
	return append(figs, Rate(download, n, downD, "records/s")), nil
}

// benchSync200 has 200 agents, each with 200 changes queued, sync at once
// against one server. Each agent is a village site of its own, spread over
// the city's townships as real sites are (a township has a few devices,
// not hundreds), so the figure is about uploads, not about every device
// downloading every other's records. The latency figure is per upload
// batch: from sending the batch to reading the server's ack, which comes
// only once the batch is durable (syncclient's OnAck hook).
func benchSync200(env Env) ([]Figure, error) {
	asRole("server")
	bs, err := startBenchServer(filepath.Join(env.Dir, "server"))
	asRole("agent")
	defer asRole("")
	if err != nil {
		return nil, err
	}
	defer bs.stop()
	return sync200(env, "sync_200_agents", bs.openAgent)
}

// openAgentFunc opens a fresh agent store in dir and enrols it for unit
// with a server.
type openAgentFunc func(ctx context.Context, dir, name string, unit schema.Code) (*agent.Store, error)

// sync200 is benchSync200 with agents opened and enrolled by open (with
// one server or several); its figures are named name_*.
func sync200(env Env, name string, open openAgentFunc) ([]Figure, error) {
	agents, per := 200, 200
	if env.Quick {
		agents, per = 20, 20
	}
	ctx := env.Ctx
	villages, err := spreadVillages(agents)
	if err != nil {
		return nil, err
	}
	stores := make([]*agent.Store, 0, agents)
	defer func() {
		for _, st := range stores {
			st.Close()
		}
	}()
	for i := 0; i < agents; i++ {
		village := villages[i]
		st, err := open(ctx, filepath.Join(env.Dir, fmt.Sprintf("agent%03d", i)), fmt.Sprintf("agent%03d", i), village)
		if err != nil {
			return nil, err
		}
		stores = append(stores, st)
		rng := rand.New(rand.NewPCG(uint64(i), 200))
		items := make([]agent.Item, per)
		for j := range items {
			items[j] = agent.Item{Kind: schema.KindFacility, Unit: village, Value: SampleFacility(rng, j)}
		}
		if _, err := st.PutBatch(items); err != nil {
			return nil, err
		}
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		wg        sync.WaitGroup
		errs      = make(chan error, agents)
		begin     = make(chan struct{})
	)
	for _, st := range stores {
		c := syncclient.New(st, discardLog())
		c.OnAck = func(_ int, d time.Duration) {
			mu.Lock()
			latencies = append(latencies, d)
			mu.Unlock()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			res, err := c.SyncOnce(ctx)
			if err == nil && res.Uploaded != per {
				err = fmt.Errorf("uploaded %d, want %d", res.Uploaded, per)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	stopProfile := env.profilePhase("agents")
	start := time.Now()
	close(begin)
	wg.Wait()
	d := time.Since(start)
	stopProfile()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("agent sync: %w", err)
	}
	if len(latencies) == 0 {
		return nil, errors.New("no ack latency recorded")
	}
	slices.Sort(latencies)
	p99 := latencies[min(len(latencies)-1, len(latencies)*99/100)]
	return []Figure{
		Rate(name+"_changes_per_s", agents*per, d, "changes/s"),
		{Name: name + "_p99_ack_ms", Value: float64(p99) / float64(time.Millisecond), Unit: "ms"},
	}, nil
}

// spreadVillages returns n villages spread evenly over the city's
// townships: where the sites of a load test sit.
func spreadVillages(n int) ([]schema.Code, error) {
	var all []schema.Code
	schema.BuiltinDivisions().Each(func(u schema.Unit) {
		if u.Code.Level() == schema.LevelVillage {
			all = append(all, u.Code)
		}
	})
	slices.Sort(all)
	if len(all) < n {
		return nil, fmt.Errorf("%d villages for %d sites", len(all), n)
	}
	out := make([]schema.Code, n)
	for i := range out {
		out[i] = all[i*len(all)/n]
	}
	return out, nil
}

// benchServerRSS runs the server as a child process and holds 200
// websocket sessions open on it, each a village site that said hello and
// uploaded one batch of 200 changes, then reads the child's resident set
// size (and, for scale, its size before any session).
func benchServerRSS(env Env) ([]Figure, error) {
	sessions, per := 200, 200
	if env.Quick {
		sessions, per = 20, 20
	}
	child, err := startChildServer(env, filepath.Join(env.Dir, "server"), "")
	if err != nil {
		return nil, err
	}
	defer child.stop()
	cmd, base, ac := child.cmd, child.base, child.admin
	idle, err := RSSOfPID(cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	fields, err := schema.EncodeFields(SampleFacility(rand.New(rand.NewPCG(1, 1)), 1))
	if err != nil {
		return nil, err
	}
	villages, err := spreadVillages(sessions)
	if err != nil {
		return nil, err
	}
	var conns []*rssSession
	defer func() {
		for _, c := range conns {
			c.ws.Close()
		}
	}()
	for i := 0; i < sessions; i++ {
		ws, err := openSession(env.Ctx, ac, base, fmt.Sprintf("rss-%03d", i), villages[i])
		if err != nil {
			return nil, err
		}
		conns = append(conns, newRSSSession(ws))
	}
	connected, err := RSSOfPID(cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	// Then each uploads a batch; the server now also holds the data
	// (memtable, caches), which is most of what it weighs.
	for i, c := range conns {
		device := fmt.Sprintf("rss-%03d", i)
		up := &schema.Upload{Batch: 1, First: 1}
		for j := 0; j < per; j++ {
			up.Changes = append(up.Changes, schema.Change{Kind: schema.KindFacility, ID: schema.NewID(),
				Unit: villages[i], Set: fields, Stamp: schema.MakeStamp(time.Now().UnixMilli(), uint16(j)),
				Device: device, Seq: uint64(j + 1)})
		}
		if err := schema.WriteMsg(c.ws, &schema.Msg{Type: schema.MsgUpload, Upload: up}, 30*time.Second); err != nil {
			return nil, err
		}
		select {
		case a, ok := <-c.acks:
			if !ok || a.Status != schema.AckApplied {
				return nil, fmt.Errorf("%s: upload not applied (%v)", device, a)
			}
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("%s: no ack in 30 s", device)
		}
	}
	synced, err := RSSOfPID(cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	return []Figure{{Name: "server_rss_idle_mb", Value: idle, Unit: "MiB"},
		{Name: "server_rss_200_agents_mb", Value: connected, Unit: "MiB"},
		{Name: "server_rss_200_agents_synced_mb", Value: synced, Unit: "MiB"}}, nil
}

// childServer is `syncserver serve` in a child process (this binary
// re-executed, see serverchild) on a loopback port.
type childServer struct {
	cmd    *exec.Cmd
	exited chan error
	base   string // http://ADDR
	admin  *cli.AdminClient
}

// startChildServer starts a server child on dir (and the PostgreSQL
// database at storeURL, when not empty) and waits until it is healthy.
func startChildServer(env Env, dir, storeURL string) (*childServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(env.Ctx, env.Self)
	cmd.Env = append(os.Environ(), serverchild.Env(dir, addr))
	if storeURL != "" {
		cmd.Env = append(cmd.Env, serverchild.StoreEnv(storeURL))
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server child: %w", err)
	}
	c := &childServer{cmd: cmd, exited: make(chan error), base: "http://" + addr}
	// Closed, not sent on: waitHealthy and stop may both wait on it.
	go func() { cmd.Wait(); close(c.exited) }()
	if err := waitHealthy(c.base, c.exited); err != nil {
		c.stop()
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	if c.admin, err = cli.NewAdminClient(dir); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// stop ends the child with SIGTERM (SIGKILL after 20 s).
func (c *childServer) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
}

// rssSession is an open sync session whose frames a goroutine reads, so
// pings are answered while it sits idle; acks are handed over.
type rssSession struct {
	ws   *websocket.Conn
	acks chan *schema.Ack
}

func newRSSSession(ws *websocket.Conn) *rssSession {
	c := &rssSession{ws: ws, acks: make(chan *schema.Ack, 1)}
	go func() {
		defer close(c.acks)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if m, err := schema.DecodeMsg(data); err == nil && m.Type == schema.MsgAck {
				c.acks <- m.Ack
			}
		}
	}()
	return c
}

// waitHealthy polls the server's /healthz until it answers or the process
// exits.
func waitHealthy(base string, exited <-chan error) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("server child exited: %v", err)
		default:
		}
		if resp, err := client.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("server child did not become healthy in 60 s")
}

// openSession enrols device through the admin API and /v1/enroll, then
// opens its sync websocket and reads the welcome.
func openSession(ctx context.Context, ac *cli.AdminClient, base, device string, unit schema.Code) (*websocket.Conn, error) {
	var code map[string]string
	req := syncserver.CodeRequest{Unit: unit, Name: device, Role: store.RoleSite}
	if err := ac.Do(ctx, http.MethodPost, "/admin/codes", req, &code); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(syncserver.EnrollRequest{Code: code["code"], Device: device, Name: device})
	resp, err := http.Post(base+"/v1/enroll", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var enrolled syncserver.EnrollResponse
	err = json.NewDecoder(resp.Body).Decode(&enrolled)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("enrol %s: %s %v", device, resp.Status, err)
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+enrolled.Token)
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"/v1/sync", h)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", device, err)
	}
	hello := &schema.Hello{Protocol: schema.ProtocolVersion, Schema: schema.SchemaVersion, Device: device, ClockMS: time.Now().UnixMilli()}
	if err := schema.WriteMsg(ws, &schema.Msg{Type: schema.MsgHello, Hello: hello}, 30*time.Second); err != nil {
		ws.Close()
		return nil, err
	}
	m, err := schema.ReadMsg(ws, 30*time.Second)
	if err == nil && m.Type != schema.MsgWelcome {
		err = fmt.Errorf("hello answered with %s", m.Type)
	}
	if err != nil {
		ws.Close()
		return nil, fmt.Errorf("%s: %w", device, err)
	}
	return ws, nil
}
