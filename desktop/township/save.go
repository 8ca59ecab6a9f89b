package township

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Now is the time records are checked against: the wall clock corrected by
// the offset the store learned from the server, so a laptop whose clock is
// a day behind does not refuse today's visit as "in the future".
func Now(st *agent.Store) time.Time { return st.Clock().Physical() }

// Check validates a record with the schema's rules in the store's context
// (its divisions, its scope, the corrected clock), before anything is
// written, so each problem can be shown beside its field.
func Check(st *agent.Store, kind schema.Kind, unit schema.Code, v any) (schema.Problems, error) {
	scope, err := st.Scope()
	if err != nil {
		return nil, err
	}
	ctx := schema.ValidationContext{Divisions: st.Divisions(), Scope: scope, Now: Now(st)}
	return schema.ValidateRecord(kind, unit, v, ctx), nil
}

// Save checks a record and, if it passes, writes it with the store's Put:
// when Save returns with no problems and no error, the record and its
// change are on disk (the store syncs every write). The id is the record's
// id (new for a new record). Problems the store itself finds (a capacity
// report for a facility it lacks, a unit that cannot change) come back as
// problems too, so the form shows every refusal the same way. Checking
// first looks redundant, since Put validates too, but it answers without
// taking the store's write lock, which a sync may hold for a while.
func Save(st *agent.Store, kind schema.Kind, id string, unit schema.Code, v any) (string, schema.Problems, error) {
	ps, err := Check(st, kind, unit, v)
	if err != nil {
		return "", nil, err
	}
	if len(ps) > 0 {
		return "", ps, nil
	}
	ch, err := st.Put(kind, id, unit, v)
	if err != nil {
		if ps := ProblemsOf(kind, err); ps != nil {
			return "", ps, nil
		}
		return "", nil, err
	}
	if ch != nil {
		return ch.ID, nil, nil
	}
	// Nothing differed from the stored record; its id is what Put would
	// have written.
	id, err = agent.RecordID(kind, id, unit, v)
	if err != nil {
		return "", nil, err
	}
	return id, nil, nil
}

// ProblemsOf turns a store refusal into field problems, or nil when the
// error is not about the record (a full disk, a closed store).
func ProblemsOf(kind schema.Kind, err error) schema.Problems {
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	var be *agent.BatchError
	if errors.As(err, &be) {
		return ProblemsOf(kind, be.Err)
	}
	if errors.Is(err, schema.ErrUnitMismatch) {
		return schema.Problems{{Field: string(kind) + ".unit", En: err.Error(),
			Zh: "记录的所属单位不能修改，如需迁移请删除后重新登记"}}
	}
	if errors.Is(err, agent.ErrInsertOnly) {
		return schema.Problems{{Field: string(kind), En: err.Error(),
			Zh: "探访记录不能修改，请新增一条探访记录并注明更正的是哪一条"}}
	}
	return nil
}

// FieldOf returns the field name of a problem without its kind
// ("capacity.beds_nursing" → "beds_nursing"), which is how forms key
// their inputs.
func FieldOf(p schema.Problem) string {
	_, f, ok := strings.Cut(p.Field, ".")
	if !ok {
		return ""
	}
	return f
}

// SaveBatch checks every item and writes the ones without problems in one
// synced transaction, so a sheet of thirty monthly reports is one fsync
// and a power cut never leaves half of it. It returns the problems per
// item index; items with problems are not written. An item into a period
// a county locked is such an item: its problem says which lock.
func SaveBatch(st *agent.Store, items []agent.Item) (map[int]schema.Problems, error) {
	bad := map[int]schema.Problems{}
	var good []agent.Item
	var goodIdx []int
	for i, it := range items {
		ps, err := Check(st, it.Kind, it.Unit, it.Value)
		if err != nil {
			return nil, err
		}
		if len(ps) > 0 {
			bad[i] = ps
			continue
		}
		good = append(good, it)
		goodIdx = append(goodIdx, i)
	}
	for len(good) > 0 {
		_, locked, err := st.PutBatchSkipLocked(good)
		if err == nil {
			// Rows into a locked period stay unsaved with the lock's
			// message on their month, date or year; the rest is written.
			for k, le := range locked {
				bad[goodIdx[k]] = schema.Problems{le.Problem(st.Divisions())}
			}
			break
		}
		var be *agent.BatchError
		if !errors.As(err, &be) || be.Index < 0 || be.Index >= len(good) {
			return nil, fmt.Errorf("save %d records: %w", len(good), err)
		}
		// One item the store refused (say, its facility was deleted by a
		// sync a moment ago): report it and write the others.
		ps := ProblemsOf(good[be.Index].Kind, be.Err)
		if ps == nil {
			return nil, fmt.Errorf("save %d records: %w", len(good), err)
		}
		bad[goodIdx[be.Index]] = ps
		good = append(good[:be.Index:be.Index], good[be.Index+1:]...)
		goodIdx = append(goodIdx[:be.Index:be.Index], goodIdx[be.Index+1:]...)
	}
	return bad, nil
}
