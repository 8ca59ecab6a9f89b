package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/internal/pgtest"
	"laoxiao/internal/serverchild"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/cli"
	"laoxiao/syncserver/store"
)

// The crash tests re-execute this test binary as a child process that a
// test can kill with SIGKILL: a sync server (serverchild.Env), or an agent
// when agentChildEnv (a store directory) is set, which opens an enrolled
// site's store and syncs it in a loop, printing its progress, until
// killed.
const agentChildEnv = "LAOXIAO_E2E_AGENT"

func TestMain(m *testing.M) {
	serverchild.RunIfChild(os.Stdout, os.Stderr)
	if dir := os.Getenv(agentChildEnv); dir != "" {
		os.Exit(agentChild(dir))
	}
	// The guarantee tests on PostgreSQL share one throwaway cluster, a
	// database each.
	os.Exit(pgtest.Main(m, &pgCluster))
}

// pgCluster is the PostgreSQL of this test binary (not of its children).
var pgCluster *pgtest.Cluster

// agentChild syncs the store in dir until it is killed. It prints one line
// per state change of the client ("state PHASE sent=N downloaded=N") and
// "done" after each sync that went through, unbuffered, so the parent
// knows where in a sync it kills it.
func agentChild(dir string) int {
	st, err := agent.Open(dir, agent.Options{Logger: quietLog()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent child:", err)
		return 2
	}
	c := syncclient.New(st, quietLog())
	c.Timeout = 10 * time.Second
	c.OnState = func(s syncclient.State) {
		fmt.Fprintf(os.Stdout, "state %s sent=%d downloaded=%d\n", s.Phase, s.Sent, s.Downloaded)
	}
	for {
		res, err := c.SyncOnce(context.Background())
		if err != nil {
			fmt.Fprintf(os.Stdout, "error %v\n", err)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		fmt.Fprintf(os.Stdout, "done uploaded=%d downloaded=%d\n", res.Uploaded, res.Downloaded)
	}
}

// child is a re-executed test binary.
type child struct {
	cmd   *exec.Cmd
	lines chan string // stdout, line by line; closed at exit
	logMu sync.Mutex
	log   bytes.Buffer // stderr
	done  chan struct{}
}

func startChild(t testing.TB, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// A data race in a child must not go unseen because the child is
	// killed before it would exit with the race detector's status: make
	// it exit at once, which the parent notices.
	cmd.Env = append(append(os.Environ(), env...), "GORACE=halt_on_error=1")
	c := &child{cmd: cmd, lines: make(chan string, 1024), done: make(chan struct{})}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errp, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			default: // nobody listening: drop, the parent only samples
			}
		}
	}()
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(errp)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			c.logMu.Lock()
			c.log.WriteString(sc.Text() + "\n")
			c.logMu.Unlock()
		}
	}()
	go func() {
		readers.Wait()
		cmd.Wait()
		close(c.done)
	}()
	return c
}

// kill sends SIGKILL and waits until the process is gone. It reports
// whether the process was still running, i.e. did not die on its own.
func (c *child) kill() (wasRunning bool) {
	select {
	case <-c.done:
		return false
	default:
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
	return c.cmd.ProcessState != nil && !c.cmd.ProcessState.Exited()
}

// stderr returns what the child logged.
func (c *child) stderr() string {
	c.logMu.Lock()
	defer c.logMu.Unlock()
	return c.log.String()
}

// freeAddr returns a loopback address nothing listens on, for a server
// that must come back on the same port after being killed.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// procServer is a sync server in a child process on a fixed address.
type procServer struct {
	t    testing.TB
	dir  string
	addr string
	url  string
	c    *child
	// store is the PostgreSQL URL the server keeps its data in; empty
	// for Badger under dir.
	store string
}

func startProcServer(t testing.TB, dir, addr string) *procServer {
	t.Helper()
	return startProcServerOn(t, dir, addr, "")
}

// startProcServerOn starts a server child keeping its data in the
// PostgreSQL database at storeURL (Badger under dir when empty).
func startProcServerOn(t testing.TB, dir, addr, storeURL string) *procServer {
	t.Helper()
	p := &procServer{t: t, dir: dir, addr: addr, url: "http://" + addr, store: storeURL}
	p.start()
	t.Cleanup(func() {
		if p.c != nil {
			p.c.kill()
		}
	})
	return p
}

// start runs the server and waits until it answers /healthz. The port
// may still be held for a moment by the process just killed; the child
// then exits and is started again.
func (p *procServer) start() {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for attempt := 0; ; attempt++ {
		env := []string{serverchild.Env(p.dir, p.addr)}
		if p.store != "" {
			env = append(env, serverchild.StoreEnv(p.store))
		}
		c := startChild(p.t, env...)
		if p.waitHealthy(c) {
			p.c = c
			return
		}
		c.kill()
		if time.Now().After(deadline) {
			p.t.Fatalf("server child did not come up after %d attempts:\n%s", attempt+1, lastLines(c.stderr(), 20))
		}
	}
}

// waitHealthy polls /healthz until it answers or the child exits: an
// external process offers nothing better to wait on.
func (p *procServer) waitHealthy(c *child) bool {
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-c.done:
			return false
		default:
		}
		if resp, err := client.Get(p.url + "/healthz"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *procServer) kill() {
	p.t.Helper()
	c := p.c
	p.c = nil
	if !c.kill() {
		p.t.Fatalf("server child died on its own (%v):\n%s", c.cmd.ProcessState, lastLines(c.stderr(), 20))
	}
}

// code asks the running server's admin API for an enrolment code.
func (p *procServer) code(unit schema.Code) string {
	p.t.Helper()
	ac, err := cli.NewAdminClient(p.dir)
	if err != nil {
		p.t.Fatal(err)
	}
	var out map[string]string
	req := syncserver.CodeRequest{Unit: unit, Name: "test " + string(unit), Role: store.RoleSite}
	if err := ac.Do(context.Background(), http.MethodPost, "/admin/codes", req, &out); err != nil {
		p.t.Fatalf("enrol code: %v", err)
	}
	return out["code"]
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
