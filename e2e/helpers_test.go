package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// checkConvergedStore asserts the protocol's guarantee for these sites
// against a server store (in-process or reopened after a server process
// died):
//
//   - the server's records are exactly the merge of its log, and no
//     device's change was accepted twice;
//   - every change a site issued was either accepted exactly once, in
//     sequence order, or refused and parked on the site with its reason —
//     none lost, none in both states;
//   - the server's high-water mark of each device is the device's last
//     sequence, and its outbox is empty;
//   - each site's records within its scope equal the server's merged with
//     the site's own parked changes (a change refused into a locked period
//     keeps its values on the site for the user to re-send), and the only
//     records it holds outside its scope are its own refused writes.
func checkConvergedStore(t *testing.T, st store.Store, sites []*site) {
	t.Helper()
	log := checkServerIsMergeOfLog(t, st)
	if len(log) == 0 {
		t.Fatal("the server accepted no change")
	}
	seqs := acceptedSeqs(log)
	t.Logf("%d changes accepted from %d devices", len(log), len(seqs))
	for _, a := range sites {
		status, err := a.st.Status()
		if err != nil {
			t.Fatal(err)
		}
		if status.Outbox != 0 {
			t.Errorf("%s: %d changes still in the outbox", a.name, status.Outbox)
		}
		parked, err := a.st.Parked()
		if err != nil {
			t.Fatal(err)
		}
		refused := map[uint64]bool{}
		for _, p := range parked {
			if p.Rejection.Code == "" || p.Rejection.Reason == "" {
				t.Errorf("%s: parked change %d carries no reason: %+v", a.name, p.Change.Seq, p.Rejection)
			}
			refused[p.Change.Seq] = true
		}
		got := seqs[a.st.DeviceID()]
		want := uint64(1)
		for _, s := range got {
			for refused[want] {
				want++
			}
			if s != want {
				t.Fatalf("%s: accepted seq %d, want %d (every change exactly once, in order; parked %v)", a.name, s, want, sortedSeqs(refused))
			}
			want++
		}
		for refused[want] {
			want++
		}
		if want-1 != status.LastSeq {
			t.Errorf("%s: server accepted or refused up to seq %d, device issued %d", a.name, want-1, status.LastSeq)
		}
		mark, err := st.Mark(context.Background(), a.st.DeviceID())
		if err != nil {
			t.Fatal(err)
		}
		if mark.HighWater != status.LastSeq || status.AckedSeq != status.LastSeq {
			t.Errorf("%s: server high-water %d, device acked %d, device issued %d", a.name, mark.HighWater, status.AckedSeq, status.LastSeq)
		}
		in, out := siteStateSplit(t, a.st, a.unit)
		if d := diffStates(in, withParked(t, st, serverState(t, st, a.unit), a.unit, parked)); d != "" {
			t.Errorf("%s differs from the server within its scope:\n%s", a.name, d)
		}
		for k, r := range out {
			if !ownWrite(r, a.st.DeviceID()) {
				t.Errorf("%s holds %v outside its scope %s, not its own refused write", a.name, k, a.unit)
			}
		}
	}
}

// withParked returns want, the server's records in scope, as a site that
// parked these changes holds them: each in-scope parked change merged into
// the server's record. Merge is order-free, so the result is the same
// whatever the site received before or after parking.
func withParked(t testing.TB, st store.Store, want visible, scope schema.Code, parked []agent.Parked) visible {
	t.Helper()
	recs := map[schema.Key]*schema.Record{}
	for _, p := range parked {
		ch := p.Change
		if !ch.Unit.Within(scope) {
			continue // out of scope: ownWrite accounts for it
		}
		cur, ok := recs[ch.Key()]
		if !ok {
			r, err := st.Record(context.Background(), ch.Kind, ch.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			cur = r
		}
		merged, _, err := schema.Merge(cur, &ch)
		if err != nil {
			t.Fatalf("merge parked change %d: %v", ch.Seq, err)
		}
		recs[ch.Key()] = merged
	}
	for k, r := range recs {
		if r.IsDeleted() {
			delete(want, k)
		} else {
			want[k] = recordString(r)
		}
	}
	return want
}

// siteStateSplit returns a site's live records inside its scope (as the
// server would show them to it) and the records it holds outside.
func siteStateSplit(t testing.TB, st *agent.Store, scope schema.Code) (visible, map[schema.Key]*schema.Record) {
	t.Helper()
	in, out := visible{}, map[schema.Key]*schema.Record{}
	for _, k := range schema.Kinds {
		err := st.List(k, "", func(r *schema.Record) error {
			if r.Unit.Within(scope) || (r.Kind.FlowsDown() && scope.Within(r.Unit)) {
				in[r.Key()] = recordString(r)
			} else {
				out[r.Key()] = r
			}
			return nil
		})
		if err != nil {
			t.Fatalf("list %s: %v", k, err)
		}
	}
	return in, out
}

// ownWrite reports whether every version a record carries was written by
// device: a refused write the site keeps for the user to correct.
func ownWrite(r *schema.Record, device string) bool {
	if !r.Deleted.IsZero() && r.Deleted.Device != device {
		return false
	}
	for _, v := range r.Versions {
		if v.Device != device {
			return false
		}
	}
	return true
}

func sortedSeqs(m map[uint64]bool) []uint64 {
	var out []uint64
	for s := range m {
		out = append(out, s)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// enrollRaw enrols a made-up device id over HTTP, without an agent store,
// and returns its token: the security tests speak the protocol by hand.
func enrollRaw(t testing.TB, baseURL, code, device string) string {
	t.Helper()
	body, _ := json.Marshal(syncserver.EnrollRequest{Code: code, Device: device, Name: device})
	resp, err := http.Post(baseURL+"/v1/enroll", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("enrol %s: %v", device, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("enrol %s: %s: %s", device, resp.Status, raw)
	}
	var out syncserver.EnrollResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("enrol %s: %v", device, err)
	}
	return out.Token
}

// rawConn is a hand-driven sync connection: the tests that must send what
// no well-behaved client sends (replays, garbage, oversized frames) use it.
type rawConn struct {
	t  testing.TB
	ws *websocket.Conn
}

// dialRaw opens the sync websocket with token; on refusal it returns the
// HTTP status.
func dialRaw(baseURL, token string) (*websocket.Conn, int, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, 0, err
	}
	u.Scheme = "ws"
	u.Path = "/v1/sync"
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial(u.String(), h)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if err != nil {
		return nil, status, fmt.Errorf("dial %s: %w", u, err)
	}
	return ws, status, nil
}

// openRaw dials and says hello; it returns the welcome.
func openRaw(t testing.TB, baseURL, token, device string, cursor uint64) (*rawConn, *schema.Welcome) {
	t.Helper()
	ws, _, err := dialRaw(baseURL, token)
	if err != nil {
		t.Fatal(err)
	}
	c := &rawConn{t: t, ws: ws}
	t.Cleanup(func() { ws.Close() })
	c.send(&schema.Msg{Type: schema.MsgHello, Hello: &schema.Hello{Protocol: schema.ProtocolVersion,
		Schema: schema.SchemaVersion, Device: device, Cursor: cursor, ClockMS: time.Now().UnixMilli()}})
	m, err := c.read()
	if err != nil {
		t.Fatalf("read welcome: %v", err)
	}
	if m.Type != schema.MsgWelcome {
		t.Fatalf("hello answered with %s", m.Type)
	}
	return c, m.Welcome
}

func (c *rawConn) send(m *schema.Msg) []byte {
	c.t.Helper()
	b, err := schema.EncodeMsg(m)
	if err != nil {
		c.t.Fatalf("encode %s: %v", m.Type, err)
	}
	c.sendBytes(b)
	return b
}

func (c *rawConn) sendBytes(b []byte) {
	c.t.Helper()
	if err := c.trySend(b); err != nil {
		c.t.Fatalf("send frame: %v", err)
	}
}

// trySend sends a frame the server may refuse before reading it whole.
func (c *rawConn) trySend(b []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.ws.WriteMessage(websocket.BinaryMessage, b)
}

// read returns the next message; an Error message is returned as the
// message, not as an error, so tests can look at it.
func (c *rawConn) read() (*schema.Msg, error) {
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	if mt != websocket.BinaryMessage {
		return nil, fmt.Errorf("server sent frame type %d", mt)
	}
	return schema.DecodeMsg(data)
}

// readAck skips download frames and returns the next ack.
func (c *rawConn) readAck() *schema.Ack {
	c.t.Helper()
	for {
		m, err := c.read()
		if err != nil {
			c.t.Fatalf("waiting for an ack: %v", err)
		}
		switch m.Type {
		case schema.MsgAck:
			return m.Ack
		case schema.MsgDownload:
		default:
			c.t.Fatalf("waiting for an ack, got %s %+v", m.Type, m.Error)
		}
	}
}

// expectClosedWith reads until the server ends the connection and returns
// the Error message it sent first (nil if none) and how the read ended.
func (c *rawConn) expectClosedWith() (*schema.Error, error) {
	var sent *schema.Error
	for {
		m, err := c.read()
		if err != nil {
			return sent, err
		}
		if m.Type == schema.MsgError {
			sent = m.Error
		}
	}
}

// isAuthError reports whether err is the client's auth refusal.
func isAuthError(err error) bool {
	var se *schema.Error
	return errors.As(err, &se) && se.Code == schema.ErrAuth
}

// logLen is the number of accepted changes in the server's log.
func logLen(t testing.TB, st store.Store) int { return len(serverLog(t, st)) }

// facilityChange builds a change by hand (for the raw protocol tests).
func facilityChange(t testing.TB, device string, seq uint64, unit schema.Code, name string) schema.Change {
	t.Helper()
	f, err := schema.EncodeFields(schema.Facility{Name: name, Kind: schema.FKDayCare, Ownership: schema.OwnPublic,
		Filing: schema.FilingFiled, Status: schema.StatusOperating})
	if err != nil {
		t.Fatal(err)
	}
	return schema.Change{Kind: schema.KindFacility, ID: schema.NewID(), Unit: unit, Set: f,
		Stamp: schema.MakeStamp(time.Now().UnixMilli(), uint16(seq)), Device: device, Seq: seq}
}
