package bench

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/agent"
	"laoxiao/schema"
)

// outboxChange is a queued change as the raw writes store it.
type outboxChange struct {
	unit    schema.Code
	kind    schema.Kind
	id      string
	encoded []byte // as the outbox keeps it and the client sends it
}

// readOutbox returns every queued change, encoded as it is stored and
// sent, in seq order.
func readOutbox(st *agent.Store) ([]outboxChange, error) {
	var out []outboxChange
	var after uint64
	for {
		chs, err := st.Outbox(after, 1000)
		if err != nil {
			return nil, err
		}
		if len(chs) == 0 {
			return out, nil
		}
		for i := range chs {
			b, err := schema.Marshal(&chs[i])
			if err != nil {
				return nil, err
			}
			out = append(out, outboxChange{unit: chs[i].Unit, kind: chs[i].Kind, id: chs[i].ID, encoded: b})
		}
		after = chs[len(chs)-1].Seq
	}
}

// rawRounds is how often writeRawPair writes each form. One write of
// 100,000 changes takes a few tenths of a second, so a single one moves
// with whatever else the machine does in them.
const rawRounds = 3

// writeRawPair writes the changes with putLog and with putLogAndRecord,
// in turns, each rawRounds times to a fresh Badger under dir, and returns
// the median time of each.
func writeRawPair(dir string, chs []outboxChange) (raw, logAndRecord time.Duration, err error) {
	var raws, pairs []time.Duration
	for r := range rawRounds {
		d, err := writeRaw(filepath.Join(dir, fmt.Sprintf("log-%d", r)), chs, putLog)
		if err != nil {
			return 0, 0, err
		}
		raws = append(raws, d)
		if d, err = writeRaw(filepath.Join(dir, fmt.Sprintf("record-%d", r)), chs, putLogAndRecord); err != nil {
			return 0, 0, err
		}
		pairs = append(pairs, d)
	}
	return median(raws), median(pairs), nil
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// rawBatch is the changes per durable flush in the raw writes: the sync
// client's batch size, so every side makes the same number of changes
// durable at once.
const rawBatch = 500

// setter is a WriteBatch's Set.
type setter func(key, val []byte) error

// writeRaw writes the changes to a fresh Badger with synced writes, one
// WriteBatch per rawBatch changes, storing for each what put sets, and
// returns the time taken.
func writeRaw(dir string, chs []outboxChange, put func(seq uint64, ch *outboxChange, set setter) error) (time.Duration, error) {
	db, err := badger.Open(badger.DefaultOptions(dir).WithSyncWrites(true).WithLogger(nil).WithMetricsEnabled(false))
	if err != nil {
		return 0, fmt.Errorf("open raw badger: %w", err)
	}
	defer db.Close()
	start := time.Now()
	for i := 0; i < len(chs); i += rawBatch {
		wb := db.NewWriteBatch()
		for j := i; j < min(i+rawBatch, len(chs)); j++ {
			if err := put(uint64(j+1), &chs[j], wb.Set); err != nil {
				wb.Cancel()
				return 0, fmt.Errorf("raw write: %w", err)
			}
		}
		if err := wb.Flush(); err != nil {
			return 0, fmt.Errorf("raw flush: %w", err)
		}
	}
	return time.Since(start), nil
}

// putLog stores a change once, under its sequence: the raw figure, the
// floor no sync can beat.
func putLog(seq uint64, ch *outboxChange, set setter) error {
	k := make([]byte, 10)
	copy(k, "l/")
	binary.BigEndian.PutUint64(k[2:], seq)
	return set(k, ch.encoded)
}

// putLogAndRecord stores a change twice: as a log entry and as the
// record it creates, under a key of the server store's record layout. It
// is the least any server keeping DESIGN.md's store can write for a new
// record (apply a batch with its log entries; read current records by
// unit prefix), with nothing decoded, checked or sent. The record's
// value is the change's bytes, about the size of the record it makes.
func putLogAndRecord(seq uint64, ch *outboxChange, set setter) error {
	if err := putLog(seq, ch, set); err != nil {
		return err
	}
	return set([]byte("r/"+string(ch.unit)+"/"+string(ch.kind)+"/"+ch.id), ch.encoded)
}
