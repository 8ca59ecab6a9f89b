// Package faultproxy is a TCP proxy on loopback that breaks sync
// connections the way rural links do: it cuts a connection after a number
// of bytes in either direction (in the HTTP upgrade, inside a frame header
// or in the middle of a payload), swallows an ack the server already made
// durable, and delays traffic. The e2e tests and the lossy-link bench
// share it; it is not for production use.
//
// It parses the server's websocket frames (they are unmasked) to recognise
// acks; the client's direction is cut by byte count only.
package faultproxy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"laoxiao/schema"
)

// Fault is what the proxy does to one connection.
type Fault struct {
	// UpBudget and DownBudget cut the connection after that many bytes
	// went client→server or server→client (0: never). The budget counts
	// the HTTP upgrade too, so a cut can land in the handshake, inside a
	// frame header or in the middle of a payload. A cut closes both
	// directions, as a dropped link does.
	UpBudget, DownBudget int64
	// DropAck swallows the n-th ack (1-based) the server sends and cuts
	// the connection at once: the server has made the batch durable, the
	// client never hears of it and must find out on the next connection.
	DropAck int
	// MaxDelay holds every forwarded chunk back by a random time up to it.
	MaxDelay time.Duration
}

// String describes the fault in one line, for a test's log.
func (f Fault) String() string {
	return fmt.Sprintf("up=%d down=%d dropAck=%d delay=%s", f.UpBudget, f.DownBudget, f.DropAck, f.MaxDelay)
}

// Plan gives the fault of the n-th connection (1-based). The proxy calls
// it from one goroutine at a time, so a plan may use its own rand.Rand.
type Plan func(n int) Fault

// ExpCuts is a plan that cuts every connection in both directions after a
// byte count drawn from an exponential distribution of the given mean,
// each direction on its own: the connection dies at whichever comes first.
// Exponential, because a link that drops at random has no memory of how
// long it has been up.
func ExpCuts(rng *rand.Rand, mean float64) Plan {
	draw := func() int64 { return 1 + int64(rng.ExpFloat64()*mean) }
	return func(int) Fault { return Fault{UpBudget: draw(), DownBudget: draw()} }
}

// Stats counts what the proxy did, so a test can assert that the faults
// it meant to inject really happened.
type Stats struct {
	Conns, CutUp, CutDown, MidFrame, DroppedAcks, Acks, DupAcks atomic.Int64
}

// String sums the stats up for a log line.
func (s *Stats) String() string {
	return fmt.Sprintf("%d connections, cut up %d, cut down %d (mid-frame %d), acks %d, dropped %d, duplicate %d",
		s.Conns.Load(), s.CutUp.Load(), s.CutDown.Load(), s.MidFrame.Load(), s.Acks.Load(), s.DroppedAcks.Load(), s.DupAcks.Load())
}

// Proxy forwards connections to a target address, faulting each as its
// plan says. Close it when done: it closes every connection it holds.
type Proxy struct {
	// URL is the proxy's address as an http:// URL, to enrol or point a
	// sync client at.
	URL   string
	Stats Stats

	ln     net.Listener
	target string

	mu    sync.Mutex
	plan  Plan
	n     int
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Start listens on a loopback port and forwards to target (host:port).
func Start(target string, plan Plan) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fault proxy: %w", err)
	}
	p := &Proxy{ln: ln, target: target, URL: "http://" + ln.Addr().String(), plan: plan,
		conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// SetPlan changes the faults of connections accepted from now on.
func (p *Proxy) SetPlan(plan Plan) {
	p.mu.Lock()
	p.plan = plan
	p.mu.Unlock()
}

// Close stops accepting, cuts every connection and waits for the copies.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *Proxy) accept() {
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
		p.Stats.Conns.Add(1)
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

// up copies client→server, cutting after f.UpBudget bytes.
func (p *Proxy) up(dst, src net.Conn, f Fault, cut func()) {
	defer cut()
	buf := make([]byte, 16<<10)
	var sent int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			delay(f.MaxDelay)
			chunk := buf[:n]
			if f.UpBudget > 0 && sent+int64(n) >= f.UpBudget {
				dst.Write(chunk[:f.UpBudget-sent])
				p.Stats.CutUp.Add(1)
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
func (p *Proxy) down(dst, src net.Conn, f Fault, cut func()) {
	defer cut()
	br := bufio.NewReaderSize(src, 64<<10)
	var sent int64
	// forward writes b, or the part of it the budget allows and cuts.
	forward := func(b []byte) bool {
		delay(f.MaxDelay)
		if f.DownBudget > 0 && sent+int64(len(b)) >= f.DownBudget {
			part := f.DownBudget - sent
			dst.Write(b[:part])
			p.Stats.CutDown.Add(1)
			if part > 0 && part < int64(len(b)) {
				p.Stats.MidFrame.Add(1)
			}
			return false
		}
		if _, err := dst.Write(b); err != nil {
			return false
		}
		sent += int64(len(b))
		return true
	}
	head, err := readHead(br)
	if !forward(head) || err != nil {
		return
	}
	p.frames(br, f, forward)
}

// readHead reads the HTTP response head, up to its blank line.
func readHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for {
		line, err := br.ReadBytes('\n')
		head = append(head, line...)
		if err != nil {
			return head, err
		}
		if len(line) <= 2 { // the blank line ends the head
			return head, nil
		}
	}
}

// frames forwards websocket frames until one does not get through,
// swallowing the f.DropAck-th ack.
func (p *Proxy) frames(br *bufio.Reader, f Fault, forward func([]byte) bool) {
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
				p.Stats.Acks.Add(1)
				if m.Ack.Status == schema.AckDuplicate {
					p.Stats.DupAcks.Add(1)
				}
				if acks == f.DropAck {
					p.Stats.DroppedAcks.Add(1)
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
