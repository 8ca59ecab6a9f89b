package desktop

import (
	"fmt"
	"strings"
	"testing"
)

// TestSyncTabSaysServerRestored: after the sync client found the server
// restored from an older backup and queued this laptop's acked changes
// again (agent.Store.Refill, what the client calls), the 同步 tab says so
// in Chinese with the count.
func TestSyncTabSaysServerRestored(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	s := u.syn
	s.refresh()
	h.drain()
	if s.restored.Visible() {
		t.Fatalf("a restore shown before any: %q", s.restored.Text)
	}
	st, err := u.st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if err := u.st.Release(st.LastSeq); err != nil { // the server acked them all
		t.Fatal(err)
	}
	if _, err := u.st.Refill(0, "restored", true); err != nil { // and lost them in a restore
		t.Fatal(err)
	}
	s.refresh()
	h.drain()
	want := fmt.Sprintf("已重新上传 %d 条更改", st.LastSeq)
	if !s.restored.Visible() || !strings.Contains(s.restored.Text, "服务器已从备份恢复") || !strings.Contains(s.restored.Text, want) {
		t.Fatalf("sync tab after a refill: visible %v, %q; want %q", s.restored.Visible(), s.restored.Text, want)
	}
}
