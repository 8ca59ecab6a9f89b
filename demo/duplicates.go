package demo

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/duplicates"
	"laoxiao/syncserver/indicators"
	"laoxiao/synth"
)

// Duplicates in the demo (issue 15): a township's laptop registers one of
// its elderly persons a second time (the name typed with a space, the
// same ID number) and records this month's visit on the new record, and
// enters one of its facilities again under a longer name with the same
// month's report. Before the county office merges them the person counts
// twice in the visit rate and the beds twice in the bed count; `syncserver
// duplicates` finds both, the office merges each into the original, and
// the figures come back; the laptop's next sync brings the merge down.

// dupFigures are the county figures the duplicates move.
type dupFigures struct{ visitRate, beds float64 }

func countyFigures(ctx context.Context, srv *syncserver.Server, county schema.Code, month string) (dupFigures, error) {
	p, err := indicators.ParsePeriod(month)
	if err != nil {
		return dupFigures{}, err
	}
	r, err := srv.Engine().Evaluate(ctx, county, p)
	if err != nil {
		return dupFigures{}, err
	}
	var f dupFigures
	for id, dst := range map[string]*float64{"visit_rate_special": &f.visitRate, "beds_total": &f.beds} {
		v, ok := r.Value(county, id)
		if !ok || !v.Present {
			return dupFigures{}, fmt.Errorf("no %s for %s %s", id, county, month)
		}
		*dst = v.Value
	}
	return f, nil
}

// enterDuplicates runs the story above on the first township.
func enterDuplicates(ctx context.Context, srv *syncserver.Server, towns []synth.PlannedTownship, opts Options, say func(string, ...any)) error {
	town := towns[0]
	county := town.Code.Ancestor(schema.LevelCounty)
	month := synth.PlanMonths[len(synth.PlanMonths)-1]
	st, err := agent.Open(filepath.Join(opts.Work, "agents", string(town.Code)), agent.Options{Logger: opts.Logger, Passphrase: opts.Passphrase})
	if err != nil {
		return err
	}
	defer st.Close()
	person, fac, err := registerAgain(st, town.Code, month)
	if err != nil {
		return fmt.Errorf("%s: %w", town.Name, err)
	}
	c := syncclient.New(st, opts.Logger)
	if _, err := c.SyncOnce(ctx); err != nil {
		return fmt.Errorf("sync %s: %w", town.Name, err)
	}
	before, err := countyFigures(ctx, srv, county, month)
	if err != nil {
		return err
	}
	groups, err := srv.Duplicates(ctx, county)
	if err != nil {
		return err
	}
	say("\n疑似重复记录 / candidate duplicates in %s: %d group(s)", srv.Divisions().Name(county), len(groups))
	office := srv.Divisions().Name(county) + "民政局"
	merged := 0
	for _, g := range groups {
		say("  %s · %s · %s", g.Kind.Label(), g.RuleLabel, g.Evidence)
		for _, m := range g.Members {
			say("    %s  %s  %s  %d", m.ID, m.UnitName, m.Name, m.Refs)
		}
		for _, pair := range [][2]string{person, fac} {
			if !hasMembers(g.Members, pair[:]) {
				continue
			}
			info, err := srv.Merge(ctx, syncserver.MergeRequest{Unit: county, Survivor: pair[0], Duplicate: pair[1],
				Reason: "同一对象重复登记", By: office})
			if err != nil && !errors.Is(err, syncserver.ErrAlreadyMerged) {
				return fmt.Errorf("merge %s into %s: %w", pair[1], pair[0], err)
			}
			if err == nil {
				say("    已合并 / merged %s into %s (filled in: %v)", info.Duplicate, info.Survivor, info.Filled)
				merged++
			}
		}
	}
	if merged != 2 {
		return fmt.Errorf("the demo's duplicate person and facility were not both found and merged (%d merged)", merged)
	}
	after, err := countyFigures(ctx, srv, county, month)
	if err != nil {
		return err
	}
	say("%s %s 特殊困难老年人月探访率 / visit rate: %.1f%% → %.1f%%;养老床位总数 / beds: %.0f → %.0f",
		srv.Divisions().Name(county), month, before.visitRate, after.visitRate, before.beds, after.beds)
	if _, err := c.SyncOnce(ctx); err != nil {
		return fmt.Errorf("sync %s: %w", town.Name, err)
	}
	r, err := st.Get(schema.KindPerson, person[1])
	if err != nil {
		return err
	}
	if schema.MergedInto(r) != person[0] {
		return fmt.Errorf("%s did not get the merge", town.Name)
	}
	say("%s的设备同步后显示“已合并到”原记录 / the township's laptop has the merge", town.Name)
	return nil
}

// hasMembers reports whether every id is a member of the group.
func hasMembers(ms []duplicates.Member, ids []string) bool {
	for _, id := range ids {
		if !slices.ContainsFunc(ms, func(m duplicates.Member) bool { return m.ID == id }) {
			return false
		}
	}
	return true
}

// registerAgain enters the second registrations and returns the
// (original, duplicate) ids of the person and of the facility.
func registerAgain(st *agent.Store, town schema.Code, month string) (person, fac [2]string, err error) {
	orig, p, err := unvisitedPerson(st, town, month)
	if err != nil {
		return person, fac, err
	}
	p.Name = string([]rune(p.Name)[:1]) + " " + string([]rune(p.Name)[1:])
	p.Note = "村里另行登记"
	ch, err := st.Put(schema.KindPerson, "", orig.Unit, p)
	if err != nil {
		return person, fac, fmt.Errorf("register the person again: %w", err)
	}
	person = [2]string{orig.ID, ch.ID}
	if _, err := st.Put(schema.KindVisit, "", orig.Unit, schema.Visit{Person: ch.ID, Date: month + "-20",
		Visitor: "村干部", Kind: schema.VisitMonthly, Outcome: "身体尚可"}); err != nil {
		return person, fac, fmt.Errorf("visit the second registration: %w", err)
	}
	frec, f, rep, err := reportedFacility(st, town, month)
	if err != nil {
		return person, fac, err
	}
	f.Name = nameVariant(f.Name, st.Divisions().Name(town))
	fch, err := st.Put(schema.KindFacility, "", frec.Unit, f)
	if err != nil {
		return person, fac, fmt.Errorf("enter the facility again: %w", err)
	}
	rep.Facility = fch.ID
	if _, err := st.Put(schema.KindCapacity, schema.CapacityID(fch.ID, month), frec.Unit, rep); err != nil {
		return person, fac, fmt.Errorf("report for the second entry: %w", err)
	}
	return person, [2]string{frec.ID, fch.ID}, nil
}

// nameVariant writes a facility's name the way a second writer would:
// without the township's name it starts with, without the village's 村,
// or with the township's name put in front.
func nameVariant(name, township string) string {
	switch {
	case strings.HasPrefix(name, township) && name != township:
		return strings.TrimPrefix(name, township)
	case strings.Contains(name, "村"):
		return strings.Replace(name, "村", "", 1)
	}
	return township + name
}

// unvisitedPerson returns a person of the township in special difficulty,
// with an ID number and without a monthly visit in month.
func unvisitedPerson(st *agent.Store, town schema.Code, month string) (*schema.Record, schema.Person, error) {
	visited := map[string]bool{}
	err := st.List(schema.KindVisit, town, func(r *schema.Record) error {
		var v schema.Visit
		if r.Decode(&v) == nil && v.Kind == schema.VisitMonthly && schema.PeriodWithin(v.Date, month) {
			visited[v.Person] = true
		}
		return nil
	})
	if err != nil {
		return nil, schema.Person{}, err
	}
	var rec *schema.Record
	var p schema.Person
	err = st.List(schema.KindPerson, town, func(r *schema.Record) error {
		if visited[r.ID] || r.Decode(&p) != nil || p.IDNumber == "" || !slices.ContainsFunc(p.Categories, schema.PersonCategory.SpecialDifficulty) {
			return nil
		}
		rec = r
		return agent.ErrStop
	})
	if err == nil && rec == nil {
		err = fmt.Errorf("no person in special difficulty with an ID number went unvisited in %s", month)
	}
	return rec, p, err
}

// reportedFacility returns an operating elderly-care facility of the
// township with beds in its report of month, and that report.
func reportedFacility(st *agent.Store, town schema.Code, month string) (*schema.Record, schema.Facility, schema.Capacity, error) {
	var rec *schema.Record
	var f schema.Facility
	var rep schema.Capacity
	err := st.List(schema.KindFacility, town, func(r *schema.Record) error {
		if r.Decode(&f) != nil || f.Status != schema.StatusOperating || f.Kind.Domain() != schema.DomainElderly {
			return nil
		}
		cr, err := st.Get(schema.KindCapacity, schema.CapacityID(r.ID, month))
		if err != nil || cr.Decode(&rep) != nil || rep.BedsTotal == 0 {
			return nil
		}
		rec = r
		return agent.ErrStop
	})
	if err == nil && rec == nil {
		err = fmt.Errorf("no operating elderly-care facility reported beds for %s", month)
	}
	return rec, f, rep, err
}
