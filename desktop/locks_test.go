package desktop

import (
	"strings"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// lockMonth gives the store in dir the county's lock on this month, as a
// download would, and parks the oldest change of its outbox as the server
// would refuse it for that lock. It returns the lock's id.
func lockMonth(t *testing.T, dir string) string {
	t.Helper()
	st, err := agent.Open(dir, agent.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	month := township.ThisMonth(township.Now(st))
	set, err := schema.EncodeFields(schema.Lock{Period: month, By: "雨城区民政局 李四",
		At: time.Now().Format(time.RFC3339), Reason: "本月数据已审核"})
	if err != nil {
		t.Fatal(err)
	}
	const id = "lock-county-month"
	ch := schema.Change{Kind: schema.KindLock, ID: id, Unit: "511802", Set: set,
		Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: "server", Seq: 1}
	if _, err := st.ApplyRemote([]schema.LogEntry{{Seq: 1, Change: ch}}, 1); err != nil {
		t.Fatal(err)
	}
	out, err := st.Outbox(0, 1)
	if err != nil || len(out) == 0 {
		t.Fatalf("outbox: %v, %v", out, err)
	}
	if err := st.Park(out[0], schema.Rejection{Seq: out[0].Seq, Code: schema.RejectLocked, Lock: id, Reason: "locked"}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestLockedMonth: the capacity sheet says the county locked the month
// and whom to ask; a save is refused on the row with the lock's details
// and writes nothing; the 同步 tab lists the server's lock refusal in
// Chinese, saying the lock still holds.
func TestLockedMonth(t *testing.T) {
	dir := demoDir(t, false)
	lockMonth(t, dir)
	h := newHarness(t, dir)
	u := h.u
	u.tabs.SelectIndex(1)
	h.drain()
	c := u.cap
	if !c.lock.Visible() || !strings.Contains(c.lock.Text, "雨城区(511802)") || !strings.Contains(c.lock.Text, "雨城区民政局 李四") ||
		!strings.Contains(c.lock.Text, "解锁") {
		t.Fatalf("lock notice %q (visible %v)", c.lock.Text, c.lock.Visible())
	}
	row := 0
	before, _ := u.st.Get(schema.KindCapacity, schema.CapacityID(c.rows[row].Facility.ID, c.period))
	c.sheet.rows[row].text[0] = "77"
	c.sheet.edited(row, 0, "77")
	u.saveCurrent()
	h.drain()
	r := &c.sheet.rows[row]
	if !strings.Contains(r.other, "审核锁定") || !strings.Contains(r.other, "雨城区民政局 李四") || r.saved {
		t.Fatalf("row after a save into the locked month: other %q, saved %v", r.other, r.saved)
	}
	if !strings.Contains(c.msg.Text, "审核锁定") {
		t.Errorf("summary %q", c.msg.Text)
	}
	after, _ := u.st.Get(schema.KindCapacity, schema.CapacityID(c.rows[row].Facility.ID, c.period))
	if (before == nil) != (after == nil) || (before != nil && !before.Equal(after)) {
		t.Fatal("the locked month's report was written")
	}

	u.tabs.SelectIndex(5)
	h.drain()
	s := u.syn
	if len(s.parked) != 1 {
		t.Fatalf("%d parked changes, want 1", len(s.parked))
	}
	s.plist.Select(0)
	if !strings.Contains(s.pdetail.Text, "审核锁定") || !strings.Contains(s.pdetail.Text, "锁定仍然有效") {
		t.Errorf("parked detail %q", s.pdetail.Text)
	}
}
