package schema

import (
	"reflect"
	"slices"
)

// Merging duplicates (合并重复记录). When the same person or facility was
// registered twice (two laptops offline, a move, a village and its
// township both entering a 幸福院), an office keeps one record, the
// survivor, and merges the other, the duplicate, into it. The merge is
// itself an ordinary change on the duplicate: it sets merged_into to the
// survivor's id, with who merged it, when and why. So it syncs like any
// edit, merges per field like any edit (two offices merging the same
// duplicate converge on the later merge), sits in the audit trail, and
// an unmerge is one more edit setting merged_into back to "".
//
// A duplicate is not deleted: a record whose merged_into is set is a
// tombstone that points somewhere. Lists leave it out, detection ignores
// it, and everything that refers to it (visits by Visit.Person, capacity
// reports by Capacity.Facility) is resolved through Redirects to the
// survivor, in the one place each side resolves references (the server's
// indicator engine and the desktop's snapshot). Because the visits and
// reports themselves are never rewritten, an unmerge restores exactly
// what was there before.

// MergeFields are the fields of the merge pointer, in the order they are
// shown. Offices write them; a site's upload may not change them.
var MergeFields = []string{"merged_into", "merged_by", "merged_at", "merge_reason", "merge_filled"}

// IsMergeField reports whether name is one of MergeFields.
func IsMergeField(name string) bool { return slices.Contains(MergeFields, name) }

// Mergeable reports whether records of kind k can be merged: persons and
// facilities, the registers everything else points to.
func (k Kind) Mergeable() bool { return k == KindPerson || k == KindFacility }

// MergedInto returns the survivor a person or facility record was merged
// into, or "" when it was not (or is of another kind, or is deleted).
func MergedInto(r *Record) string {
	if r == nil || !r.Kind.Mergeable() || r.IsDeleted() {
		return ""
	}
	return fieldString(r.Fields, "merged_into")
}

// fieldString decodes a text field, "" when absent or not text.
func fieldString(f Fields, name string) string {
	raw, ok := f[name]
	if !ok {
		return ""
	}
	var s string
	if UnmarshalStored(raw, &s) != nil {
		return ""
	}
	return s
}

// Redirects maps a merged duplicate's id to the survivor it was merged
// into. The zero value is ready to use.
type Redirects map[string]string

// Add notes r's merge pointer, or the move pointer of a moved person
// (moved.go), if it has one, and reports whether it did.
func (rd Redirects) Add(r *Record) bool {
	to := MergedInto(r)
	if to == "" {
		to = MovedTo(r)
	}
	if to != "" && to != r.ID {
		rd[r.ID] = to
		return true
	}
	return false
}

// Resolve returns the record id refers to once merges are followed: the
// survivor of a chain of merges (A into B, B into C resolves A to C), or
// id itself when it was not merged. A cycle, which two offices merging
// two records into each other at once can make, resolves to the smallest
// id of the cycle, so every machine picks the same record and nothing
// loops.
func (rd Redirects) Resolve(id string) string {
	if len(rd) == 0 {
		return id
	}
	seen := map[string]bool{}
	cur := id
	for {
		next, ok := rd[cur]
		if !ok {
			return cur
		}
		if seen[cur] {
			return smallestInCycle(rd, cur)
		}
		seen[cur] = true
		cur = next
	}
}

func smallestInCycle(rd Redirects, start string) string {
	least := start
	for cur := rd[start]; cur != start; cur = rd[cur] {
		least = min(least, cur)
	}
	return least
}

// Merged reports whether id was merged into another record (including a
// member of a cycle that does not resolve to itself).
func (rd Redirects) Merged(id string) bool { return rd.Resolve(id) != id }

// MergeFill returns the fields a merge copies from the duplicate onto the
// survivor: those the duplicate holds a non-empty value in while the
// survivor's is missing or empty, so a phone note or an ID number only the
// second registration had is not lost. Fields named in keep (the office
// chose the survivor's empty value) and the merge and move pointers are
// left out. Both records must be of kind k.
func MergeFill(k Kind, survivor, duplicate Fields, keep []string) Fields {
	out := Fields{}
	types := recordFields[k]
	for name, raw := range duplicate {
		t, known := types[name]
		if !known || IsOfficeField(name) || slices.Contains(keep, name) {
			continue
		}
		if emptyValue(raw, t) {
			continue
		}
		if cur, has := survivor[name]; has && !emptyValue(cur, t) {
			continue
		}
		out[name] = raw
	}
	return out
}

// emptyValue reports whether raw decodes to the zero value of t (an empty
// list counts as empty, whether encoded as [] or null).
func emptyValue(raw []byte, t reflect.Type) bool {
	pv := reflect.New(t)
	if UnmarshalStored(raw, pv.Interface()) != nil {
		return false
	}
	v := pv.Elem()
	if v.Kind() == reflect.Slice {
		return v.Len() == 0
	}
	return v.IsZero()
}

// ResolveLatest moves the entry of every merged duplicate in m (keyed by
// record id: a facility's latest capacity report, say) to the id its
// merges resolve to. The survivor keeps its own entry unless the
// duplicate's is later by later(dup, have): on a tie the survivor's own
// wins, since the office chose it. Duplicates are taken in id order, so
// the result does not depend on map order.
func ResolveLatest[T any](rd Redirects, m map[string]T, later func(dup, have T) bool) {
	if len(rd) == 0 {
		return
	}
	var ids []string
	for id := range m {
		if rd.Merged(id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		v := m[id]
		delete(m, id)
		to := rd.Resolve(id)
		if have, ok := m[to]; !ok || later(v, have) {
			m[to] = v
		}
	}
}
