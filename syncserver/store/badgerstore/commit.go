package badgerstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

var _ store.Pipelined = (*DB)(nil)

// Commit writes the group in one transaction. A group over Badger's
// transaction size fails with store.ErrTooBig, having written nothing.
func (s *DB) Commit(ctx context.Context, g *store.Group) error {
	txn, err := s.groupTxn(ctx, g)
	if err != nil {
		return err
	}
	defer txn.Discard()
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("commit %d records, %d log entries: %w", len(g.Records), len(g.Log), err)
	}
	return nil
}

// CommitAsync is Commit whose fsync the caller need not wait for now
// (store.Pipelined). Badger's write goroutine writes and syncs the
// transactions in the order they were handed to it.
func (s *DB) CommitAsync(ctx context.Context, g *store.Group) (func() error, error) {
	txn, err := s.groupTxn(ctx, g)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	txn.CommitWith(func(err error) { done <- err })
	return func() error {
		if err := <-done; err != nil {
			return fmt.Errorf("commit %d records, %d log entries: %w", len(g.Records), len(g.Log), err)
		}
		return nil
	}, nil
}

// groupTxn returns a write transaction holding the whole group, not yet
// committed. A group over Badger's transaction size fails with
// store.ErrTooBig.
func (s *DB) groupTxn(ctx context.Context, g *store.Group) (*badger.Txn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	txn := s.db.NewTransaction(true)
	if err := writeGroup(txn, g); err != nil {
		txn.Discard()
		if errors.Is(err, badger.ErrTxnTooBig) {
			return nil, fmt.Errorf("%w: %v", store.ErrTooBig, err)
		}
		return nil, err
	}
	return txn, nil
}

func writeGroup(txn *badger.Txn, g *store.Group) error {
	for _, r := range g.Records {
		b, err := schema.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode record %s %s: %w", r.Kind, r.ID, err)
		}
		if err := txn.Set(recordKey(r.Unit, r.Kind, r.ID), b); err != nil {
			return fmt.Errorf("write record: %w", err)
		}
		if err := txn.Set(indexKey(r.Kind, r.ID), []byte(r.Unit)); err != nil {
			return fmt.Errorf("write record index: %w", err)
		}
	}
	var head uint64
	for i := range g.Log {
		e := &g.Log[i]
		// Directly: through schema.Marshal the reflective encoder would walk
		// every entry's bytes again to check what MarshalCBOR returned.
		b, err := e.MarshalCBOR()
		if err != nil {
			return fmt.Errorf("encode log entry %d: %w", e.Seq, err)
		}
		if err := txn.Set(logKey(e.Seq), b); err != nil {
			return fmt.Errorf("write log: %w", err)
		}
		// The index entry names the change's device, so a download can
		// skip a device's own changes without reading them.
		if err := txn.Set(scopeKey(indexCode(e.Change.Unit), e.Seq), []byte(e.Change.Device)); err != nil {
			return fmt.Errorf("write log index: %w", err)
		}
		head = e.Seq
	}
	if head > 0 {
		var hb [8]byte
		binary.BigEndian.PutUint64(hb[:], head)
		if err := txn.Set([]byte(kHead), hb[:]); err != nil {
			return fmt.Errorf("write log head: %w", err)
		}
	}
	for id, m := range g.Marks {
		if err := setCBOR(txn, []byte(pMark+id), m); err != nil {
			return fmt.Errorf("write mark of %s: %w", id, err)
		}
	}
	for id, rs := range g.Refused {
		for _, r := range rs {
			if err := setCBOR(txn, refusedKey(id, r.Seq), r); err != nil {
				return fmt.Errorf("write refusal of %s %d: %w", id, r.Seq, err)
			}
		}
	}
	return nil
}
