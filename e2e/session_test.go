package e2e

import (
	"testing"

	"laoxiao/schema"
)

// TestNewConnectionReplacesOld: a device has one sync session at a time. A
// laptop whose network dropped reconnects before the server noticed the
// old connection died; the old one is closed with a retryable error and
// the new one works, so the device never has twice its in-flight cap.
func TestNewConnectionReplacesOld(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	id, token := rawDevice(t, srv, testTownships[0])
	old, _ := openRaw(t, srv.url, token, id, 0)
	fresh, w := openRaw(t, srv.url, token, id, 0)
	sent, err := old.expectClosedWith()
	if sent == nil || sent.Code != schema.ErrProtocol || !sent.Retry {
		t.Fatalf("old connection ended with %+v (%v), want a retryable protocol error", sent, err)
	}
	ch := facilityChange(t, id, w.HighWater+1, schema.BuiltinDivisions().Descendants(testTownships[0], schema.LevelVillage)[0], "新连接")
	fresh.send(&schema.Msg{Type: schema.MsgUpload, Upload: &schema.Upload{Batch: 1, First: ch.Seq, Changes: []schema.Change{ch}}})
	if a := fresh.readAck(); a.Status != schema.AckApplied || a.HighWater != ch.Seq {
		t.Fatalf("new connection's ack: %+v", a)
	}
}
