package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Commit writes a group in one transaction, durably (PostgreSQL syncs its
// WAL at commit unless the operator turned synchronous_commit off).
//
// Several processes commit at once, so Commit serialises on a
// transaction-scoped advisory lock, taken at the start of the write and
// held to commit. Everything before Commit — decoding uploads, validating
// and merging changes in package ingest — stays parallel across processes;
// only the write itself waits. Under the lock Commit:
//
//  1. checks Group.Basis: each device's stored mark must still be the one
//     the group was computed from, and no lock or unlock may have been
//     logged after the writer read the locks in force, or it fails with
//     store.ErrConflict and writes nothing. Sessions of one device never
//     run on two processes at once (LockSession), so marks only move under
//     a writer for the server's own device, whose changes any process may
//     number; locks move when an office locks a period through another
//     process, and the writer must check its group against that lock.
//  2. re-merges every record with its stored state. The writer merged the
//     group's changes into the record as it read it before the lock;
//     another process may have committed changes of the same record
//     since. Merge is per field, last writer wins by version, a join of
//     states: joining the stored state with the writer's gives the merge
//     of every change either saw, whatever the order, so no concurrent
//     edit is lost. (Simpler than a retry, and correct in any order.)
//  3. reads the log head and numbers the group's log entries after it,
//     writing the numbers back into g.Log. The lock is held until the
//     commit is visible, and PostgreSQL makes a commit visible before it
//     releases its locks: so a transaction that takes seq N+1 starts after
//     the one that took N is visible, and no reader ever sees N+1 without
//     N (a download at cursor N+1 would skip N forever).
//
// It costs four round trips whatever the group's size: begin, one
// pipelined batch of the lock and every read the writes depend on, one
// batch of the writes, and commit. Everything that does not depend on
// what the lock guards is encoded before it.
func (s *Store) Commit(ctx context.Context, g *store.Group) error {
	marks, err := encodeMarks(g.Marks)
	if err != nil {
		return err
	}
	refused, err := encodeRefused(g.Refused)
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("commit: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	rd, err := s.readUnderLock(ctx, tx, g)
	if err != nil {
		return err
	}
	if err := rd.check(g.Basis); err != nil {
		return err
	}
	w := &pgx.Batch{}
	if err := s.queueRecords(w, g.Records, rd.records); err != nil {
		return err
	}
	if err := s.queueLog(w, g.Log, rd.head); err != nil {
		return err
	}
	if marks != nil {
		w.Queue(`INSERT INTO laoxiao_marks (device, high_water, value)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
			ON CONFLICT (device) DO UPDATE SET high_water = excluded.high_water, value = excluded.value`, marks.ids, marks.hws, marks.vals)
	}
	if refused != nil {
		w.Queue(`INSERT INTO laoxiao_refused (device, seq, value)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
			ON CONFLICT (device, seq) DO UPDATE SET value = excluded.value`, refused.ids, refused.seqs, refused.vals)
	}
	if w.Len() > 0 {
		if err := tx.SendBatch(ctx, w).Close(); err != nil {
			return fmt.Errorf("commit: write %d records, %d log entries: %w", len(g.Records), len(g.Log), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit %d records, %d log entries: %w", len(g.Records), len(g.Log), err)
	}
	return nil
}

// commitReads is what Commit reads under its lock.
type commitReads struct {
	lockSeq int64                         // first lock or unlock after Basis.LocksAt; 0: none
	marks   map[string]uint64             // stored marks of Basis.Marks' devices
	records map[schema.Key]*schema.Record // stored states of the group's records
	head    int64                         // the log head
}

// readUnderLock takes the commit lock and reads, in the same round trip,
// what the writes depend on.
func (s *Store) readUnderLock(ctx context.Context, tx pgx.Tx, g *store.Group) (*commitReads, error) {
	rd := &commitReads{marks: map[string]uint64{}, records: map[schema.Key]*schema.Record{}}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, commitLockKey)
	if g.Basis != nil {
		b.Queue(`SELECT coalesce(min(seq), 0) FROM laoxiao_log WHERE seq > $1 AND kind IN ('lock', 'unlock')`,
			int64(g.Basis.LocksAt)).QueryRow(func(row pgx.Row) error { return row.Scan(&rd.lockSeq) })
		if len(g.Basis.Marks) > 0 {
			ids := make([]string, 0, len(g.Basis.Marks))
			for id := range g.Basis.Marks {
				ids = append(ids, id)
			}
			b.Queue(`SELECT device, high_water FROM laoxiao_marks WHERE device = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
				var id string
				var hw int64
				_, err := pgx.ForEachRow(rows, []any{&id, &hw}, func() error { rd.marks[id] = uint64(hw); return nil })
				return err
			})
		}
	}
	if len(g.Records) > 0 {
		kinds, ids := make([]string, len(g.Records)), make([]string, len(g.Records))
		for i, r := range g.Records {
			kinds[i], ids[i] = string(r.Kind), r.ID
		}
		b.Queue(readRecordsSQL, kinds, ids).Query(func(rows pgx.Rows) error { return s.collectRecords(rows, rd.records) })
	}
	if len(g.Log) > 0 {
		b.Queue(`SELECT coalesce(max(seq), 0) FROM laoxiao_log`).QueryRow(func(row pgx.Row) error { return row.Scan(&rd.head) })
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("commit: lock and read: %w", err)
	}
	return rd, nil
}

// check refuses the group when a device's stored mark is not the one it
// was computed from, or a lock or unlock was logged after the writer read
// the locks.
func (rd *commitReads) check(b *store.Basis) error {
	if b == nil {
		return nil
	}
	if rd.lockSeq != 0 {
		return fmt.Errorf("%w: lock or unlock logged at %d, the group checked locks up to %d", store.ErrConflict, rd.lockSeq, b.LocksAt)
	}
	for id, base := range b.Marks {
		if rd.marks[id] != base {
			return fmt.Errorf("%w: device %s at %d, the group was made at %d", store.ErrConflict, id, rd.marks[id], base)
		}
	}
	return nil
}

// queueRecords queues the write of the group's records, each joined with
// its stored state (see Commit).
func (s *Store) queueRecords(w *pgx.Batch, recs []*schema.Record, stored map[schema.Key]*schema.Record) error {
	if len(recs) == 0 {
		return nil
	}
	n := len(recs)
	kinds, ids, units, vals, hashes := make([]string, n), make([]string, n), make([]string, n), make([][]byte, n), make([][]byte, n)
	for i, r := range recs {
		if cur := stored[r.Key()]; cur != nil {
			r = join(cur, r)
		}
		hashes[i] = s.seal.idHash(r)
		sealed, err := s.seal.sealRecord(r)
		if err != nil {
			return err
		}
		b, err := schema.Marshal(sealed)
		if err != nil {
			return fmt.Errorf("encode record %s %s: %w", r.Kind, r.ID, err)
		}
		kinds[i], ids[i], units[i], vals[i] = string(r.Kind), r.ID, string(r.Unit), b
	}
	w.Queue(`INSERT INTO laoxiao_records (kind, id, unit, value, id_hash)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bytea[])
		ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value, id_hash = excluded.id_hash`, kinds, ids, units, vals, hashes)
	return nil
}

// queueLog numbers the group's log entries after head, writing the
// numbers back into log, and queues their write.
func (s *Store) queueLog(w *pgx.Batch, log []store.LogEntry, head int64) error {
	n := len(log)
	if n == 0 {
		return nil
	}
	seqs, devs, scopes, kinds, entries := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([][]byte, n)
	for i := range log {
		e := &log[i]
		e.Seq = uint64(head) + uint64(i) + 1
		sealed, err := s.seal.sealEntry(e)
		if err != nil {
			return err
		}
		b, err := schema.Marshal(sealed)
		if err != nil {
			return fmt.Errorf("encode log entry %d: %w", e.Seq, err)
		}
		seqs[i], devs[i], scopes[i], kinds[i], entries[i] = int64(e.Seq), e.Change.Device, string(indexCode(e.Change.Unit)), string(e.Change.Kind), b
	}
	w.Queue(`INSERT INTO laoxiao_log (seq, device, scope, kind, entry)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[])`, seqs, devs, scopes, kinds, entries)
	return nil
}

// encodedMarks are marks as the marks table's columns.
type encodedMarks struct {
	ids  []string
	hws  []int64
	vals [][]byte
}

func encodeMarks(marks map[string]store.Mark) (*encodedMarks, error) {
	if len(marks) == 0 {
		return nil, nil
	}
	out := &encodedMarks{}
	for id, m := range marks {
		b, err := schema.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode mark of %s: %w", id, err)
		}
		out.ids, out.hws, out.vals = append(out.ids, id), append(out.hws, int64(m.HighWater)), append(out.vals, b)
	}
	return out, nil
}

// encodedRefusals are refusals as the refused table's columns.
type encodedRefusals struct {
	ids  []string
	seqs []int64
	vals [][]byte
}

func encodeRefused(refused map[string][]schema.Rejection) (*encodedRefusals, error) {
	out := &encodedRefusals{}
	for id, rs := range refused {
		for _, r := range rs {
			b, err := schema.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("encode refusal of %s %d: %w", id, r.Seq, err)
			}
			out.ids, out.seqs, out.vals = append(out.ids, id), append(out.seqs, int64(r.Seq)), append(out.vals, b)
		}
	}
	if len(out.ids) == 0 {
		return nil, nil
	}
	return out, nil
}
