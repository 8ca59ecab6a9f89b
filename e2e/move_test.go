package e2e

import (
	"context"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// The move test: a person of 草坝镇 moves to 大兴街道, another township
// of 雨城区, and the county moves the record.

const (
	moveCounty  schema.Code = "511802"       // 雨城区
	moveTown    schema.Code = "511802005"    // 大兴街道
	moveVillage schema.Code = "511802005001" // 龙溪社区
)

// unitRate is the server's 特殊困难老年人月探访率 for a unit of 雨城区 and
// a month, as the county's breakdown shows it; for a township it checks
// that the township evaluated alone, which holds only the new record of
// a person moved in, gives the same.
func unitRate(t *testing.T, srv *server, unit schema.Code, month string) float64 {
	t.Helper()
	inCounty := evalRate(t, srv, moveCounty, unit, month)
	if unit != moveCounty {
		wantRate(t, string(unit)+" evaluated alone", evalRate(t, srv, unit, unit, month), inCounty)
	}
	return inCounty
}

// personsOf lists the persons a device shows in its township this month.
func personsOf(t *testing.T, a *site, town schema.Code, month string) []township.Person {
	t.Helper()
	ps, err := township.LoadPersons(a.st, town, month)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestPersonMovedTownship: 张桂英, registered and visited in 草坝镇, moves
// to 大兴街道. The county moves her record: 草坝镇's laptops lose her (one
// says where she went), 大兴街道's gets her, with a link back, and the
// county's visit rate counts her once, visited. A laptop of 草坝镇 offline
// through the move then visits her and edits her record: the visit counts
// for the moved record, the edit lands on it, nothing is parked and the
// old township does not get her back.
func TestPersonMovedTownship(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	a := newSite(t, srv, dupTown, "caoba-a", agent.Options{})
	a2 := newSite(t, srv, dupTown, "caoba-b", agent.Options{})
	b := newSite(t, srv, moveTown, "daxing", agent.Options{})
	now := time.Now()
	month, today := schema.ThisMonth(now), schema.Today(now)
	lastMonth := schema.ThisMonth(now.In(schema.ChinaTime).AddDate(0, 0, -now.In(schema.ChinaTime).Day()))
	elder := schema.Person{Name: "张桂英", BirthDate: "1945-03-02", Categories: []schema.PersonCategory{schema.CatTekun}}
	pa := putPerson(t, a, elder)
	putPerson(t, a, schema.Person{Name: "王秀兰", Categories: []schema.PersonCategory{schema.CatAlone}})
	putVisit(t, a, pa, today)
	a.mustSync(t)
	a2.mustSync(t)
	b.mustSync(t)
	wantRate(t, "county before the move", unitRate(t, srv, moveCounty, month), 50)

	serverCLI(t, "move", "--data", srv.dir, "--person", pa, "--to", string(moveVillage),
		"--reason", "随女儿迁居", "--by", "雨城区民政局")

	// 大兴街道's laptop gets her, linked to the old record.
	b.mustSync(t)
	var pb string
	for _, p := range personsOf(t, b, moveTown, month) {
		if p.Name == elder.Name && p.MovedFrom == pa && p.MovedFromUnit == dupVillage && p.Unit == moveVillage {
			pb = p.ID
		}
	}
	if pb == "" || pb == pa {
		t.Fatalf("大兴街道's laptop does not hold 张桂英 moved from %s: %+v", pa, personsOf(t, b, moveTown, month))
	}
	// 草坝镇's other laptop loses her and can say where she went.
	a2.mustSync(t)
	for _, p := range personsOf(t, a2, dupTown, month) {
		if p.ID == pa {
			t.Errorf("草坝镇's laptop still lists the moved person")
		}
	}
	m, ok := township.MovedPerson(a2.st, pa)
	if !ok || m.To != pb || m.UnitName != "大兴街道龙溪社区居委会" || m.Name != elder.Name {
		t.Errorf("草坝镇's laptop: moved %+v (%v), want to %s in 大兴街道龙溪社区居委会", m, ok, pb)
	}
	// Counted once, in her new township, with the visit made in the old.
	wantRate(t, "county after the move", unitRate(t, srv, moveCounty, month), 50)
	wantRate(t, "大兴街道 after the move", unitRate(t, srv, moveTown, month), 100)
	wantRate(t, "草坝镇 after the move", unitRate(t, srv, dupTown, month), 0)
	// The lineage under 大兴街道's figure lists her, with the visit 草坝镇
	// made.
	p, err := indicators.ParsePeriod(month)
	if err != nil {
		t.Fatal(err)
	}
	counted, err := srv.srv.Engine().Counted(context.Background(), moveTown, p, schema.MeasurePersonsSpecialVisitedMonth)
	if err != nil {
		t.Fatal(err)
	}
	if len(counted) != 1 || counted[0].ID != pb || len(counted[0].Visits) != 1 {
		t.Errorf("大兴街道's visited persons: %+v, want %s with the visit made before the move", counted, pb)
	}

	// Laptop A has not synced since the move: it visits her last month
	// and notes her new phone on the record it knows.
	putVisit(t, a, pa, lastMonth+"-15")
	edited := personOn(t, a.st.Get, pa)
	edited.Note = "女儿电话 13800000000"
	if _, err := a.st.Put(schema.KindPerson, pa, dupVillage, edited); err != nil {
		t.Fatal(err)
	}
	if res := a.mustSync(t); res.Parked != 0 {
		t.Fatalf("laptop A's late edits of the moved person were parked: %+v", res)
	}
	a.mustSync(t) // the server's second delete of the record A's edit brought back
	b.mustSync(t)
	if p := personOn(t, b.st.Get, pb); p.Note != edited.Note {
		t.Errorf("大兴街道: the moved record's note %q, want the late edit %q", p.Note, edited.Note)
	}
	for _, s := range []*site{a, a2} {
		s.mustSync(t)
		if _, err := s.st.Get(schema.KindPerson, pa); err == nil {
			t.Errorf("%s: the moved person is back in 草坝镇 after the late edit", s.name)
		}
	}
	wantRate(t, "county last month, after the late visit", unitRate(t, srv, moveCounty, lastMonth), 50)
	wantRate(t, "大兴街道 last month", unitRate(t, srv, moveTown, lastMonth), 100)
	checkConverged(t, srv, []*site{a, a2, b})
}
