package demo

import (
	"context"
	"fmt"
	"path/filepath"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/synth"
)

// reviewAndLock shows the review and lock cycle on the first county of the
// plan: the county office reviews the last reported month, locks it, and
// a township of the county that edits the month offline (before it has
// heard of the lock) has the edit refused at its next sync and parked,
// with the lock's reason in Chinese. The township syncs once more, so its
// hello tells the server a refusal waits, and the breakdown table's sync
// section flags it.
func reviewAndLock(ctx context.Context, srv *syncserver.Server, towns []synth.PlannedTownship, opts Options, say func(string, ...any)) error {
	month := synth.PlanMonths[len(synth.PlanMonths)-1]
	town, ok := townWithBeds(towns, month)
	if !ok {
		return fmt.Errorf("no township reports occupied beds for %s", month)
	}
	county := town.Code.Ancestor(schema.LevelCounty)
	office := srv.Divisions().Name(county) + "民政局"

	rv, err := srv.Review(ctx, county, month)
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	say("")
	if err := rv.WriteText(opts.Stdout); err != nil {
		return err
	}
	l, err := srv.Lock(ctx, syncserver.LockRequest{Unit: county, Period: month, Reason: "月度数据已审核", By: office})
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	say("\n已锁定 / locked: %s(%s) %s, by %s at %s (lock %s)", l.UnitName, l.Unit, l.Period, l.By, l.At, l.ID)

	st, err := agent.Open(filepath.Join(opts.Work, "agents", string(town.Code)), agent.Options{Logger: opts.Logger, Passphrase: opts.Passphrase})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := editOffline(st, town.Code, month); err != nil {
		return err
	}
	c := syncclient.New(st, opts.Logger)
	res, err := c.SyncOnce(ctx)
	if err != nil {
		return fmt.Errorf("sync %s: %w", town.Name, err)
	}
	parked, err := st.Parked()
	if err != nil {
		return err
	}
	if res.Parked != 1 || len(parked) != 1 || parked[0].Rejection.Code != schema.RejectLocked {
		return fmt.Errorf("%s: the offline edit of the locked month was not parked as locked (%d parked)", town.Name, res.Parked)
	}
	say("%s离线修改了%s的床位数，同步时被服务器退回并暂存在本机 / an offline edit of the locked month, parked:", town.Name, month)
	say("  退回原因 / reason: %s", parked[0].Rejection.ReasonZh)
	// The next hello reports the parked change; the table flags it.
	if _, err := c.SyncOnce(ctx); err != nil {
		return fmt.Errorf("sync %s: %w", town.Name, err)
	}
	return nil
}

// townWithBeds returns the first planned township with a report of month
// that has occupied beds to edit.
func townWithBeds(towns []synth.PlannedTownship, month string) (synth.PlannedTownship, bool) {
	for _, t := range towns {
		for _, f := range t.Facilities {
			for _, r := range f.Reports {
				if r.Period == month && r.BedsOccupied > 0 {
					return t, true
				}
			}
		}
	}
	return synth.PlannedTownship{}, false
}

// editOffline changes the occupied beds of one of the township's reports
// of month, as staff would before their laptop hears of a lock.
func editOffline(st *agent.Store, town schema.Code, month string) error {
	var rep *schema.Record
	err := st.List(schema.KindCapacity, town, func(r *schema.Record) error {
		var c schema.Capacity
		if r.Decode(&c) == nil && c.Period == month && c.BedsOccupied > 0 {
			rep = r
			return agent.ErrStop
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rep == nil {
		return fmt.Errorf("township %s has no report of %s with occupied beds to edit", town, month)
	}
	var c schema.Capacity
	if err := rep.Decode(&c); err != nil {
		return err
	}
	c.BedsOccupied--
	if _, err := st.Put(schema.KindCapacity, rep.ID, rep.Unit, c); err != nil {
		return fmt.Errorf("offline edit: %w", err)
	}
	return nil
}
