package agent

import (
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// txnBudget is what is left of Badger's limit on one transaction, counted
// as Badger counts it (Txn.checkSize with Entry.estimateSizeAndSetThreshold
// in badger v4): every Set or Delete takes one of db.MaxBatchCount()
// entries and, of db.MaxBatchSize() bytes, its key, its value when that is
// below the value threshold (a 12-byte value pointer otherwise), 2 bytes
// of meta and 10 of version. Both limits are 15% of the memtable
// (Options.MemTableSize), so a desktop store holds a quarter of what an
// agent's holds, and changes below the threshold count whole.
//
// Writers of many entries in one transaction (Release with its pruning,
// Refill's requeue and renumbering) end a chunk when the next item would
// not fit, rather than after a fixed count of items or on Badger's
// ErrTxnTooBig: an item is a pair of writes (an outbox entry deleted and
// kept; a kept one queued and deleted), and a refusal of the second would
// leave the first in the transaction, half an item. The budget also keeps
// room for the few meta writes that close a chunk (metaReserve).
//
// Trap: the count mirrors Badger's only while the value threshold is
// fixed; Badger's dynamic threshold (VLogPercentile) is not used.
type txnBudget struct {
	size, count int64 // left of Badger's limits
	threshold   int64 // values this long or longer are stored as pointers
}

// metaReserve is what a chunk keeps back for the meta entries written
// after its items (marks, counters, a Refill record: a dozen short keys
// and values at most).
const (
	metaReserveCount = 16
	metaReserveSize  = 4 << 10
)

// errItemTooBig says one item does not fit even an empty transaction; a
// chunked writer returns it rather than commit nothing and loop.
var errItemTooBig = errors.New("one entry does not fit a transaction")

// budget returns the room of a fresh transaction of s, less metaReserve.
func (s *Store) budget() txnBudget {
	return fullBudget(s.db, s.valueThreshold).less(metaReserveSize, metaReserveCount)
}

// fullBudget is the room of a fresh transaction of db with the given value
// threshold: Badger's limits less the entry it counts for the commit
// marker (newTransaction starts a transaction at one entry and at the
// length of "!badger!txn" plus 10 bytes).
func fullBudget(db *badger.DB, threshold int64) txnBudget {
	const txnMarker = int64(len("!badger!txn") + 10)
	return txnBudget{size: db.MaxBatchSize() - txnMarker, count: db.MaxBatchCount() - 1, threshold: threshold}
}

func (b txnBudget) less(size, count int64) txnBudget {
	b.size -= size
	b.count -= count
	return b
}

// write is the length of one Set's key and value; a Delete is a write
// with value 0.
type write struct{ key, value int }

// anyValue is the value length of a write not encoded yet: it counts as
// the longest that Badger stores inline, the most any value can cost.
const anyValue = -1

// take subtracts the cost of ws from b if they all fit, and reports
// whether they did; b is unchanged when they do not. Badger refuses the
// write that brings its total to its limit, so a budget is never taken to
// exactly nothing.
func (b *txnBudget) take(ws ...write) bool {
	var size int64
	for _, w := range ws {
		v := int64(w.value)
		switch {
		case v == anyValue:
			v = b.threshold - 1
		case v >= b.threshold:
			v = 12
		}
		size += int64(w.key) + v + 2 + 10
	}
	n := int64(len(ws))
	if n >= b.count || size >= b.size {
		return false
	}
	b.count -= n
	b.size -= size
	return true
}
