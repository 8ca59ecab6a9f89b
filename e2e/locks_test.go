package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/cli"
	"laoxiao/syncserver/report"
	"laoxiao/syncserver/store"
)

// The review lock tests: a county (雨城区, 511802) locks March 2025 while
// a township of it (草坝镇, 511802101) edits that month, in both orders.

const (
	lockCounty schema.Code = "511802"
	lockTown   schema.Code = "511802101"
	lockMonth              = "2025-03"
)

// lockSite is a township site with one facility and its March report
// synced, ready for the county to lock March.
type lockSite struct {
	*site
	village schema.Code
	fac     string
}

func newLockSite(t *testing.T, srv *server, name string) *lockSite {
	t.Helper()
	a := newSite(t, srv, lockTown, name, agent.Options{})
	l := &lockSite{site: a, village: schema.BuiltinDivisions().Descendants(lockTown, schema.LevelVillage)[0]}
	l.fac = mustPut(t, a, l.village, sampleFacility("草坝镇敬老院")).ID
	l.report(t, lockMonth, 10)
	a.mustSync(t)
	return l
}

// report enters the facility's report of a month; the error is the
// store's refusal, if any.
func (l *lockSite) report(t *testing.T, period string, beds int64) (*schema.Change, error) {
	t.Helper()
	return l.st.Put(schema.KindCapacity, "", l.village, schema.Capacity{Facility: l.fac, Period: period, BedsTotal: beds})
}

// serverBeds is the server's figure for the facility's month.
func (l *lockSite) serverBeds(t *testing.T, srv *server, period string) int64 {
	t.Helper()
	rec, err := srv.srv.Store().Record(context.Background(), schema.KindCapacity, schema.CapacityID(l.fac, period))
	if err != nil {
		t.Fatal(err)
	}
	var c schema.Capacity
	if err := rec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c.BedsTotal
}

func countyLock(t *testing.T, srv *server, unit schema.Code, period string) syncserver.LockInfo {
	t.Helper()
	l, err := srv.srv.Lock(context.Background(), syncserver.LockRequest{Unit: unit, Period: period,
		Reason: "三月数据已审核", By: "雨城区民政局"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func countyUnlock(t *testing.T, srv *server, unit schema.Code, period string) {
	t.Helper()
	if _, err := srv.srv.Unlock(context.Background(), syncserver.LockRequest{Unit: unit, Period: period,
		Reason: "草坝镇更正床位数", By: "雨城区民政局"}); err != nil {
		t.Fatal(err)
	}
}

// acceptedOnce counts the log's entries of one device's change.
func acceptedOnce(t *testing.T, srv *server, device string, seq uint64) int {
	t.Helper()
	n := 0
	for _, e := range serverLog(t, srv.srv.Store()) {
		if e.Change.Device == device && e.Change.Seq == seq {
			n++
		}
	}
	return n
}

// TestLockEditSyncedBeforeTheLock: the township's edit reaches the server
// before the county locks, so the locked month includes it; once the site
// has the lock it refuses the next edit on save, and after the unlock the
// edit goes through.
func TestLockEditSyncedBeforeTheLock(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	l := newLockSite(t, srv, "before")
	if _, err := l.report(t, lockMonth, 12); err != nil {
		t.Fatal(err)
	}
	l.mustSync(t)
	lock := countyLock(t, srv, lockCounty, lockMonth)
	l.mustSync(t)
	if got := l.serverBeds(t, srv, lockMonth); got != 12 {
		t.Fatalf("server's March at the lock: %d beds, want the 12 synced before it", got)
	}
	_, err := l.report(t, lockMonth, 13)
	var le *schema.PeriodLockedError
	if !errors.As(err, &le) || le.Lock.ID != lock.ID {
		t.Fatalf("save into the locked month: %v, want refused by lock %s", err, lock.ID)
	}
	countyUnlock(t, srv, lockCounty, lockMonth)
	l.mustSync(t)
	if _, err := l.report(t, lockMonth, 13); err != nil {
		t.Fatalf("save after the unlock: %v", err)
	}
	l.mustSync(t)
	if got := l.serverBeds(t, srv, lockMonth); got != 13 {
		t.Fatalf("server's March after the unlock: %d beds, want 13", got)
	}
	checkConverged(t, srv, []*site{l.site})
}

// TestLockEditMadeOfflineWhileLocking: the township edits March offline
// while the county locks it. Its sync parks that edit with the lock's
// reason and loses nothing else; the server's March stays as locked; the
// device's next hello tells the server a refusal waits. After the unlock
// the user re-sends it and it is accepted exactly once.
func TestLockEditMadeOfflineWhileLocking(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	l := newLockSite(t, srv, "offline")
	refused, err := l.report(t, lockMonth, 14)
	if err != nil {
		t.Fatal(err)
	}
	april, _ := l.report(t, "2025-04", 20)
	renamed := mustPut(t, l.site, l.village, sampleFacility("草坝镇幸福院"))
	lock := countyLock(t, srv, lockCounty, lockMonth)

	if res := l.mustSync(t); res.Parked != 1 {
		t.Fatalf("sync parked %d changes, want the March edit", res.Parked)
	}
	parked, err := l.st.Parked()
	if err != nil || len(parked) != 1 {
		t.Fatalf("parked %v, %v", parked, err)
	}
	p := parked[0]
	if p.Change.Seq != refused.Seq || p.Rejection.Code != schema.RejectLocked || p.Rejection.Lock != lock.ID || p.Rejection.ReasonZh == "" {
		t.Fatalf("parked %+v, want seq %d refused by lock %s", p, refused.Seq, lock.ID)
	}
	if got := l.serverBeds(t, srv, lockMonth); got != 10 {
		t.Fatalf("server's March after the refused edit: %d beds, want the 10 it had at the lock", got)
	}
	for _, ch := range []*schema.Change{april, renamed} {
		if acceptedOnce(t, srv, l.st.DeviceID(), ch.Seq) != 1 {
			t.Fatalf("change %d of the same sync was not accepted once", ch.Seq)
		}
	}
	if _, active, err := l.st.LockByID(lock.ID); err != nil || !active {
		t.Fatalf("the site does not hold the county's lock: active %v, %v", active, err)
	}
	checkConverged(t, srv, []*site{l.site})

	// The next hello carries the refusal nobody fixed.
	l.mustSync(t)
	checkHealthFlagged(t, srv, l.st.DeviceID())

	// Still locked: re-sending is refused on the device itself.
	if _, err := l.st.Unpark(refused.Seq); !errors.Is(err, schema.ErrPeriodLocked) {
		t.Fatalf("unpark under the lock: %v", err)
	}
	countyUnlock(t, srv, lockCounty, lockMonth)
	l.mustSync(t)
	again, err := l.st.Unpark(refused.Seq)
	if err != nil {
		t.Fatalf("unpark after the unlock: %v", err)
	}
	if res := l.mustSync(t); res.Parked != 0 {
		t.Fatalf("the re-sent change was refused again")
	}
	l.mustSync(t) // again: the log must still hold it once
	if n := acceptedOnce(t, srv, l.st.DeviceID(), again.Seq); n != 1 {
		t.Fatalf("the re-sent change is in the log %d times, want once", n)
	}
	if acceptedOnce(t, srv, l.st.DeviceID(), refused.Seq) != 0 {
		t.Fatal("the refused seq was accepted")
	}
	if got := l.serverBeds(t, srv, lockMonth); got != 14 {
		t.Fatalf("server's March after the re-send: %d beds, want 14", got)
	}
}

// checkHealthFlagged: the devices list and the breakdown table's sync
// section show the device's unfixed refusal.
func checkHealthFlagged(t *testing.T, srv *server, device string) {
	t.Helper()
	ctx := context.Background()
	devs, err := srv.srv.ListDevices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if d.ID != device {
			continue
		}
		if h := d.Health; h == nil || h.Parked != 1 || !h.Behind || h.Waiting != 0 || h.AppVersion == "" {
			t.Fatalf("devices list health %+v, want one refusal, behind, nothing waiting", h)
		}
	}
	tbl, err := report.Build(ctx, srv.srv.Engine(), report.Options{Unit: lockCounty, Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range tbl.Townships {
		if tr.Township.Code == lockTown && !tr.Behind {
			t.Fatalf("breakdown sync row %+v not flagged", tr)
		}
	}
}

// TestLockWritesAndReach: a site device's lock is refused per change; a
// county's lock reaches a township device of the county and not one of
// another county, and so does its unlock.
func TestLockWritesAndReach(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	id, token := rawDevice(t, srv, lockTown)
	c, _ := openRaw(t, srv.url, token, id, 0)
	set, err := schema.EncodeFields(schema.Lock{Period: lockMonth, By: "草坝镇", At: "2025-04-02T10:00:00+08:00", Reason: "自己锁"})
	if err != nil {
		t.Fatal(err)
	}
	ch := schema.Change{Kind: schema.KindLock, ID: schema.NewID(), Unit: lockTown, Set: set,
		Stamp: facilityChange(t, id, 1, lockTown, "x").Stamp, Device: id, Seq: 1}
	c.send(&schema.Msg{Type: schema.MsgUpload, Upload: &schema.Upload{Batch: 1, First: 1, Changes: []schema.Change{ch}}})
	if ack := c.readAck(); len(ack.Rejected) != 1 || ack.Rejected[0].Code != schema.RejectReadOnly {
		t.Fatalf("a site's lock: %+v", ack)
	}
	if locks, err := srv.srv.Locks(context.Background(), ""); err != nil || len(locks) != 0 {
		t.Fatalf("locks after a site's attempt: %+v, %v", locks, err)
	}

	town := newSite(t, srv, lockTown, "town", agent.Options{})
	away := newSite(t, srv, testTownships[2], "away", agent.Options{})
	lock := countyLock(t, srv, lockCounty, lockMonth)
	town.mustSync(t)
	away.mustSync(t)
	if _, active, err := town.st.LockByID(lock.ID); err != nil || !active {
		t.Fatalf("county lock on the township device: active %v, %v", active, err)
	}
	if _, _, err := away.st.LockByID(lock.ID); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("county lock on another county's device: %v", err)
	}
	countyUnlock(t, srv, lockCounty, lockMonth)
	town.mustSync(t)
	if _, active, err := town.st.LockByID(lock.ID); err != nil || active {
		t.Fatalf("after the unlock the township device has the lock active %v, %v", active, err)
	}
	checkConverged(t, srv, []*site{town, away})
}

// enterReports has a site enter a report of period for up to n of its
// facilities and returns how many it entered.
func enterReports(t *testing.T, a *site, period string, n int) int {
	t.Helper()
	var items []agent.Item
	err := a.st.List(schema.KindFacility, a.unit, func(r *schema.Record) error {
		if len(items) == n {
			return agent.ErrStop
		}
		items = append(items, agent.Item{Kind: schema.KindCapacity, Unit: r.Unit,
			Value: schema.Capacity{Facility: r.ID, Period: period, BedsTotal: 30}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.PutBatch(items); err != nil {
		t.Fatalf("%s: reports of %s: %v", a.name, period, err)
	}
	return len(items)
}

// lock locks a unit's period through the running server's admin API, as
// `syncserver lock` does.
func (p *procServer) lock(unit schema.Code, period string) {
	p.t.Helper()
	ac, err := cli.NewAdminClient(p.dir)
	if err != nil {
		p.t.Fatal(err)
	}
	req := syncserver.LockRequest{Unit: unit, Period: period, Reason: "已审核", By: "雨城区民政局"}
	if err := ac.Do(context.Background(), http.MethodPost, "/admin/locks", req, nil); err != nil {
		p.t.Fatalf("lock %s %s: %v", unit, period, err)
	}
}

// checkLockHeld asserts that the server's log accepted no change into the
// period of unit after the first lock on it: whatever was cut short, a
// lock once committed refuses everything behind it.
func checkLockHeld(t *testing.T, st store.Store, unit schema.Code, period string) {
	t.Helper()
	var lockedAt uint64
	for _, e := range serverLog(t, st) {
		ch := &e.Change
		if ch.Kind == schema.KindLock && ch.Unit == unit && lockedAt == 0 {
			lockedAt = e.Seq
			continue
		}
		if lockedAt == 0 || !ch.Kind.Lockable(false) || !ch.Unit.Within(unit) {
			continue
		}
		if p, ok := schema.LockPeriod(ch.Kind, ch.Set); (ok && schema.PeriodWithin(p, period)) || strings.HasSuffix(ch.ID, ":"+period) {
			t.Errorf("log entry %d (%s %s from %s) went into the period locked at entry %d", e.Seq, ch.Kind, ch.ID, ch.Device, lockedAt)
		}
	}
	if lockedAt == 0 {
		t.Fatalf("no lock on %s in the log", unit)
	}
}
