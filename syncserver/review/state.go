package review

import (
	"context"
	"fmt"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// syncState fills each township's devices and last sync, and flags a
// township none of whose devices ever synced: its figures, if any, were
// not entered there. Office accounts are not a township's devices.
func syncState(ctx context.Context, st store.Store, r *Review) error {
	devs, err := st.Devices(ctx)
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	marks, err := st.Marks(ctx)
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	byTown := map[schema.Code]*Township{}
	for i := range r.Townships {
		byTown[r.Townships[i].Code] = &r.Townships[i]
	}
	for _, d := range devs {
		tw := byTown[d.Scope.Ancestor(schema.LevelTownship)]
		if tw == nil || d.Role != store.RoleSite || d.Revoked {
			continue
		}
		tw.Devices++
		if m := marks[d.ID]; m.At.After(tw.LastSync) {
			tw.LastSync = m.At
		}
	}
	for i := range r.Townships {
		tw := &r.Townships[i]
		if !tw.LastSync.IsZero() {
			continue
		}
		f := Flag{Code: FlagNeverSynced, En: "no device of this township has ever synced", Zh: "本乡镇(街道)的设备从未同步"}
		if tw.Devices == 0 {
			f.En, f.Zh = "no device of this township is enrolled", "本乡镇(街道)没有注册设备，从未同步"
		}
		tw.Flags = append(tw.Flags, f)
	}
	return nil
}

// lockState names the lock in force over each township's period, so the
// office sees what it has already locked.
func lockState(ctx context.Context, st store.Store, r *Review) error {
	set, err := store.Locks(ctx, st)
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	for i := range r.Townships {
		if l, ok := set.Covering(r.Townships[i].Code, r.Period); ok {
			r.Townships[i].Lock = l.ID
		}
	}
	return nil
}
