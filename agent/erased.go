package agent

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// When the county's retention period erases a person (the server's change
// sets erased_on and blanks the identity), the laptop must forget the
// identity too. The record itself is merged like any other change; what
// would still hold the name and ID number are the acked changes kept for
// a server restore (kept.go). forgetIdentities strips the identifying
// fields from those, keeping the rest of each change, so a refill after a
// restore still re-offers everything else and never re-sends an identity
// the county erased.

// erasesIdentity reports whether ch is a person's erasure.
func erasesIdentity(ch *schema.Change) bool {
	if ch.Kind != schema.KindPerson {
		return false
	}
	raw, ok := ch.Set["erased_on"]
	if !ok {
		return false
	}
	var on string
	return schema.UnmarshalStored(raw, &on) == nil && on != ""
}

// forgetIdentities strips the identifying fields of the persons in ids
// from every kept change of theirs: one walk over the kept changes for a
// whole downloaded page, however many erasures it carries.
func forgetIdentities(txn *badger.Txn, ids map[string]bool) error {
	if len(ids) == 0 {
		return nil
	}
	type rewrite struct {
		seq uint64
		v   []byte
	}
	var todo []rewrite
	err := scanSeq(txn, prefixKept, 0, func(seq uint64, v []byte) (bool, error) {
		_, raw, err := keptChange(v)
		if err != nil {
			return false, err
		}
		var ch schema.Change
		if err := schema.UnmarshalStored(raw, &ch); err != nil {
			return false, fmt.Errorf("kept change %d: %w", seq, err)
		}
		if ch.Kind != schema.KindPerson || !ids[ch.ID] || !stripIdentity(&ch) {
			return true, nil
		}
		b, err := schema.Marshal(&ch)
		if err != nil {
			return false, fmt.Errorf("kept change %d: %w", seq, err)
		}
		todo = append(todo, rewrite{seq, append(v[:8:8], b...)})
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("forget erased identities: %w", err)
	}
	for _, r := range todo {
		if err := txn.Set(keptKey(r.seq), r.v); err != nil {
			return fmt.Errorf("forget erased identities: %w", err)
		}
	}
	return nil
}

// stripIdentity blanks the identifying fields ch sets; it reports whether
// there were any.
func stripIdentity(ch *schema.Change) bool {
	blank, err := schema.Marshal("")
	if err != nil {
		return false
	}
	stripped := false
	for _, f := range schema.IdentityFields {
		if _, ok := ch.Set[f]; ok {
			ch.Set[f] = blank
			stripped = true
		}
	}
	return stripped
}
