package desktop

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestSyncTabSaysServerRestored: after the sync client found the server
// restored from an older backup and queued this laptop's acked changes
// again (agent.Store.Refill, what the client calls), the 同步 tab says so
// in Chinese with the count.
func TestSyncTabSaysServerRestored(t *testing.T) {
	h := newHarness(t, t.TempDir())
	u := h.u
	u.setup.county.SetSelected("雨城区")
	u.setup.town.SetSelected("草坝镇")
	test.Tap(u.setup.offline)
	h.drain()
	if !u.main {
		t.Fatal("offline start failed")
	}
	f := u.fac
	for _, name := range []string{"草坝镇敬老院", "草坝镇区域养老服务中心"} {
		f.clearForm()
		f.name.SetText(name)
		f.kind.SetSelected("特困供养机构(敬老院)")
		f.ownership.SetSelected("公办")
		f.save()
		h.drain()
	}
	s := u.syn
	s.refresh()
	h.drain()
	if s.restored.Visible() {
		t.Fatalf("a restore shown before any: %q", s.restored.Text)
	}
	if err := u.st.Release(2); err != nil { // the server acked both
		t.Fatal(err)
	}
	if _, err := u.st.Refill(0, "restored", true); err != nil { // and lost them in a restore
		t.Fatal(err)
	}
	s.refresh()
	h.drain()
	if !s.restored.Visible() || !strings.Contains(s.restored.Text, "服务器已从备份恢复") || !strings.Contains(s.restored.Text, "已重新上传 2 条更改") {
		t.Fatalf("sync tab after a refill: visible %v, %q", s.restored.Visible(), s.restored.Text)
	}
}
