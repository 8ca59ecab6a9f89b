package ingest

import (
	"context"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

// lockFixture is an ingester on a fresh store with its clock at
// 2025-04-10 in Beijing.
type lockFixture struct {
	t   *testing.T
	st  *badgerstore.DB
	in  *Ingester
	now time.Time
	seq map[string]uint64
}

func newLockFixture(t *testing.T) *lockFixture {
	st := openStore(t)
	f := &lockFixture{t: t, st: st, now: time.Date(2025, 4, 10, 12, 0, 0, 0, schema.ChinaTime), seq: map[string]uint64{}}
	f.start()
	t.Cleanup(func() { f.in.Close() }) // before openStore's cleanup closes the store
	return f
}

func (f *lockFixture) start() {
	in, err := New(context.Background(), f.st, Options{Logger: quietLog,
		Now: func() time.Time { return f.now }})
	if err != nil {
		f.t.Fatal(err)
	}
	f.in = in
}

func (f *lockFixture) fields(v any) schema.Fields {
	fs, err := schema.EncodeFields(v)
	if err != nil {
		f.t.Fatal(err)
	}
	return fs
}

// upload sends one batch of changes from a device and returns the ack.
func (f *lockFixture) upload(acct Account, chs ...schema.Change) *schema.Ack {
	f.t.Helper()
	first := f.seq[acct.Device] + 1
	for i := range chs {
		f.seq[acct.Device]++
		chs[i].Device, chs[i].Seq = acct.Device, f.seq[acct.Device]
		chs[i].Stamp = schema.MakeStamp(f.now.UnixMilli(), uint16(i))
	}
	ack, err := f.in.Submit(context.Background(), acct, &schema.Upload{First: first, Changes: chs})
	if err != nil {
		f.t.Fatal(err)
	}
	return ack
}

// server writes changes as the server itself and fails on any refusal.
func (f *lockFixture) server(chs ...schema.Change) {
	f.t.Helper()
	ack, err := f.in.SubmitServer(context.Background(), chs)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(ack.Rejected) > 0 {
		f.t.Fatalf("server change refused: %+v", ack.Rejected)
	}
}

func (f *lockFixture) lock(id string, unit schema.Code, period string) schema.Change {
	return schema.Change{Kind: schema.KindLock, ID: id, Unit: unit, Set: f.fields(schema.Lock{Period: period,
		By: "雨城区民政局", At: f.now.Format(time.RFC3339), Reason: "已审核"})}
}

func (f *lockFixture) unlock(id, lock string, unit schema.Code, period string) schema.Change {
	return schema.Change{Kind: schema.KindUnlock, ID: id, Unit: unit, Set: f.fields(schema.Unlock{Lock: lock, Period: period,
		By: "雨城区民政局", At: f.now.Format(time.RFC3339), Reason: "乡镇更正"})}
}

func (f *lockFixture) capacity(unit schema.Code, period string, beds int64) schema.Change {
	return schema.Change{Kind: schema.KindCapacity, ID: schema.CapacityID("fac-1", period), Unit: unit,
		Set: f.fields(schema.Capacity{Facility: "fac-1", Period: period, BedsTotal: beds})}
}

// refusals maps each refused seq to its code and lock.
func refusals(ack *schema.Ack) map[uint64]schema.Rejection {
	out := map[uint64]schema.Rejection{}
	for _, r := range ack.Rejected {
		out[r.Seq] = r
	}
	return out
}

func TestLockRefusesUploads(t *testing.T) {
	f := newLockFixture(t)
	site := Account{Device: "site-1", Scope: "511802101", Role: store.RoleSite}
	office := Account{Device: "office-1", Scope: "511802", Role: store.RoleOffice}
	f.server(f.lock("lock-county", "511802", "2025-03"))

	ack := f.upload(site, f.capacity("511802101001", "2025-03", 10), f.capacity("511802101001", "2025-02", 10),
		f.lock("lock-by-site", "511802101", "2025-02"))
	rs := refusals(ack)
	if r := rs[1]; r.Code != schema.RejectLocked || r.Lock != "lock-county" || r.ReasonZh == "" {
		t.Errorf("report of the locked month: %+v, want refused as locked by lock-county", r)
	}
	if _, refused := rs[2]; refused {
		t.Errorf("report of an open month refused: %+v", rs[2])
	}
	if r := rs[3]; r.Code != schema.RejectReadOnly {
		t.Errorf("a site's lock: %+v, want read_only", r)
	}
	if ack.HighWater != 3 {
		t.Errorf("high water %d, want 3: refusals count as handled", ack.HighWater)
	}

	// A lock earlier in a batch refuses the changes after it.
	ack = f.upload(office, f.lock("lock-office", "511802", "2025-01"), f.capacity("511802101001", "2025-01", 5))
	if r := refusals(ack)[2]; r.Code != schema.RejectLocked || r.Lock != "lock-office" {
		t.Errorf("office's report after its own lock: %+v", r)
	}

	// An unlock must name a lock of its own unit.
	ack = f.upload(office, f.unlock("unlock-bad", "lock-county", "511802101", "2025-03"),
		f.unlock("unlock-none", "no-such-lock", "511802", "2025-03"))
	if len(ack.Rejected) != 2 {
		t.Errorf("misfiled unlocks accepted: %+v", ack.Rejected)
	}

	// After a restart the lock still holds; after the unlock the same
	// report goes through.
	f.in.Close()
	f.start()
	if r := refusals(f.upload(site, f.capacity("511802101001", "2025-03", 11))); len(r) != 1 {
		t.Fatalf("after a restart the lock no longer refuses: %+v", r)
	}
	f.server(f.unlock("unlock-1", "lock-county", "511802", "2025-03"))
	if r := refusals(f.upload(site, f.capacity("511802101001", "2025-03", 12))); len(r) != 0 {
		t.Fatalf("refused after the unlock: %+v", r)
	}
	rec, err := f.st.Record(context.Background(), schema.KindCapacity, schema.CapacityID("fac-1", "2025-03"))
	if err != nil {
		t.Fatal(err)
	}
	var c schema.Capacity
	if err := rec.Decode(&c); err != nil || c.BedsTotal != 12 {
		t.Fatalf("stored report %+v (%v), want the 12 beds sent after the unlock", c, err)
	}
}
