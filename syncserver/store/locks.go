package store

import (
	"context"
	"fmt"

	"laoxiao/schema"
)

// Locks reads every lock and unlock record of st into the set of locks in
// force: what the writer checks uploads against and what reviews show.
func Locks(ctx context.Context, st Store) (*schema.LockSet, error) {
	set := schema.NewLockSet()
	for _, k := range []schema.Kind{schema.KindLock, schema.KindUnlock} {
		if err := st.ScanKind(ctx, k, set.Add); err != nil {
			return nil, fmt.Errorf("read locks: %w", err)
		}
	}
	return set, nil
}
