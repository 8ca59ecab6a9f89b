package schema

import "slices"

// Moving a person (迁移). A person who moves from one township to another
// of the same county is the same person: the county office moves the
// record rather than letting the new township register them anew. A
// record's unit never changes (stores key records by unit), so a move is
// a delete in the old unit and a create in the new one, linked both ways:
//
//   - the new record, with a new id, carries the person's fields and
//     moved_from (the old id and unit);
//   - the old record gets moved_to (the new id and unit) and is then
//     deleted, so the old township's devices lose it the way they lose
//     any deleted record.
//
// The forward pointer is a redirect like a merge's (Redirects): visits
// made before the move, and visits a device of the old township makes
// offline after it, keep naming the old id and count for the new record.
// Unlike merged_into it is read on a deleted record too: a moved record
// is deleted by design, while a merged one stays as a tombstone that is
// shown. Offices write these fields; a site's upload may not.

// MoveFields are the fields of the two move pointers.
var MoveFields = []string{"moved_to", "moved_to_unit", "moved_from", "moved_from_unit", "moved_by", "moved_at", "move_reason"}

// IsMoveField reports whether name is one of MoveFields.
func IsMoveField(name string) bool { return slices.Contains(MoveFields, name) }

// IsOfficeField reports whether name is a merge or move field: fields only
// an office writes, never copied from one record to another.
func IsOfficeField(name string) bool { return IsMergeField(name) || IsMoveField(name) }

// MovedTo returns the id of the record a person was moved to, or "" when
// it was not moved. It is read on a deleted record too: a moved record
// is one.
func MovedTo(r *Record) string {
	if r == nil || r.Kind != KindPerson {
		return ""
	}
	return fieldString(r.Fields, "moved_to")
}

// MovedUnit returns the unit a moved person's record was moved to.
func MovedUnit(r *Record) Code {
	if MovedTo(r) == "" {
		return ""
	}
	return Code(fieldString(r.Fields, "moved_to_unit"))
}
