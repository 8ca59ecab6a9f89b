package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

func sampleFacility(name string) schema.Facility {
	return schema.Facility{Name: name, Kind: schema.FKDayCare, Ownership: schema.OwnPublic,
		Filing: schema.FilingFiled, Status: schema.StatusOperating}
}

func mustPut(t testing.TB, a *site, unit schema.Code, v schema.Facility) *schema.Change {
	t.Helper()
	ch, err := a.st.Put(schema.KindFacility, "", unit, v)
	if err != nil {
		t.Fatalf("%s: put: %v", a.name, err)
	}
	return ch
}

// rawDevice enrols a device that speaks the protocol by hand.
func rawDevice(t testing.TB, srv *server, unit schema.Code) (id, token string) {
	t.Helper()
	id = "raw-" + schema.NewID()
	return id, enrollRaw(t, srv.url, srv.code(unit, store.RoleSite), id)
}

// TestSecurity covers what the server refuses: writes outside a device's
// unit and to read-only kinds (per change, losing nothing else), revoked
// and wrong tokens, replayed batches, and frames that are too big, not
// CBOR, or nested too deep — each of which ends only the connection that
// sent it.
func TestSecurity(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	home, away := testTownships[0], testTownships[2]
	homeV := schema.BuiltinDivisions().Descendants(home, schema.LevelVillage)
	awayV := schema.BuiltinDivisions().Descendants(away, schema.LevelVillage)
	ctx := context.Background()

	t.Run("out of scope refused per change", func(t *testing.T) {
		// Entered before enrolment, when the laptop did not know its unit:
		// one of three changes lies in another township.
		a := openSite(t, home, "scope", agent.Options{})
		in1 := mustPut(t, a, homeV[0], sampleFacility("本镇一"))
		out := mustPut(t, a, awayV[0], sampleFacility("外镇"))
		in2 := mustPut(t, a, homeV[1], sampleFacility("本镇二"))
		a.enroll(srv.url, srv.code(home, store.RoleSite))
		res := a.mustSync(t)
		if res.Parked != 1 || res.Uploaded != 3 {
			t.Fatalf("sync result %+v, want 3 handled of which 1 parked", res)
		}
		st, err := a.st.Status()
		if err != nil {
			t.Fatal(err)
		}
		if st.Parked != 1 || st.Outbox != 0 {
			t.Fatalf("status: %d parked, %d in outbox; want 1 and 0", st.Parked, st.Outbox)
		}
		parked, err := a.st.Parked()
		if err != nil {
			t.Fatal(err)
		}
		p := parked[0]
		if p.Change.Seq != out.Seq || p.Rejection.Code != schema.RejectOutOfScope ||
			!strings.Contains(p.Rejection.Reason, string(awayV[0])) || p.Rejection.ReasonZh == "" {
			t.Fatalf("parked %+v, want seq %d refused out_of_scope with a reason naming %s", p.Rejection, out.Seq, awayV[0])
		}
		if got := acceptedSeqs(serverLog(t, srv.srv.Store()))[a.st.DeviceID()]; fmt.Sprint(got) != fmt.Sprint([]uint64{in1.Seq, in2.Seq}) {
			t.Fatalf("server accepted seqs %v, want %d and %d", got, in1.Seq, in2.Seq)
		}
		if _, err := srv.srv.Store().Record(ctx, schema.KindFacility, out.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the refused facility reached the server: %v", err)
		}
		// The township the change aimed at never sees it.
		b := newSite(t, srv, away, "away", agent.Options{})
		b.mustSync(t)
		if _, err := b.st.Get(schema.KindFacility, out.ID); !errors.Is(err, agent.ErrNotFound) {
			t.Fatalf("the refused facility reached the other township: %v", err)
		}
		mustPut(t, a, homeV[2], sampleFacility("之后"))
		a.mustSync(t)
		checkConverged(t, srv, []*site{a, b})
	})

	t.Run("site writing a target refused", func(t *testing.T) {
		id, tok := rawDevice(t, srv, home)
		c, w := openRaw(t, srv.url, tok, id, 0)
		fields, err := schema.EncodeFields(schema.Target{Indicator: "Y01", Year: 2025, Value: 99})
		if err != nil {
			t.Fatal(err)
		}
		target := schema.Change{Kind: schema.KindTarget, ID: schema.TargetID(home, "Y01", 2025), Unit: home,
			Set: fields, Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: id, Seq: w.HighWater + 1}
		fac := facilityChange(t, id, w.HighWater+2, homeV[0], "同批机构")
		c.send(&schema.Msg{Type: schema.MsgUpload, Upload: &schema.Upload{Batch: 1, First: target.Seq,
			Changes: []schema.Change{target, fac}}})
		ack := c.readAck()
		if ack.Status != schema.AckApplied || ack.HighWater != fac.Seq || len(ack.Rejected) != 1 ||
			ack.Rejected[0].Seq != target.Seq || ack.Rejected[0].Code != schema.RejectReadOnly {
			t.Fatalf("ack %+v, want the target refused read_only and the facility applied", ack)
		}
		if _, err := srv.srv.Store().Record(ctx, schema.KindTarget, target.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a site's target reached the server: %v", err)
		}
		if _, err := srv.srv.Store().Record(ctx, schema.KindFacility, fac.ID); err != nil {
			t.Fatalf("the facility in the same batch was lost: %v", err)
		}
	})

	t.Run("revoked and wrong tokens cannot connect", func(t *testing.T) {
		a := newSite(t, srv, home, "revoked", agent.Options{})
		a.mustSync(t)
		e, _, err := a.st.Enrollment()
		if err != nil {
			t.Fatal(err)
		}
		// A session open at revocation is closed with an auth error.
		live, _ := openRaw(t, srv.url, e.Token, a.st.DeviceID(), a.st.Cursor())
		if err := srv.srv.Revoke(ctx, a.st.DeviceID()); err != nil {
			t.Fatal(err)
		}
		if sent, _ := live.expectClosedWith(); sent == nil || sent.Code != schema.ErrAuth {
			t.Fatalf("open session at revocation got %+v, want an auth error", sent)
		}
		mustPut(t, a, homeV[0], sampleFacility("吊销后"))
		if _, err := a.sync(ctx); !isAuthError(err) {
			t.Fatalf("revoked device synced: %v, want *schema.Error auth", err)
		}
		if _, status, err := dialRaw(srv.url, e.Token); err == nil || status != http.StatusUnauthorized {
			t.Fatalf("revoked token: status %d, err %v; want 401", status, err)
		}

		w := newSite(t, srv, home, "wrongtoken", agent.Options{})
		we, _, err := w.st.Enrollment()
		if err != nil {
			t.Fatal(err)
		}
		good := we.Token
		we.Token = w.st.DeviceID() + ".not-the-secret"
		if err := w.st.SetEnrollment(we); err != nil {
			t.Fatal(err)
		}
		if _, err := w.sync(ctx); !isAuthError(err) {
			t.Fatalf("wrong token synced: %v, want *schema.Error auth", err)
		}
		for _, tok := range []string{we.Token, "nobody." + good[strings.IndexByte(good, '.')+1:], "", "garbage"} {
			if _, status, err := dialRaw(srv.url, tok); err == nil || status != http.StatusUnauthorized {
				t.Fatalf("token %q: status %d, err %v; want 401", tok, status, err)
			}
		}
		// The right token names its device: a hello naming another is refused.
		other, _ := rawDevice(t, srv, home)
		ws, _, err := dialRaw(srv.url, good)
		if err != nil {
			t.Fatal(err)
		}
		c := &rawConn{t: t, ws: ws}
		c.send(&schema.Msg{Type: schema.MsgHello, Hello: &schema.Hello{Protocol: schema.ProtocolVersion,
			Schema: schema.SchemaVersion, Device: other}})
		if sent, _ := c.expectClosedWith(); sent == nil || sent.Code != schema.ErrAuth {
			t.Fatalf("hello for another device got %+v, want an auth error", sent)
		}
	})

	t.Run("replayed batch changes nothing", func(t *testing.T) {
		id, tok := rawDevice(t, srv, home)
		c, w := openRaw(t, srv.url, tok, id, 0)
		up := &schema.Upload{Batch: 7, First: w.HighWater + 1}
		for i := uint64(0); i < 3; i++ {
			up.Changes = append(up.Changes, facilityChange(t, id, w.HighWater+1+i, homeV[int(i)%len(homeV)], fmt.Sprintf("重放%d", i)))
		}
		frame := c.send(&schema.Msg{Type: schema.MsgUpload, Upload: up})
		if ack := c.readAck(); ack.Status != schema.AckApplied || ack.HighWater != w.HighWater+3 {
			t.Fatalf("first delivery: %+v", ack)
		}
		before, state := logLen(t, srv.srv.Store()), serverState(t, srv.srv.Store(), home)
		c.sendBytes(frame)
		if ack := c.readAck(); ack.Status != schema.AckDuplicate || ack.HighWater != w.HighWater+3 || len(ack.Rejected) != 0 {
			t.Fatalf("replay on the same connection: %+v, want a duplicate", ack)
		}
		// And on a new connection, as an attacker who captured the frame
		// (or a client that lost the ack) would send it.
		c2, _ := openRaw(t, srv.url, tok, id, 0)
		c2.sendBytes(frame)
		if ack := c2.readAck(); ack.Status != schema.AckDuplicate {
			t.Fatalf("replay on a new connection: %+v, want a duplicate", ack)
		}
		if after := logLen(t, srv.srv.Store()); after != before {
			t.Fatalf("replays grew the log from %d to %d entries", before, after)
		}
		if d := diffStates(state, serverState(t, srv.srv.Store(), home)); d != "" {
			t.Fatalf("replays changed the server's records:\n%s", d)
		}
	})

	t.Run("bad frames close only their connection", func(t *testing.T) {
		good := newSite(t, srv, home, "bystander", agent.Options{})
		good.mustSync(t)
		// A session that stays open through all of it and still works.
		bid, btok := rawDevice(t, srv, home)
		bystander, bw := openRaw(t, srv.url, btok, bid, 0)

		nested := facilityChange(t, "x", 1, homeV[0], "嵌套")
		nested.Set["name"] = cbor.RawMessage(append(bytes.Repeat([]byte{0x81}, 40), 0x01))
		deep, err := schema.Marshal(&schema.Msg{Type: schema.MsgUpload, Upload: &schema.Upload{Batch: 1, First: 1,
			Changes: []schema.Change{nested}}})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			frame []byte
			hello bool // sent in place of the hello
		}{
			{"over the frame limit", bytes.Repeat([]byte{0x80}, schema.MaxFrameBytes+1), false},
			{"garbage", []byte{0xff, 0x13, 0x37, 0x00, 0xde, 0xad}, false},
			{"garbage hello", []byte("GET / HTTP/1.1\r\n"), true},
			{"nested too deep", deep, false},
			{"nested too deep hello", append(bytes.Repeat([]byte{0x81}, 100), 0x01), true},
		}
		for _, tc := range cases {
			id, tok := rawDevice(t, srv, home)
			var c *rawConn
			if tc.hello {
				ws, _, err := dialRaw(srv.url, tok)
				if err != nil {
					t.Fatal(err)
				}
				c = &rawConn{t: t, ws: ws}
				t.Cleanup(func() { ws.Close() })
			} else {
				c, _ = openRaw(t, srv.url, tok, id, 0)
			}
			// The server may stop reading an oversized frame part way and
			// close: a failed write is expected then.
			c.trySend(tc.frame)
			sent, end := c.expectClosedWith()
			if sent == nil || sent.Code != schema.ErrBadFrame || sent.Message == "" {
				t.Errorf("%s: server sent %+v before closing (%v), want a bad_frame error", tc.name, sent, end)
			}
			// The server closed it; a read that timed out would mean it
			// kept the connection open.
			var ne net.Error
			if errors.As(end, &ne) && ne.Timeout() {
				t.Errorf("%s: the server kept the connection open", tc.name)
			}
		}
		// Everyone else is still served: the open session uploads, a site syncs.
		bystander.send(&schema.Msg{Type: schema.MsgUpload, Upload: &schema.Upload{Batch: 1, First: bw.HighWater + 1,
			Changes: []schema.Change{facilityChange(t, bid, bw.HighWater+1, homeV[0], "旁观者")}}})
		if ack := bystander.readAck(); ack.Status != schema.AckApplied {
			t.Fatalf("bystander's session after the bad frames: %+v", ack)
		}
		mustPut(t, good, homeV[1], sampleFacility("坏帧之后"))
		if res := good.mustSync(t); res.Uploaded != 1 {
			t.Fatalf("a site's sync after the bad frames uploaded %d, want 1", res.Uploaded)
		}
	})
}
