package e2e

import (
	"context"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// skewed returns a wall clock off by d, as a laptop whose clock is wrong.
func skewed(d time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(d) }
}

func putPopulation(t testing.TB, a *site, resident int64) *schema.Change {
	t.Helper()
	ch, err := a.st.Put(schema.KindPopulation, "", a.unit, schema.Population{Year: 2025, Resident: resident,
		Aged60: 5000, Aged65: 4000, Aged0to3: 500, Births: 100})
	if err != nil {
		t.Fatalf("%s: put population: %v", a.name, err)
	}
	return ch
}

// resident reads the population record's resident count from a store.
func resident(t testing.TB, r *schema.Record) int64 {
	t.Helper()
	var p schema.Population
	if err := r.Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p.Resident
}

func serverRecord(t testing.TB, st store.Store, kind schema.Kind, id string) *schema.Record {
	t.Helper()
	r, err := st.Record(context.Background(), kind, id)
	if err != nil {
		t.Fatalf("server %s %s: %v", kind, id, err)
	}
	return r
}

func siteRecord(t testing.TB, a *site, kind schema.Kind, id string) *schema.Record {
	t.Helper()
	r, err := a.st.Get(kind, id)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", a.name, kind, id, err)
	}
	return r
}

// checkOffset asserts the offset the site's status reports.
func checkOffset(t testing.TB, a *site, want time.Duration) {
	t.Helper()
	st, err := a.st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if d := st.ClockOffset - want; d > 5*time.Second || d < -5*time.Second {
		t.Fatalf("%s: status reports clock offset %s, want about %s", a.name, st.ClockOffset, want)
	}
	if cs := a.client.State().ClockOffset; cs != st.ClockOffset {
		t.Fatalf("%s: client state shows offset %s, status %s", a.name, cs, st.ClockOffset)
	}
}

// checkStampsNear asserts that the server's log holds the device's changes
// stamped within a few seconds of the real time window [from, to]: what
// the device's corrected clock should give.
func checkStampsNear(t testing.TB, st store.Store, device string, fromSeq uint64, from, to time.Time) {
	t.Helper()
	n := 0
	for _, e := range serverLog(t, st) {
		if e.Change.Device != device || e.Change.Seq < fromSeq {
			continue
		}
		n++
		if at := e.Change.Stamp.Time(); at.Before(from.Add(-5*time.Second)) || at.After(to.Add(5*time.Second)) {
			t.Fatalf("device %s seq %d stamped %s, outside the real time %s..%s", device, e.Change.Seq, at, from, to)
		}
	}
	if n == 0 {
		t.Fatalf("device %s: no change from seq %d in the log", device, fromSeq)
	}
}

// TestClockSkew: a site whose clock runs two days ahead, and one two days
// behind, edit records they share with an honest site. The ahead site's
// offline edits are refused as clock_ahead, re-stamped with corrected time
// and all accepted; the behind site learns its offset at its first sync
// and stamps with corrected time from then on. In both cases the merge
// order is the order of corrected (real) time, so neither wins a conflict
// with an edit made later in real time, and both report their offset.
func TestClockSkew(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	tw := testTownships[0]
	vills := schema.BuiltinDivisions().Descendants(tw, schema.LevelVillage)
	honest := newSite(t, srv, tw, "honest", agent.Options{})
	ahead := newSite(t, srv, tw, "ahead", agent.Options{Now: skewed(48 * time.Hour)})
	behind := newSite(t, srv, tw, "behind", agent.Options{Now: skewed(-48 * time.Hour)})
	ctx := context.Background()

	// The honest site registers a facility everyone will edit; the behind
	// site picks it up at its first sync, with its own offline edits.
	shared := mustPut(t, honest, vills[0], sampleFacility("共享机构"))
	honest.mustSync(t)
	startOffline := time.Now()
	behindOffline := mustPut(t, behind, vills[1], sampleFacility("慢钟机构"))
	if got := behindOffline.Stamp.Time(); time.Since(got) < 47*time.Hour {
		t.Fatalf("the behind site stamped %s before learning its offset; its clock is not behind", got)
	}
	res, err := behind.sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The offline change is moved to the time it was really made before
	// it is sent: two days later than its stamp said.
	if res.Restamped != 1 || res.Parked != 0 || res.Uploaded != 1 {
		t.Fatalf("behind site's first sync: %+v; want its offline change moved to corrected time and accepted", res)
	}
	checkOffset(t, behind, 48*time.Hour)
	checkStampsNear(t, srv.srv.Store(), behind.st.DeviceID(), behindOffline.Seq, startOffline, time.Now())

	// Offline, the ahead site edits the shared population figures and
	// registers facilities: stamps two days in the future.
	startAhead := time.Now()
	first := putPopulation(t, ahead, 10001)
	for i := 0; i < 3; i++ {
		mustPut(t, ahead, vills[i%len(vills)], sampleFacility("快钟机构"))
	}
	if d := first.Stamp.Time().Sub(time.Now()); d < 47*time.Hour {
		t.Fatalf("the ahead site stamped %s; its clock is not ahead", first.Stamp)
	}
	res, err = ahead.sync(ctx)
	if err != nil {
		t.Fatalf("ahead site's sync: %v", err)
	}
	if res.Restamped < 4 || res.Parked != 0 || res.Uploaded != 4 {
		t.Fatalf("ahead site's sync: %+v; want its 4 changes refused, re-stamped and accepted", res)
	}
	st, err := ahead.st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Outbox != 0 || st.Parked != 0 || st.AckedSeq != st.LastSeq {
		t.Fatalf("ahead site after sync: outbox %d, parked %d, acked %d of %d", st.Outbox, st.Parked, st.AckedSeq, st.LastSeq)
	}
	checkOffset(t, ahead, -48*time.Hour)
	checkStampsNear(t, srv.srv.Store(), ahead.st.DeviceID(), first.Seq, startAhead, time.Now())

	// Later in real time, the honest site edits the same figures, and
	// the shared facility's name; then the behind site, offline and
	// without having seen that edit, renames the facility again.
	time.Sleep(5 * time.Millisecond) // stamps are in milliseconds: make "later" strict
	putPopulation(t, honest, 20002)
	hf := sampleFacility("诚实改名")
	if _, err := honest.st.Put(schema.KindFacility, shared.ID, shared.Unit, hf); err != nil {
		t.Fatal(err)
	}
	honest.mustSync(t)
	time.Sleep(5 * time.Millisecond)
	startBehind := time.Now()
	bf := sampleFacility("慢钟改名")
	bch, err := behind.st.Put(schema.KindFacility, shared.ID, shared.Unit, bf)
	if err != nil {
		t.Fatal(err)
	}
	behind.mustSync(t)
	checkStampsNear(t, srv.srv.Store(), behind.st.DeviceID(), bch.Seq, startBehind, time.Now())
	for pass := 0; pass < 2; pass++ {
		for _, a := range []*site{honest, ahead, behind} {
			a.mustSync(t)
		}
	}

	popID := schema.PopulationID(tw, 2025)
	if got := resident(t, serverRecord(t, srv.srv.Store(), schema.KindPopulation, popID)); got != 20002 {
		t.Fatalf("server population %d, want the honest site's later 20002: the ahead site won by its clock", got)
	}
	var name schema.Facility
	if err := serverRecord(t, srv.srv.Store(), schema.KindFacility, shared.ID).Decode(&name); err != nil {
		t.Fatal(err)
	}
	if name.Name != bf.Name {
		t.Fatalf("server facility name %q, want the behind site's later %q: it lost by its clock", name.Name, bf.Name)
	}

	// Now corrected, the ahead site's next edit is later than the honest
	// one and wins, without any refusal.
	putPopulation(t, ahead, 30003)
	res, err = ahead.sync(ctx)
	if err != nil || res.Restamped != 0 || res.Uploaded != 1 {
		t.Fatalf("ahead site's corrected edit: %+v, %v; want accepted as stamped", res, err)
	}
	honest.mustSync(t)
	behind.mustSync(t)
	if got := resident(t, serverRecord(t, srv.srv.Store(), schema.KindPopulation, popID)); got != 30003 {
		t.Fatalf("server population %d, want the ahead site's latest 30003", got)
	}
	for _, a := range []*site{honest, ahead, behind} {
		if got := resident(t, siteRecord(t, a, schema.KindPopulation, popID)); got != 30003 {
			t.Fatalf("%s: population %d, want 30003", a.name, got)
		}
	}
	checkConverged(t, srv, []*site{honest, ahead, behind})
}

// TestClockSkewEditBeforeHonestEdit is the harder half of the clock-skew
// guarantee: the ahead site edits a shared record offline BEFORE (in real
// time) an honest site edits it, but syncs AFTER the honest site did. By
// corrected time the honest edit is later and must win: the ahead site's
// change moves back to the time it was made, and the site merges its scope
// again so the honest value it had discarded comes back.
func TestClockSkewEditBeforeHonestEdit(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	tw := testTownships[1]
	honest := newSite(t, srv, tw, "honest", agent.Options{})
	ahead := newSite(t, srv, tw, "ahead", agent.Options{Now: skewed(48 * time.Hour)})
	putPopulation(t, ahead, 10001)
	time.Sleep(5 * time.Millisecond) // stamps are in milliseconds: make "later" strict
	putPopulation(t, honest, 20002)
	honest.mustSync(t)
	if res := ahead.mustSync(t); res.Restamped == 0 {
		t.Fatalf("ahead site's sync re-stamped nothing: %+v", res)
	}
	for pass := 0; pass < 2; pass++ {
		honest.mustSync(t)
		ahead.mustSync(t)
	}
	if got := resident(t, serverRecord(t, srv.srv.Store(), schema.KindPopulation, schema.PopulationID(tw, 2025))); got != 20002 {
		t.Fatalf("server population %d, want the honest site's later 20002", got)
	}
	checkConverged(t, srv, []*site{honest, ahead})
}
