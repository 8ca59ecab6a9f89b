package e2e

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// fault is what the proxy does to one connection.
type fault struct {
	// upBudget and downBudget cut the connection after that many bytes
	// went client→server or server→client (0: never). The budget counts
	// the HTTP upgrade too, so a cut can land in the handshake, inside a
	// frame header or in the middle of a payload.
	upBudget, downBudget int64
	// dropAck swallows the n-th ack (1-based) the server sends and cuts
	// the connection at once: the server has made the batch durable, the
	// client never hears of it and must find out on the next connection.
	dropAck int
	// maxDelay holds every forwarded chunk back by a random time up to it.
	maxDelay time.Duration
}

func (f fault) String() string {
	return fmt.Sprintf("up=%d down=%d dropAck=%d delay=%s", f.upBudget, f.downBudget, f.dropAck, f.maxDelay)
}

// proxyStats counts what the proxy did, so a test can assert that the
// faults it meant to inject really happened.
type proxyStats struct {
	conns, cutUp, cutDown, midFrame, droppedAcks, acks, dupAcks atomic.Int64
}

// faultProxy is a real TCP proxy on loopback between sync clients and the
// server. It parses the server's websocket frames (they are unmasked) so
// it can recognise acks; the client's direction is cut by byte count only.
type faultProxy struct {
	t      testing.TB
	ln     net.Listener
	target string
	url    string

	mu    sync.Mutex
	plan  func(n int) fault
	n     int
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
	stats proxyStats
}

func startProxy(t testing.TB, target string, plan func(n int) fault) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: target, url: "http://" + ln.Addr().String(), plan: plan,
		conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// setPlan changes the faults of connections accepted from now on.
func (p *faultProxy) setPlan(plan func(n int) fault) {
	p.mu.Lock()
	p.plan = plan
	p.mu.Unlock()
}

func (p *faultProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *faultProxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
}

func (p *faultProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.n++
		f := p.plan(p.n)
		p.mu.Unlock()
		p.stats.conns.Add(1)
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.track(client)
		p.track(server)
		var once sync.Once
		cut := func() {
			once.Do(func() {
				client.Close()
				server.Close()
			})
		}
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			defer p.untrack(client)
			p.up(server, client, f, cut)
		}()
		go func() {
			defer p.wg.Done()
			defer p.untrack(server)
			p.down(client, server, f, cut)
		}()
	}
}

// delay holds a chunk back by a random time below upTo.
func delay(upTo time.Duration) {
	if upTo > 0 {
		time.Sleep(rand.N(upTo))
	}
}

// up copies client→server, cutting after f.upBudget bytes.
func (p *faultProxy) up(dst, src net.Conn, f fault, cut func()) {
	defer cut()
	buf := make([]byte, 16<<10)
	var sent int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			delay(f.maxDelay)
			chunk := buf[:n]
			if f.upBudget > 0 && sent+int64(n) >= f.upBudget {
				dst.Write(chunk[:f.upBudget-sent])
				p.stats.cutUp.Add(1)
				return
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
			sent += int64(n)
		}
		if err != nil {
			return
		}
	}
}

// down copies server→client frame by frame: the HTTP response head first,
// then websocket frames, each looked at before it is forwarded.
func (p *faultProxy) down(dst, src net.Conn, f fault, cut func()) {
	defer cut()
	br := bufio.NewReaderSize(src, 64<<10)
	var sent int64
	// forward writes b, or the part of it the budget allows and cuts.
	forward := func(b []byte) bool {
		delay(f.maxDelay)
		if f.downBudget > 0 && sent+int64(len(b)) >= f.downBudget {
			part := f.downBudget - sent
			dst.Write(b[:part])
			p.stats.cutDown.Add(1)
			if part > 0 && part < int64(len(b)) {
				p.stats.midFrame.Add(1)
			}
			return false
		}
		if _, err := dst.Write(b); err != nil {
			return false
		}
		sent += int64(len(b))
		return true
	}
	var head []byte
	for {
		line, err := br.ReadBytes('\n')
		head = append(head, line...)
		if err != nil {
			forward(head)
			return
		}
		if len(line) <= 2 { // the blank line ends the head
			break
		}
	}
	if !forward(head) {
		return
	}
	acks := 0
	for {
		raw, op, fin, payload, err := readFrame(br)
		if err != nil {
			if len(raw) > 0 {
				forward(raw)
			}
			return
		}
		if op == 2 && fin {
			if m, err := schema.DecodeMsg(payload); err == nil && m.Type == schema.MsgAck {
				acks++
				p.stats.acks.Add(1)
				if m.Ack.Status == schema.AckDuplicate {
					p.stats.dupAcks.Add(1)
				}
				if acks == f.dropAck {
					p.stats.droppedAcks.Add(1)
					return
				}
			}
		}
		if !forward(raw) {
			return
		}
	}
}

// readFrame reads one websocket frame: its raw bytes (to forward as they
// are), opcode, FIN bit and unmasked payload.
func readFrame(r *bufio.Reader) (raw []byte, op byte, fin bool, payload []byte, err error) {
	var h [14]byte
	if _, err = io.ReadFull(r, h[:2]); err != nil {
		return nil, 0, false, nil, err
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0f
	masked := h[1]&0x80 != 0
	n := uint64(h[1] & 0x7f)
	hl := 2
	switch n {
	case 126:
		if _, err = io.ReadFull(r, h[2:4]); err != nil {
			return h[:2], 0, false, nil, err
		}
		n, hl = uint64(binary.BigEndian.Uint16(h[2:4])), 4
	case 127:
		if _, err = io.ReadFull(r, h[2:10]); err != nil {
			return h[:2], 0, false, nil, err
		}
		n, hl = binary.BigEndian.Uint64(h[2:10]), 10
	}
	if masked {
		if _, err = io.ReadFull(r, h[hl:hl+4]); err != nil {
			return h[:hl], 0, false, nil, err
		}
		hl += 4
	}
	if n > 2*schema.MaxFrameBytes {
		return h[:hl], 0, false, nil, errors.New("frame too large for the proxy")
	}
	raw = make([]byte, hl+int(n))
	copy(raw, h[:hl])
	if _, err = io.ReadFull(r, raw[hl:]); err != nil {
		return raw, 0, false, nil, err
	}
	return raw, op, fin, raw[hl:], nil
}

// randomFault draws a connection's fault: a third pass clean, the rest cut
// in either direction after a random byte count or lose an ack the server
// already made durable; all may be slowed down.
func randomFault(rng *rand.Rand) fault {
	f := fault{}
	if rng.IntN(3) == 0 {
		f.maxDelay = time.Duration(rng.IntN(4)) * time.Millisecond
	}
	switch r := rng.IntN(12); {
	case r < 4:
		// clean
	case r < 6:
		f.upBudget = 1 + rng.Int64N(2500)
	case r < 8:
		f.downBudget = 1 + rng.Int64N(2500)
	default:
		f.dropAck = 1 + rng.IntN(2)
	}
	return f
}

// TestFaultProxy: sites sync through a proxy that cuts connections at
// random points (in the handshake, in frame headers, mid-payload), delays
// traffic, and swallows acks of batches the server already made durable,
// so clients resend what the server applied. Each site also carries edits
// made before enrolment outside its unit, which the server refuses: their
// refusals travel in acks the proxy may swallow, and must still reach the
// site. Halfway through, the county locks February: the sites' offline
// February reports are refused as locked, through the same faults. After
// many rounds and a clean sync, nothing is lost, nothing is applied twice,
// every refused change is parked on its site, and the server's February is
// what it was at the lock.
func TestFaultProxy(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	rng := rand.New(rand.NewPCG(7, 11))
	var planMu sync.Mutex
	px := startProxy(t, srv.ln.Addr().String(), func(n int) fault {
		planMu.Lock()
		defer planMu.Unlock()
		if n <= 4 {
			// The first connection of every site loses the ack of its
			// first batch, the one carrying the refusals.
			return fault{dropAck: 1}
		}
		return randomFault(rng)
	})

	const nSites, outOfScope = 4, 2
	var sites []*site
	for i := 0; i < nSites; i++ {
		tw := testTownships[i%2]
		a := openSite(t, tw, fmt.Sprintf("px%02d", i), agent.Options{})
		// Before enrolment the laptop lets the user enter anything; the
		// entries under another township are refused at the first sync.
		other := schema.BuiltinDivisions().Descendants(testTownships[2+i%2], schema.LevelVillage)
		for k := 0; k < outOfScope; k++ {
			f := schema.Facility{Name: fmt.Sprintf("越界%d-%d", i, k), Kind: schema.FKMealPoint,
				Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating}
			if _, err := a.st.Put(schema.KindFacility, "", other[k%len(other)], f); err != nil {
				t.Fatalf("%s: pre-enrolment edit: %v", a.name, err)
			}
		}
		a.enroll(srv.url, srv.code(tw, "site"))
		a.pointAt(px.url)
		sites = append(sites, a)
	}

	rounds := 20
	if testing.Short() {
		rounds = 10
	}
	failures := atomic.Int64{}
	var atLock visible
	for round := 0; round < rounds; round++ {
		if round == rounds/2 {
			atLock = lockMidRun(t, srv, sites)
		}
		for i, a := range sites {
			r := rand.New(rand.NewPCG(uint64(round), uint64(i)+100))
			n := 5
			if round%7 == 3 {
				n = 40 // a long day offline: frames of many kilobytes to cut into
			}
			for k := 0; k < n; k++ {
				edit(t, a, r)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(sites))
		for _, a := range sites {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Retry like the Run loop does, without its back-off.
				for attempt := 0; attempt < 60; attempt++ {
					_, err := a.sync(t.Context())
					if err == nil {
						return
					}
					failures.Add(1)
				}
				errs <- fmt.Errorf("%s round %d: sync never got through the proxy", a.name, round)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	px.setPlan(func(int) fault { return fault{} })
	for pass := 0; pass < 2; pass++ {
		for _, a := range sites {
			a.mustSync(t)
		}
	}
	s := &px.stats
	t.Logf("proxy: %d connections, %d failed syncs, cut up %d, cut down %d (mid-frame %d), acks %d, dropped %d, duplicate %d",
		s.conns.Load(), failures.Load(), s.cutUp.Load(), s.cutDown.Load(), s.midFrame.Load(), s.acks.Load(), s.droppedAcks.Load(), s.dupAcks.Load())
	if s.cutUp.Load() == 0 || s.cutDown.Load() == 0 || s.midFrame.Load() == 0 || s.droppedAcks.Load() < nSites {
		t.Errorf("the proxy did not inject every kind of fault")
	}
	if s.dupAcks.Load() == 0 {
		t.Errorf("no client resent a batch the server had already applied")
	}
	checkConverged(t, srv, sites)
	if d := diffStates(lockedReports(t, srv), atLock); d != "" {
		t.Errorf("the locked month changed on the server:\n%s", d)
	}
	checkParkedAfterProxy(t, sites, outOfScope)
}

// checkParkedAfterProxy: each site parked exactly its out-of-scope edits
// and the February reports refused as locked, and some were.
func checkParkedAfterProxy(t *testing.T, sites []*site, outOfScope int) {
	t.Helper()
	locked := 0
	for _, a := range sites {
		st, err := a.st.Status()
		if err != nil {
			t.Fatal(err)
		}
		parked, err := a.st.Parked()
		if err != nil {
			t.Fatal(err)
		}
		codes := map[schema.RejectCode]int{}
		for _, p := range parked {
			codes[p.Rejection.Code]++
		}
		if st.Parked != len(parked) || codes[schema.RejectOutOfScope] != outOfScope || codes[schema.RejectOutOfScope]+codes[schema.RejectLocked] != len(parked) {
			t.Errorf("%s: parked %v (status says %d), want the %d refused out of scope and those refused as locked", a.name, codes, st.Parked, outOfScope)
		}
		locked += codes[schema.RejectLocked]
	}
	if locked == 0 {
		t.Error("no February report made before the sites learned of the lock was refused as locked")
	}
}

// The month the fault proxy test locks halfway, on the county of its
// sites (testTownships 0 and 1 are both in 511802).
const proxyLockMonth = "2025-02"

// lockMidRun locks February on the county, then has every site enter a
// February report offline, before it can learn of the lock, and returns
// the server's February reports as locked.
func lockMidRun(t *testing.T, srv *server, sites []*site) visible {
	t.Helper()
	countyLock(t, srv, "511802", proxyLockMonth)
	for _, a := range sites {
		var facs []*schema.Record
		a.st.List(schema.KindFacility, a.unit, func(r *schema.Record) error { facs = append(facs, r); return nil })
		if len(facs) == 0 {
			continue
		}
		c := schema.Capacity{Facility: facs[0].ID, Period: proxyLockMonth, BedsTotal: 999}
		if _, err := a.st.Put(schema.KindCapacity, "", facs[0].Unit, c); err != nil {
			t.Fatalf("%s: offline February report: %v", a.name, err)
		}
	}
	return lockedReports(t, srv)
}

// lockedReports is the server's reports of the locked month.
func lockedReports(t *testing.T, srv *server) visible {
	t.Helper()
	out := visible{}
	err := srv.srv.Store().ScanRecords(context.Background(), "511802", func(r *schema.Record) error {
		if p, ok := schema.LockPeriod(r.Kind, r.Fields); ok && r.Kind == schema.KindCapacity && p == proxyLockMonth {
			out[r.Key()] = recordString(r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
