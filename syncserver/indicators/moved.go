package indicators

import (
	"context"
	"fmt"

	"laoxiao/schema"
)

// Persons moved between townships (schema/moved.go). The old record is
// deleted with a pointer to the new one, and the visits made before the
// move stay records of the old unit, naming the old id. A county scan
// holds both townships (a move stays within its county), so the pointer
// is all it needs. A scan of less than a county holds only the new
// record: it also reads the old units of the persons moved into it, for
// their visits and the old records' pointers, so a township's figure is
// the one the county's breakdown shows for it.

// movedPointers notes a deleted person's pointer to where it was moved,
// and the unit it was itself moved from, if any.
func (s *scanState) movedPointers(v *schema.RecordView) {
	for it := v.Fields(); it.Next(); {
		switch string(it.Name) {
		case "moved_to":
			if to := schema.FieldText(it.Value); len(to) > 0 {
				s.merged[string(v.ID)] = string(to)
			}
		case "moved_from_unit":
			s.noteMovedFrom(schema.FieldText(it.Value))
		}
	}
}

// noteMovedFrom queues a unit a person in the scan was moved from when it
// lies outside the scope.
func (s *scanState) noteMovedFrom(unit []byte) {
	if len(unit) > 0 && !within(unit, s.scope) {
		s.movedFrom = append(s.movedFrom, schema.Code(string(unit)))
	}
}

// addMovedIn takes one record of an old unit's scan: its visits, and the
// pointers of its deleted persons; nothing else of it is the scope's.
func (s *scanState) addMovedIn(v *schema.RecordView) error {
	s.scanned++
	switch {
	case string(v.Kind) == string(schema.KindPerson) && v.Deleted:
		s.movedPointers(v)
	case string(v.Kind) == string(schema.KindVisit) && !v.Deleted:
		s.visit(v)
	}
	return nil
}

// scanMovedIn reads the old units of the persons moved into the scan,
// following a chain of moves unit by unit, each unit once.
func (e *Engine) scanMovedIn(ctx context.Context, s *scanState) error {
	done := map[schema.Code]bool{}
	for len(s.movedFrom) > 0 {
		unit := s.movedFrom[0]
		s.movedFrom = s.movedFrom[1:]
		if done[unit] {
			continue
		}
		done[unit] = true
		s.movedIn = append(s.movedIn, unit)
		if err := e.scan(ctx, unit, s.addMovedIn); err != nil {
			return fmt.Errorf("scan %s, moved from: %w", unit, err)
		}
	}
	return nil
}
