package agent

import (
	"errors"
	"testing"
	"time"

	"laoxiao/schema"
)

// lockSite is a store whose clock stands at 2025-04-10 in Beijing, with
// one facility and a helper to receive lock records as a download would
// bring them.
type lockSite struct {
	t   *testing.T
	s   *Store
	fac string
	log uint64
}

func newLockSite(t *testing.T) *lockSite {
	clk := newFakeClock(time.Date(2025, 4, 10, 12, 0, 0, 0, schema.ChinaTime))
	s := openAt(t, t.TempDir(), Options{Now: clk.Now})
	fac := mustPut(t, s, schema.KindFacility, "", village, facility("东城敬老院"))
	return &lockSite{t: t, s: s, fac: fac.ID}
}

// receive applies a lock or unlock record written on the server.
func (l *lockSite) receive(kind schema.Kind, id string, unit schema.Code, v any) {
	l.t.Helper()
	l.log++
	ch := schema.Change{Kind: kind, ID: id, Unit: unit, Set: mustFields(l.t, v),
		Stamp: schema.MakeStamp(time.Date(2025, 4, 10, 11, 0, 0, 0, time.UTC).UnixMilli(), uint16(l.log)), Device: "server", Seq: l.log}
	if _, err := l.s.ApplyRemote([]schema.LogEntry{{Seq: l.log, Change: ch}}, l.log); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lockSite) report(period string, beds int64) schema.Capacity {
	return schema.Capacity{Facility: l.fac, Period: period, BedsTotal: beds}
}

// lockOf returns the lock that refused err, failing unless err is a lock
// refusal shown on field.
func lockOf(t *testing.T, err error, field string) *schema.PeriodLockedError {
	t.Helper()
	var le *schema.PeriodLockedError
	var ve *schema.ValidationError
	if !errors.Is(err, schema.ErrPeriodLocked) || !errors.As(err, &le) || !errors.As(err, &ve) || !ve.Problems.Has(field) {
		t.Fatalf("want a lock refusal on %s, got %v", field, err)
	}
	return le
}

func TestSaveIntoLockedPeriodRefused(t *testing.T) {
	l := newLockSite(t)
	before := mustPut(t, l.s, schema.KindCapacity, "", village, l.report("2025-03", 10))
	l.receive(schema.KindLock, "lock-march", county, schema.Lock{Period: "2025-03", By: "雨城区民政局",
		At: "2025-04-10T11:00:00+08:00", Reason: "三月已审核"})

	_, err := l.s.Put(schema.KindCapacity, "", village, l.report("2025-03", 12))
	if le := lockOf(t, err, "capacity.period"); le.Lock.ID != "lock-march" || le.Lock.By != "雨城区民政局" {
		t.Fatalf("refused by %+v", le.Lock)
	}
	if _, err := l.s.Delete(schema.KindCapacity, before.ID); err == nil {
		t.Fatal("a locked month's report was deleted")
	}
	_, err = l.s.AddVisit(village, schema.Visit{Person: mustPut(t, l.s, schema.KindPerson, "", village, person("王五")).ID,
		Date: "2025-03-20", Kind: schema.VisitMonthly})
	lockOf(t, err, "visit.date")
	mustPut(t, l.s, schema.KindCapacity, "", village, l.report("2025-04", 12))
	mustPut(t, l.s, schema.KindPopulation, "", township, schema.Population{Year: 2025, Resident: 100})
	if _, err := l.s.Put(schema.KindLock, "", township, schema.Lock{Period: "2025-02"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("a site wrote a lock: %v", err)
	}
	if locks, err := l.s.Locks(township); err != nil || len(locks) != 1 || locks[0].ID != "lock-march" {
		t.Fatalf("locks over the township: %+v, %v", locks, err)
	}

	l.receive(schema.KindUnlock, "unlock-march", county, schema.Unlock{Lock: "lock-march", Period: "2025-03",
		By: "雨城区民政局", At: "2025-04-10T11:30:00+08:00", Reason: "更正"})
	mustPut(t, l.s, schema.KindCapacity, "", village, l.report("2025-03", 12))
	if _, active, err := l.s.LockByID("lock-march"); err != nil || active {
		t.Fatalf("lock after the unlock: active %v, %v", active, err)
	}
}

// TestBatchSkipsLockedItems: an import keeps its rows outside locked
// periods and names the others.
func TestBatchSkipsLockedItems(t *testing.T) {
	l := newLockSite(t)
	l.receive(schema.KindLock, "lock-2025-02", township, schema.Lock{Period: "2025-02", By: "雨城区民政局",
		At: "2025-04-10T11:00:00+08:00", Reason: "二月已审核"})
	items := []Item{
		{Kind: schema.KindCapacity, Unit: village, Value: l.report("2025-01", 5)},
		{Kind: schema.KindCapacity, Unit: village, Value: l.report("2025-02", 5)},
		{Kind: schema.KindCapacity, Unit: village, Value: l.report("2025-03", 5)},
	}
	if _, err := l.s.PutBatch(items); !errors.Is(err, schema.ErrPeriodLocked) {
		t.Fatalf("PutBatch with a locked item: %v", err)
	}
	chs, locked, err := l.s.PutBatchSkipLocked(items)
	if err != nil {
		t.Fatal(err)
	}
	if len(locked) != 1 || locked[1] == nil || locked[1].Lock.ID != "lock-2025-02" || chs[1] != nil || chs[0] == nil || chs[2] == nil {
		t.Fatalf("changes %v, locked %v", chs, locked)
	}
	if chs[2].Seq != chs[0].Seq+1 {
		t.Fatalf("seqs %d, %d: the skipped item left a gap", chs[0].Seq, chs[2].Seq)
	}
}

// TestUnparkAfterUnlock: a change the server refused as locked stays
// parked while the lock holds and goes out again once it is lifted.
func TestUnparkAfterUnlock(t *testing.T) {
	l := newLockSite(t)
	ch := mustPut(t, l.s, schema.KindCapacity, "", village, l.report("2025-03", 10))
	l.receive(schema.KindLock, "lock-march", county, schema.Lock{Period: "2025-03", By: "雨城区民政局",
		At: "2025-04-10T11:00:00+08:00", Reason: "三月已审核"})
	if err := l.s.Park(*ch, schema.Rejection{Seq: ch.Seq, Code: schema.RejectLocked, Lock: "lock-march", Reason: "locked"}); err != nil {
		t.Fatal(err)
	}
	_, err := l.s.Unpark(ch.Seq)
	lockOf(t, err, "capacity.period")
	if p, _ := l.s.Parked(); len(p) != 1 {
		t.Fatalf("parked after a refused unpark: %d", len(p))
	}
	l.receive(schema.KindUnlock, "unlock-march", county, schema.Unlock{Lock: "lock-march", Period: "2025-03",
		By: "雨城区民政局", At: "2025-04-10T11:30:00+08:00", Reason: "更正"})
	again, err := l.s.Unpark(ch.Seq)
	if err != nil || again == nil || again.Seq <= ch.Seq {
		t.Fatalf("unpark after the unlock: %+v, %v", again, err)
	}
}
