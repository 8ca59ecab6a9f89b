package e2e

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"laoxiao/agent"
	"laoxiao/schema"
)

// townships used by the multi-site tests: five of 雅安市's.
var testTownships = []schema.Code{"511802001", "511802101", "511803001", "511822001", "511827100"}

// edit makes one random, valid offline edit on a site: create or edit a
// facility (often one another site created), delete one, enter a month's
// capacity report (a deterministic id, so sites collide on it), or
// enter the township's population (same).
func edit(t testing.TB, a *site, rng *rand.Rand) {
	t.Helper()
	if err := editErr(a, rng); err != nil {
		t.Fatal(err)
	}
}

// editErr is edit for goroutines other than the test's, which must not
// call t.Fatal.
func editErr(a *site, rng *rand.Rand) error {
	vills := schema.BuiltinDivisions().Descendants(a.unit, schema.LevelVillage)
	var facs []*schema.Record
	if err := a.st.List(schema.KindFacility, a.unit, func(r *schema.Record) error { facs = append(facs, r); return nil }); err != nil {
		return err
	}
	op := rng.IntN(10)
	var err error
	switch {
	case op < 3 || len(facs) == 0:
		f := schema.Facility{Name: fmt.Sprintf("%s机构%d", a.name, rng.IntN(1000)), Kind: schema.FKDayCare,
			Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating}
		_, err = a.st.Put(schema.KindFacility, "", vills[rng.IntN(len(vills))], f)
	case op < 6:
		r := facs[rng.IntN(len(facs))]
		var f schema.Facility
		if err := r.Decode(&f); err != nil {
			return err
		}
		f.Name = fmt.Sprintf("%s改名%d", a.name, rng.IntN(1000))
		if rng.IntN(2) == 0 {
			f.Inclusive = !f.Inclusive
		}
		_, err = a.st.Put(schema.KindFacility, r.ID, r.Unit, f)
	case op < 7:
		r := facs[rng.IntN(len(facs))]
		_, err = a.st.Delete(schema.KindFacility, r.ID)
	case op < 9:
		r := facs[rng.IntN(len(facs))]
		c := schema.Capacity{Facility: r.ID, Period: fmt.Sprintf("2025-%02d", 1+rng.IntN(3)),
			BedsTotal: 100 + int64(rng.IntN(50)), BedsNursing: int64(rng.IntN(50)), BedsOccupied: int64(rng.IntN(90)),
			CareStaff: 10 + int64(rng.IntN(5)), CertifiedStaff: int64(rng.IntN(10))}
		_, err = a.st.Put(schema.KindCapacity, "", r.Unit, c)
	default:
		p := schema.Population{Year: 2025, Resident: 20000 + int64(rng.IntN(100)), Aged60: 5000 + int64(rng.IntN(100)),
			Aged65: 4000, Aged0to3: 500, Births: 100}
		_, err = a.st.Put(schema.KindPopulation, "", a.unit, p)
	}
	if err != nil && !isValidationError(err) {
		return fmt.Errorf("%s: edit: %w", a.name, err)
	}
	return nil
}

// TestManySitesConverge: twenty sites in five townships edit offline, with
// overlapping edits to shared records, and sync concurrently and
// repeatedly. In the end every change is accepted exactly once, the server
// is the merge of its log, and every site equals the server within its
// scope.
func TestManySitesConverge(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	var sites []*site
	for i := 0; i < 20; i++ {
		tw := testTownships[i%len(testTownships)]
		sites = append(sites, newSite(t, srv, tw, fmt.Sprintf("site%02d", i), agent.Options{}))
	}
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		errs := make(chan error, len(sites))
		for i, a := range sites {
			rng := rand.New(rand.NewPCG(uint64(round), uint64(i)))
			for k := 0; k < 6; k++ {
				edit(t, a, rng)
			}
			if rng.IntN(4) == 0 {
				continue // offline this round
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := a.sync(t.Context()); err != nil {
					errs <- fmt.Errorf("%s round %d: %w", a.name, round, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	// Two passes: the first uploads what is left, the second brings every
	// site everybody's changes.
	for pass := 0; pass < 2; pass++ {
		for _, a := range sites {
			a.mustSync(t)
		}
	}
	checkConverged(t, srv, sites)
}

// checkConverged asserts the protocol's guarantee for these sites against
// the in-process server's store.
func checkConverged(t *testing.T, srv *server, sites []*site) {
	t.Helper()
	checkConvergedStore(t, srv.srv.Store(), sites)
}
