package ingest

import (
	"context"

	"laoxiao/schema"
)

// Moved persons at ingest (schema/moved.go has the model). A device of
// the old township that edits the person offline, before it hears of the
// move, sends an edit of a record the county has deleted. As with a
// merge, the change is applied as sent (so the device converges on the
// server's state) and its fields are written by the server to the new
// record. Two things differ from a merge:
//
//   - An edit stamped after the move's delete brings the old record back
//     (a later write beats a delete). The server deletes it again at once,
//     stamped after the edit, so the old township keeps losing the person
//     instead of counting them twice.
//   - The new record's fields were all written at the move, so an edit the
//     device made before the move would lose to them. A field the new
//     record still holds as the move wrote it takes the edit with a fresh
//     server stamp; one the new township has changed since keeps the
//     ordinary rule (last writer wins by stamp).
//
// Visits are not redirected: they name the old id, which readers resolve.

// followMove lands a device's edit of a moved person on the new record and
// keeps the old one deleted.
func (in *Ingester) followMove(ctx context.Context, p *pass, acct Account, ch *schema.Change, old *schema.Record, vctx schema.ValidationContext) {
	to := schema.MovedTo(old)
	if acct.Device == ServerDevice || ch.Delete || to == "" {
		return
	}
	if !old.IsDeleted() {
		del := &schema.Change{Kind: old.Kind, ID: old.ID, Unit: old.Unit, Delete: true, Stamp: in.clock.Now()}
		if err := in.addServerChange(ctx, p, old, del, nil); err != nil {
			in.log.Error("delete a moved person again", "id", old.ID, "err", err)
		}
	}
	moved, err := in.current(ctx, p, schema.KindPerson, to)
	if err != nil || moved == nil || moved.IsDeleted() {
		in.log.Info("edit of a moved person kept on the old record: new record unreadable or gone", "id", ch.ID, "moved_to", to, "err", err)
		return
	}
	set := movedEdit(ch, old, moved)
	if len(set) == 0 {
		return
	}
	stamp := ch.Stamp
	if since := moved.Versions["moved_from"]; ch.Stamp < since.Stamp {
		stamp = in.clock.Now() // the edit predates the move; fields the move copied take it
	}
	fc := &schema.Change{Kind: moved.Kind, ID: moved.ID, Unit: moved.Unit, Set: set, Stamp: stamp}
	vctx.Scope = ""
	if err := in.addServerChange(ctx, p, moved, fc, &vctx); err != nil {
		in.logKept("edit of a moved person kept on the old record", err, "id", ch.ID, "moved_to", to)
		return
	}
	in.log.Info("edit of a moved person redirected to the new record", "old", ch.ID, "new", to, "device", acct.Device, "seq", ch.Seq)
}

// followMoves returns the record id names as the group has left it, or,
// when that is a moved person's deleted record, the record it was moved
// to (through a chain of moves): a survivor the county has since moved
// lives on in the new township.
func (in *Ingester) followMoves(ctx context.Context, p *pass, kind schema.Kind, id string) (*schema.Record, error) {
	r, err := in.current(ctx, p, kind, id)
	for hops := 0; err == nil && r != nil && r.IsDeleted() && schema.MovedTo(r) != "" && hops < maxMergeHops; hops++ {
		r, err = in.current(ctx, p, kind, schema.MovedTo(r))
	}
	return r, err
}

// movedEdit returns the fields of ch to write to the moved record: those
// the edit won on the old record, not office fields, and, when the edit
// predates the move, only those the new record still holds as the move
// copied them (written with the move's own version).
func movedEdit(ch *schema.Change, old, moved *schema.Record) schema.Fields {
	since := moved.Versions["moved_from"]
	set := schema.Fields{}
	for name, raw := range ch.Set {
		if schema.IsOfficeField(name) || old.Versions[name] != ch.Version() {
			continue
		}
		if ch.Stamp < since.Stamp && moved.Versions[name] != since {
			continue // changed in the new township since the move: theirs is newer
		}
		set[name] = raw
	}
	return set
}
