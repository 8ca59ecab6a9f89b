package schema

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestCovers(t *testing.T) {
	const county, town, village, other = "511802", "511802101", "511802101001", "511803101"
	for _, tc := range []struct {
		name       string
		lockUnit   Code
		lockPeriod string
		unit       Code
		period     string
		want       bool
	}{
		{"same unit and month", town, "2025-03", town, "2025-03", true},
		{"county lock covers its township", county, "2025-03", town, "2025-03", true},
		{"county lock covers its village", county, "2025-03", village, "2025-03", true},
		{"county lock does not cover another county", county, "2025-03", other, "2025-03", false},
		{"township lock does not cover its county", town, "2025-03", county, "2025-03", false},
		{"month lock covers a day in it", town, "2025-03", town, "2025-03-14", true},
		{"month lock does not cover the next month", town, "2025-03", town, "2025-04", false},
		{"month lock does not cover the year", town, "2025-03", town, "2025", false},
		{"year lock covers its months", town, "2025", town, "2025-11", true},
		{"year lock covers its days", town, "2025", town, "2025-11-30", true},
		{"year lock covers the year", town, "2025", town, "2025", true},
		{"year lock does not cover another year", town, "2025", town, "2024-12", false},
		{"month 2025-1 is not a prefix of 2025-11", town, "2025-1", town, "2025-11", false},
		{"empty lock period covers nothing", town, "", town, "2025", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Covers(tc.lockUnit, tc.lockPeriod, tc.unit, tc.period); got != tc.want {
				t.Fatalf("Covers(%s, %s, %s, %s) = %v, want %v", tc.lockUnit, tc.lockPeriod, tc.unit, tc.period, got, tc.want)
			}
		})
	}
}

func mustFields(t testing.TB, v any) Fields {
	t.Helper()
	f, err := EncodeFields(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLockPeriod(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		value  any
		want   string
		locked bool
	}{
		{KindCapacity, Capacity{Facility: "f", Period: "2025-03"}, "2025-03", true},
		{KindVisit, Visit{Person: "p", Date: "2025-03-14"}, "2025-03-14", true},
		{KindPopulation, Population{Year: 2025}, "2025", true},
		{KindReported, Reported{Indicator: "x", Period: "2025"}, "2025", true},
		{KindTarget, Target{Indicator: "x", Year: 2025}, "2025", true},
		{KindFacility, Facility{Name: "敬老院", Opened: "2025-03-01"}, "", false},
		{KindPerson, Person{Name: "张三", BirthDate: "1940-01-01"}, "", false},
		{KindLock, Lock{Period: "2025-03"}, "", false},
		{KindPopulation, Population{}, "", false}, // no year: validation says so
	} {
		got, ok := LockPeriod(tc.kind, mustFields(t, tc.value))
		if got != tc.want || ok != tc.locked {
			t.Errorf("LockPeriod(%s, %+v) = %q, %v; want %q, %v", tc.kind, tc.value, got, ok, tc.want, tc.locked)
		}
	}
}

func TestLockable(t *testing.T) {
	for _, tc := range []struct {
		kind             Kind
		bySite, byOffice bool
	}{
		{KindCapacity, true, true}, {KindVisit, true, true}, {KindPopulation, true, true}, {KindReported, true, true},
		{KindTarget, true, false}, {KindFacility, false, false}, {KindPerson, false, false},
		{KindLock, false, false}, {KindUnlock, false, false},
	} {
		if got := tc.kind.Lockable(false); got != tc.bySite {
			t.Errorf("%s.Lockable(site) = %v, want %v", tc.kind, got, tc.bySite)
		}
		if got := tc.kind.Lockable(true); got != tc.byOffice {
			t.Errorf("%s.Lockable(office) = %v, want %v", tc.kind, got, tc.byOffice)
		}
	}
	if KindLock.SiteWritable() || KindUnlock.SiteWritable() {
		t.Error("sites may write locks")
	}
	if !KindLock.FlowsDown() || !KindUnlock.FlowsDown() || !KindTarget.FlowsDown() || KindCapacity.FlowsDown() {
		t.Error("FlowsDown: want targets, locks and unlocks only")
	}
}

// lockRecord makes the merged record of a lock or unlock change.
func lockRecord(t testing.TB, kind Kind, id string, unit Code, v any, stamp int64) *Record {
	t.Helper()
	rec, _, err := Merge(nil, &Change{Kind: kind, ID: id, Unit: unit, Set: mustFields(t, v),
		Stamp: MakeStamp(stamp, 0), Device: "server", Seq: uint64(stamp)})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func testLock(period string) Lock {
	return Lock{Period: period, By: "雨城区民政局 李四", At: "2025-04-02T10:00:00+08:00", Reason: "三月数据已审核"}
}

func TestLockSetRefusal(t *testing.T) {
	set := NewLockSet()
	for _, r := range []*Record{
		lockRecord(t, KindLock, "lock-county-03", "511802", testLock("2025-03"), 1),
		lockRecord(t, KindLock, "lock-town-2024", "511802101", testLock("2024"), 2),
		lockRecord(t, KindLock, "lock-lifted", "511802102", testLock("2025-03"), 3),
		lockRecord(t, KindUnlock, "unlock-1", "511802102", Unlock{Lock: "lock-lifted", Period: "2025-03", By: "x",
			At: "2025-04-03T10:00:00+08:00", Reason: "更正"}, 4),
	} {
		if err := set.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	capMarch := Capacity{Facility: "f1", Period: "2025-03", BedsTotal: 10}
	capApril := Capacity{Facility: "f1", Period: "2025-04", BedsTotal: 10}
	stored := lockRecord(t, KindCapacity, CapacityID("f1", "2025-03"), "511802101001", capMarch, 1)
	for _, tc := range []struct {
		name     string
		cur      *Record
		ch       Change
		byOffice bool
		want     string // lock id, "" for none
	}{
		{"new report in a county-locked month", nil,
			Change{Kind: KindCapacity, Unit: "511802101001", Set: mustFields(t, capMarch)}, false, "lock-county-03"},
		{"report of the next month", nil,
			Change{Kind: KindCapacity, Unit: "511802101001", Set: mustFields(t, capApril)}, false, ""},
		{"edit of one figure of a locked month's report", stored,
			Change{Kind: KindCapacity, Unit: "511802101001", Set: Fields{"beds_total": MustMarshal(int64(12))}}, false, "lock-county-03"},
		{"edit of one figure of a report this side never had", nil,
			Change{Kind: KindCapacity, ID: CapacityID("f1", "2025-03"), Unit: "511802101001", Set: Fields{"beds_total": MustMarshal(int64(12))}}, false, "lock-county-03"},
		{"edit of one figure of a report of an open month this side never had", nil,
			Change{Kind: KindCapacity, ID: CapacityID("f1", "2025-04"), Unit: "511802101001", Set: Fields{"beds_total": MustMarshal(int64(12))}}, false, ""},
		{"delete of a locked month's report", stored,
			Change{Kind: KindCapacity, Unit: "511802101001", Delete: true}, false, "lock-county-03"},
		{"an office is held to a lock on reports too", nil,
			Change{Kind: KindCapacity, Unit: "511802101001", Set: mustFields(t, capMarch)}, true, "lock-county-03"},
		{"visit dated in a locked month", nil,
			Change{Kind: KindVisit, Unit: "511802101", Set: mustFields(t, Visit{Person: "p", Date: "2025-03-31"})}, false, "lock-county-03"},
		{"population of a locked year", nil,
			Change{Kind: KindPopulation, Unit: "511802101", Set: mustFields(t, Population{Year: 2024})}, false, "lock-town-2024"},
		{"population of a year with a locked month", nil,
			Change{Kind: KindPopulation, Unit: "511802101", Set: mustFields(t, Population{Year: 2025})}, false, ""},
		{"target of a locked year, by an office", nil,
			Change{Kind: KindTarget, Unit: "511802101", Set: mustFields(t, Target{Indicator: "x", Year: 2024})}, true, ""},
		{"target of a locked year, by a site", nil,
			Change{Kind: KindTarget, Unit: "511802101", Set: mustFields(t, Target{Indicator: "x", Year: 2024})}, false, "lock-town-2024"},
		{"facility in a locked county", nil,
			Change{Kind: KindFacility, Unit: "511802101", Set: mustFields(t, Facility{Name: "x", Opened: "2025-03-01"})}, false, ""},
		{"lifted lock refuses nothing", nil,
			Change{Kind: KindCapacity, Unit: "511802102001", Set: mustFields(t, Capacity{Facility: "f2", Period: "2025-03"})}, false, "lock-county-03"},
		{"another county", nil,
			Change{Kind: KindCapacity, Unit: "511803101001", Set: mustFields(t, capMarch)}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := set.Refusal(tc.cur, &tc.ch, tc.byOffice)
			got := ""
			if e != nil {
				got = e.Lock.ID
			}
			if got != tc.want {
				t.Fatalf("refused by %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPeriodLockedError(t *testing.T) {
	set := NewLockSet()
	set.Add(lockRecord(t, KindLock, "lock-1", "511802", testLock("2025-03"), 1))
	ch := &Change{Kind: KindCapacity, Unit: "511802101001", Set: mustFields(t, Capacity{Facility: "f", Period: "2025-03"})}
	e := set.Refusal(nil, ch, false)
	if e == nil {
		t.Fatal("not refused")
	}
	var err error = e.Validation(BuiltinDivisions())
	if !errors.Is(err, ErrPeriodLocked) {
		t.Error("errors.Is(ErrPeriodLocked) is false")
	}
	var pe *PeriodLockedError
	if !errors.As(err, &pe) || pe.Lock.ID != "lock-1" {
		t.Errorf("errors.As found %+v", pe)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || !ve.Problems.Has("capacity.period") {
		t.Fatalf("want a problem on capacity.period, got %v", err)
	}
	zh := ve.Problems[0].Zh
	for _, want := range []string{"雨城区(511802)", "2025年3月", "雨城区民政局 李四", "2025-04-02 10:00", "解锁"} {
		if !strings.Contains(zh, want) {
			t.Errorf("message %q lacks %q", zh, want)
		}
	}
	rej := e.Rejection(7, nil)
	if rej.Code != RejectLocked || rej.Lock != "lock-1" || rej.Seq != 7 || rej.ReasonZh == "" {
		t.Errorf("rejection %+v", rej)
	}
}

// TestLockSetOrderIndependent: locks and unlocks give the same locks in
// force whatever order a device receives them in, like Merge.
func TestLockSetOrderIndependent(t *testing.T) {
	var recs []*Record
	for i, id := range []string{"l1", "l2", "l3", "l4"} {
		recs = append(recs, lockRecord(t, KindLock, id, "511802", testLock("2025-0"+string(rune('1'+i))), int64(i+1)))
	}
	for i, id := range []string{"l1", "l3"} {
		recs = append(recs, lockRecord(t, KindUnlock, "u-"+id, "511802",
			Unlock{Lock: id, Period: "2025-01", By: "x", At: "2025-04-03T10:00:00+08:00", Reason: "r"}, int64(10+i)))
	}
	active := func(rs []*Record) string {
		s := NewLockSet()
		for _, r := range rs {
			if err := s.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		var ids []string
		for _, l := range s.Active("") {
			ids = append(ids, l.ID)
		}
		return strings.Join(ids, ",")
	}
	want := active(recs)
	if want != "l2,l4" {
		t.Fatalf("active %s, want l2,l4", want)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		if got := active(recs); got != want {
			t.Fatalf("order %v gives %s, want %s", recs, got, want)
		}
	}
}

func TestValidateLockChanges(t *testing.T) {
	now := time.Date(2025, 4, 10, 12, 0, 0, 0, ChinaTime)
	ctx := ValidationContext{Divisions: BuiltinDivisions(), Now: now}
	lock := mustFields(t, testLock("2025-03"))
	stored := lockRecord(t, KindLock, "lock-1", "511802", testLock("2025-03"), 1)
	change := func(kind Kind, set Fields, del bool) *Change {
		return &Change{Kind: kind, ID: "lock-1", Unit: "511802", Set: set, Delete: del,
			Stamp: MakeStamp(now.UnixMilli(), 0), Device: "server", Seq: 2}
	}
	for _, tc := range []struct {
		name string
		cur  *Record
		ch   *Change
		want string // a problem field, "" for none
	}{
		{"a county's month lock", nil, change(KindLock, lock, false), ""},
		{"a city's year lock", nil, change(KindLock, mustFields(t, testLock("2024")), false), ""},
		{"a future month", nil, change(KindLock, mustFields(t, testLock("2025-05")), false), "lock.period"},
		{"a day is not a period", nil, change(KindLock, mustFields(t, testLock("2025-03-01")), false), "lock.period"},
		{"no reason", nil, change(KindLock, mustFields(t, Lock{Period: "2025-03", By: "x", At: "2025-04-02T10:00:00+08:00"}), false), "lock.reason"},
		{"a time that is not RFC 3339", nil, change(KindLock, mustFields(t, Lock{Period: "2025-03", By: "x", At: "昨天", Reason: "r"}), false), "lock.at"},
		{"the same lock again", stored, change(KindLock, lock, false), ""},
		{"a lock edited", stored, change(KindLock, Fields{"period": MustMarshal("2025-02")}, false), "lock.period"},
		{"a lock deleted", stored, change(KindLock, nil, true), "change.delete"},
		{"an unlock", nil, change(KindUnlock, mustFields(t, Unlock{Lock: "lock-0", Period: "2025-03", By: "x",
			At: "2025-04-03T10:00:00+08:00", Reason: "更正"}), false), ""},
		{"an unlock without its lock", nil, change(KindUnlock, mustFields(t, Unlock{Period: "2025-03", By: "x",
			At: "2025-04-03T10:00:00+08:00", Reason: "更正"}), false), "unlock.lock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := ValidateChange(tc.cur, tc.ch, ctx)
			if tc.want == "" && len(ps) > 0 {
				t.Fatalf("refused: %v", ps)
			}
			if tc.want != "" && !ps.Has(tc.want) {
				t.Fatalf("want a problem on %s, got %v", tc.want, ps)
			}
		})
	}
}

// TestLockMerge: a lock delivered twice, and its unlock before it, merge
// to the same records as one delivery in order.
func TestLockMerge(t *testing.T) {
	a := &Change{Kind: KindLock, ID: "l", Unit: "511802", Set: mustFields(t, testLock("2025-03")), Stamp: MakeStamp(5, 0), Device: "d1", Seq: 1}
	b := &Change{Kind: KindUnlock, ID: "u", Unit: "511802", Set: mustFields(t, Unlock{Lock: "l", Period: "2025-03", By: "x",
		At: "2025-04-03T10:00:00+08:00", Reason: "r"}), Stamp: MakeStamp(3, 0), Device: "d2", Seq: 1}
	if err := sameState(mergeAll(t, []*Change{a, b, a}), mergeAll(t, []*Change{b, a})); err != nil {
		t.Fatal(err)
	}
}
