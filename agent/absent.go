package agent

import (
	"bytes"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// absentRecords says, for each of a downloaded page's entries, whether
// the store certainly has no record for it yet, so applying it needs no
// lookup. A lookup that finds nothing searched every memtable and level
// of the store: on a first download, where almost every record is new,
// it was the largest part of applying a page. Ids are mostly made in
// time order (UUIDv7) and a page brings them in log order, so a page's
// ids of one kind lie in a narrow range of the index, most often past
// everything stored; one walk of that range finds what is there.
//
// It must run before the page writes anything in txn. An entry is not
// absent when its record is in the range walked, when an entry before it
// in the page has its id (that one makes the record), when the page has
// too few of its kind to be worth a walk (absentWalkMin), or when its
// kind's range held too many other records to walk (absentWalkMax);
// those are looked up as before.
func absentRecords(txn *badger.Txn, entries []schema.LogEntry) []bool {
	type bounds struct {
		lo, hi string
		n      int
	}
	kinds := map[schema.Kind]*bounds{}
	for i := range entries {
		ch := &entries[i].Change
		if ch.ID == "" {
			continue
		}
		if b := kinds[ch.Kind]; b != nil {
			b.lo, b.hi, b.n = min(b.lo, ch.ID), max(b.hi, ch.ID), b.n+1
		} else {
			kinds[ch.Kind] = &bounds{lo: ch.ID, hi: ch.ID, n: 1}
		}
	}
	type kindID struct {
		kind schema.Kind
		id   string
	}
	present := make(map[kindID]bool, len(entries))
	walked := map[schema.Kind]bool{}
	for kind, b := range kinds {
		if b.n < absentWalkMin {
			continue
		}
		walked[kind] = walkIndex(txn, kind, b.lo, b.hi, absentWalkMax(b.n), func(id []byte) {
			present[kindID{kind, string(id)}] = true
		})
	}
	absent := make([]bool, len(entries))
	for i := range entries {
		ch := &entries[i].Change
		k := kindID{ch.Kind, ch.ID}
		if ch.ID != "" && walked[ch.Kind] && !present[k] {
			absent[i] = true
			present[k] = true // a later entry of the page finds it made
		}
	}
	return absent
}

// absentWalkMin is the fewest entries of a kind a page must have for
// absentRecords to walk the index for them: an iterator opens every
// table of the store, where a lookup skips most by their bloom filters,
// so a few lookups (a busy device's small pages) cost less.
const absentWalkMin = 16

// absentWalkMax bounds the index entries absentRecords steps over for a
// kind of which a page has n entries: a range that holds many more
// records than the page brings is cheaper to look up entry by entry.
func absentWalkMax(n int) int { return 2*n + 16 }

// walkIndex calls fn with the id of every record of kind in the index
// whose id lies in [lo, hi], and says whether it saw them all: false
// when there were more than most.
func walkIndex(txn *badger.Txn, kind schema.Kind, lo, hi string, most int, fn func(id []byte)) bool {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = indexPrefix(kind, "")
	it := txn.NewIterator(opts)
	defer it.Close()
	last := indexKey(kind, hi)
	seen := 0
	for it.Seek(indexKey(kind, lo)); it.Valid(); it.Next() {
		k := it.Item().Key()
		if bytes.Compare(k, last) > 0 {
			return true
		}
		if seen++; seen > most {
			return false
		}
		fn(k[len(opts.Prefix):])
	}
	return true
}
