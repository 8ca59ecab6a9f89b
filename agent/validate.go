package agent

import "laoxiao/schema"

// validate runs the schema's rules on a local change before it is written,
// within the device's scope, so the user hears about a mistake while the
// form is still open rather than days later when the server refuses it.
// "Today" is the corrected clock's: a laptop set days ahead must not accept
// visits dated in what is really the future.
func (s *Store) validate(cur *schema.Record, ch *schema.Change, scope schema.Code) schema.Problems {
	ctx := schema.ValidationContext{Divisions: s.divs, Scope: scope, Now: s.clock.Physical()}
	return schema.ValidateChange(cur, ch, ctx)
}
