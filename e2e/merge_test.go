package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/cli"
	"laoxiao/syncserver/duplicates"
	"laoxiao/syncserver/indicators"
)

// The duplicate tests: two laptops of one township (草坝镇) register the
// same elderly person, with the same ID number, while offline.

const (
	dupTown    schema.Code = "511802101"    // 草坝镇
	dupVillage schema.Code = "511802101200" // 林口村
)

// visitRate is the server's 特殊困难老年人月探访率 for the township and
// month, through the indicator engine the breakdown report uses.
func visitRate(t *testing.T, srv *server, month string) float64 {
	t.Helper()
	return evalRate(t, srv, dupTown, dupTown, month)
}

// evalRate is the server's 特殊困难老年人月探访率 for unit and month,
// evaluating scope (unit or a unit above it).
func evalRate(t *testing.T, srv *server, scope, unit schema.Code, month string) float64 {
	t.Helper()
	p, err := indicators.ParsePeriod(month)
	if err != nil {
		t.Fatal(err)
	}
	r, err := srv.srv.Engine().Evaluate(context.Background(), scope, p)
	if err != nil {
		t.Fatal(err)
	}
	v, ok := r.Value(unit, "visit_rate_special")
	if !ok || !v.Present {
		t.Fatalf("no visit rate for %s %s evaluating %s: %+v", unit, month, scope, v)
	}
	return v.Value
}

// siteRate is the same figure as a site's desktop computes it offline.
func siteRate(t *testing.T, a *site, month string) float64 {
	t.Helper()
	area, err := township.NewArea(a.st.Divisions(), dupTown)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := township.LoadSnapshot(a.st, area)
	if err != nil {
		t.Fatal(err)
	}
	ind, _ := schema.IndicatorByID("visit_rate_special")
	return snap.Evaluate(ind, month).Value
}

func wantRate(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 0.01 {
		t.Errorf("%s: visit rate %.2f, want %.2f", what, got, want)
	}
}

// serverCLI runs a syncserver command against the running server (its
// store is held, so the command goes through the admin API) and returns
// its output.
func serverCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	if code := cli.Run(context.Background(), args, &out, &out); code != 0 {
		t.Fatalf("syncserver %v: exit %d: %s", args, code, out.String())
	}
	return out.Bytes()
}

func putPerson(t *testing.T, a *site, p schema.Person) string {
	t.Helper()
	ch, err := a.st.Put(schema.KindPerson, "", dupVillage, p)
	if err != nil {
		t.Fatalf("%s: register %s: %v", a.name, p.Name, err)
	}
	return ch.ID
}

func putVisit(t *testing.T, a *site, person, date string) {
	t.Helper()
	if _, err := a.st.Put(schema.KindVisit, "", dupVillage, schema.Visit{Person: person, Date: date,
		Visitor: a.name, Kind: schema.VisitMonthly, Outcome: "身体尚可"}); err != nil {
		t.Fatalf("%s: visit: %v", a.name, err)
	}
}

func personOn(t *testing.T, get func(schema.Kind, string) (*schema.Record, error), id string) schema.Person {
	t.Helper()
	r, err := get(schema.KindPerson, id)
	if err != nil {
		t.Fatal(err)
	}
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDuplicatePersonMerged: two laptops register 张桂英 offline and
// each records her monthly visit; after both sync, `syncserver
// duplicates` lists the pair, and the township's visit rate counts her
// twice. The office merges laptop B's record into laptop A's: both
// laptops converge on one person, the visits of both count once, and the
// note only B had is kept. Laptop B, offline through the merge, then
// visits and edits the old record: the visit counts for the survivor and
// the edit lands on it. Unmerge restores the two records and the figures.
func TestDuplicatePersonMerged(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	a := newSite(t, srv, dupTown, "laptop-a", agent.Options{})
	b := newSite(t, srv, dupTown, "laptop-b", agent.Options{})
	now := time.Now()
	month, today := schema.ThisMonth(now), schema.Today(now)
	lastMonth := schema.ThisMonth(now.In(schema.ChinaTime).AddDate(0, 0, -now.In(schema.ChinaTime).Day()))
	idNumber, err := schema.CompleteIDNumber("51180219450302002")
	if err != nil {
		t.Fatal(err)
	}
	elder := schema.Person{Name: "张桂英", IDNumber: idNumber, Categories: []schema.PersonCategory{schema.CatTekun}}
	pa := putPerson(t, a, elder)
	other := putPerson(t, a, schema.Person{Name: "王秀兰", Categories: []schema.PersonCategory{schema.CatAlone}})
	withNote := elder
	withNote.Name, withNote.Note = "张 桂英", "女儿电话 13800000000"
	pb := putPerson(t, b, withNote)
	putVisit(t, a, pa, today)
	putVisit(t, b, pb, today)
	syncBoth(t, a, b)

	var groups []duplicates.Group
	if err := json.Unmarshal(serverCLI(t, "duplicates", "--data", srv.dir, "--unit", string(dupTown), "--json"), &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Rule != duplicates.SameIDNumber || len(groups[0].Members) != 2 {
		t.Fatalf("duplicates: %+v, want one group of two by ID number", groups)
	}
	for _, m := range groups[0].Members {
		if m.ID != pa && m.ID != pb || m.Name != "张*英" && m.Name != "张**英" || m.Refs != 1 {
			t.Errorf("member %+v: want %s or %s, masked, one visit each", m, pa, pb)
		}
	}
	// 张桂英 counts as two persons, both visited; 王秀兰 is not.
	wantRate(t, "server before the merge", visitRate(t, srv, month), 200.0/3)

	serverCLI(t, "merge", "--data", srv.dir, "--unit", string(dupTown), "--survivor", pa, "--duplicate", pb,
		"--reason", "同一身份证号重复登记", "--by", "雨城区民政局")
	wantRate(t, "server after the merge", visitRate(t, srv, month), 50)
	a.mustSync(t)
	wantRate(t, "laptop A after the merge", siteRate(t, a, month), 50)
	if p := personOn(t, a.st.Get, pa); p.Note != withNote.Note {
		t.Errorf("survivor's note on laptop A: %q, want the duplicate's %q", p.Note, withNote.Note)
	}

	// Laptop B has not synced since the merge: it visits and edits the
	// record it knows.
	putVisit(t, b, pb, lastMonth+"-15")
	moved := personOn(t, b.st.Get, pb)
	moved.Note = "已搬到女儿家"
	if _, err := b.st.Put(schema.KindPerson, pb, dupVillage, moved); err != nil {
		t.Fatal(err)
	}
	if res := b.mustSync(t); res.Parked != 0 {
		t.Fatalf("laptop B's edits of the merged record were parked: %+v", res)
	}
	syncBoth(t, a, b) // B gets the edit as it landed on the survivor
	for _, s := range []*site{a, b} {
		if p := personOn(t, s.st.Get, pa); p.Note != moved.Note {
			t.Errorf("%s: survivor's note %q, want the edit made on the duplicate, %q", s.name, p.Note, moved.Note)
		}
		if p := personOn(t, s.st.Get, pb); p.MergedInto != pa {
			t.Errorf("%s: duplicate merged into %q, want %s", s.name, p.MergedInto, pa)
		}
	}
	// The late visit is the survivor's: last month she was visited, 王秀兰
	// was not.
	wantRate(t, "server, last month, after the late visit", visitRate(t, srv, lastMonth), 50)
	wantRate(t, "laptop B, last month", siteRate(t, b, lastMonth), 50)
	ps, err := township.LoadPersons(b.st, dupTown, month)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID != pb {
			continue
		}
		if to, ok := township.MergedPersonTarget(b.st, p); !ok || to.ID != pa || p.Due {
			t.Errorf("laptop B shows the duplicate merged into %+v (%v), due %v; want %s, not due", to, ok, p.Due, pa)
		}
	}
	checkConverged(t, srv, []*site{a, b})

	// The merge is in the audit trail.
	trail, err := srv.srv.Audit(context.Background(), syncserver.AuditQuery{Unit: dupTown, Kind: schema.KindPerson, ID: pb})
	if err != nil {
		t.Fatal(err)
	}
	merges := 0
	for _, e := range trail {
		if e.Fields["merged_into"] == pa && e.Fields["merged_by"] == "雨城区民政局" && e.Account == "server" {
			merges++
		}
	}
	if merges != 1 {
		t.Errorf("audit trail of the duplicate: %+v, want the merge into %s once", trail, pa)
	}

	serverCLI(t, "unmerge", "--data", srv.dir, "--unit", string(dupTown), "--duplicate", pb, "--reason", "核实为两人")
	syncBoth(t, a, b)
	wantRate(t, "server after the unmerge", visitRate(t, srv, month), 200.0/3)
	wantRate(t, "server, last month, after the unmerge", visitRate(t, srv, lastMonth), 100.0/3)
	wantRate(t, "laptop A after the unmerge", siteRate(t, a, month), 200.0/3)
	for _, s := range []*site{a, b} {
		if p := personOn(t, s.st.Get, pb); p.MergedInto != "" || p.Note != moved.Note {
			t.Errorf("%s: duplicate after the unmerge: merged into %q, note %q", s.name, p.MergedInto, p.Note)
		}
		if p := personOn(t, s.st.Get, pa); p.Note != "" {
			t.Errorf("%s: survivor's note after the unmerge %q, want empty as before the merge", s.name, p.Note)
		}
	}
	if p := personOn(t, b.st.Get, other); p.Name != "王秀兰" {
		t.Errorf("unrelated person changed: %+v", p)
	}
	checkConverged(t, srv, []*site{a, b})
}

// syncBoth syncs two laptops twice in turn, so each has the other's
// changes.
func syncBoth(t *testing.T, a, b *site) {
	t.Helper()
	for range 2 {
		a.mustSync(t)
		b.mustSync(t)
	}
}
