package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Merged duplicates at ingest (schema/merged.go has the model). Two rules:
//
//   - The merge pointer is an office's: a site's change may not set it to
//     anything the record does not already hold, or a laptop could merge
//     or unmerge records on its own.
//   - An edit a device made to a duplicate (usually offline, before it
//     learned of the merge) lands on the survivor too. The change is
//     applied to the duplicate as sent, so every device still converges
//     on the server's state, and the server then writes the same fields,
//     with the device's stamp, to the survivor as its own change. Doing
//     it here rather than on the device means one place, old app
//     versions included, and a device that has not downloaded the merge
//     yet cannot get it wrong; keeping the device's stamp means the edit
//     wins or loses against the survivor's own edits exactly as it would
//     have had it been made there.
//
// Visits and capacity reports are not redirected: they refer to the
// duplicate by id, and every reader resolves the id (schema.Redirects),
// so an unmerge gives them back unchanged.

// officeFields are the fields a site may not change: the merge pointer
// and the move pointers (schema/moved.go).
var officeFields = append(slices.Clone(schema.MergeFields), schema.MoveFields...)

// mergeFieldRefusal refuses a site's change that alters the merge pointer
// or a move pointer.
func mergeFieldRefusal(acct Account, cur *schema.Record, ch *schema.Change) *schema.Rejection {
	if byOffice(acct) || !ch.Kind.Mergeable() {
		return nil
	}
	for _, name := range officeFields {
		raw, set := ch.Set[name]
		if !set {
			continue
		}
		var old []byte
		if cur != nil {
			old = cur.Fields[name]
		}
		if bytes.Equal(raw, old) || (old == nil && emptyText(raw)) {
			continue
		}
		en, zh := schema.FieldLabel(ch.Kind, name)
		what, whatZh := "merges", "合并重复记录"
		if schema.IsMoveField(name) {
			what, whatZh = "moves between townships", "服务对象迁移"
		}
		return &schema.Rejection{Seq: ch.Seq, Code: schema.RejectReadOnly,
			Reason:   fmt.Sprintf("%s: %s are made by the district office, not at sites", en, what),
			ReasonZh: fmt.Sprintf("%s：%s由区县民政部门操作，乡镇不能修改", zh, whatZh)}
	}
	return nil
}

// emptyText reports whether raw is an empty text or list.
func emptyText(raw []byte) bool {
	var v any
	if schema.UnmarshalStored(raw, &v) != nil {
		return false
	}
	switch x := v.(type) {
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case nil:
		return true
	}
	return false
}

// maxMergeHops bounds how far followMerge follows a chain of merges.
const maxMergeHops = 8

// followMerge writes the fields a device's change set on a merged
// duplicate to the survivor, as the server's own change in the same
// group. A survivor that is gone, or that the fields do not fit (they
// would fail validation there), leaves the edit on the duplicate alone,
// where an unmerge would find it.
func (in *Ingester) followMerge(ctx context.Context, p *pass, acct Account, ch *schema.Change, dup *schema.Record, vctx schema.ValidationContext) {
	if acct.Device == ServerDevice || ch.Delete || !ch.Kind.Mergeable() || schema.MovedTo(dup) != "" {
		return // a moved record's edits follow the move (followMove)
	}
	if schema.MergedInto(dup) == "" {
		// Almost every record: nothing to follow, and no copy of the
		// change's fields to make on the upload's path.
		return
	}
	set := schema.Fields{}
	for name, raw := range ch.Set {
		if !schema.IsOfficeField(name) {
			set[name] = raw
		}
	}
	if len(set) == 0 {
		return
	}
	surv := dup
	for hops := 0; hops < maxMergeHops; hops++ {
		to := schema.MergedInto(surv)
		if to == "" {
			break
		}
		next, err := in.followMoves(ctx, p, ch.Kind, to)
		if err != nil || next == nil || next.IsDeleted() {
			in.log.Info("edit of a merged record kept on it: survivor unreadable or gone", "kind", ch.Kind, "id", ch.ID, "survivor", to, "err", err)
			return
		}
		surv = next
	}
	if surv == dup || schema.MergedInto(surv) != "" {
		return
	}
	fc := &schema.Change{Kind: ch.Kind, ID: surv.ID, Unit: surv.Unit, Set: set, Stamp: ch.Stamp}
	vctx.Scope = ""
	if err := in.addServerChange(ctx, p, surv, fc, &vctx); err != nil {
		in.logKept("edit of a merged record kept on it", err, "kind", ch.Kind, "id", ch.ID, "survivor", surv.ID)
		return
	}
	in.log.Info("edit of a merged record redirected to its survivor", "kind", ch.Kind, "duplicate", ch.ID, "survivor", surv.ID, "device", acct.Device, "seq", ch.Seq)
}

// errDoesNotFit: a change the server would write for a device's does not
// pass validation on its record.
var errDoesNotFit = errors.New("does not fit the record")

// logKept says why a device's edit stayed on the record it named: at info
// level when it does not fit where it would go (a normal outcome), as an
// error when the server failed.
func (in *Ingester) logKept(msg string, err error, args ...any) {
	args = append(args, "err", err)
	if errors.Is(err, errDoesNotFit) {
		in.log.Info(msg, args...)
		return
	}
	in.log.Error(msg, args...)
}

// addServerChange numbers fc (stamped by the caller) in the server's own
// sequence and merges it into rec within the group, as a change the
// server wrote in the same commit as the device's that called for it.
// With vctx it is validated first: a change that does not fit is left out
// (errDoesNotFit).
func (in *Ingester) addServerChange(ctx context.Context, p *pass, rec *schema.Record, fc *schema.Change, vctx *schema.ValidationContext) error {
	mark, err := in.serverMark(ctx, p)
	if err != nil {
		return fmt.Errorf("read the server's mark: %w", err)
	}
	fc.Device, fc.Seq = ServerDevice, mark.HighWater+1
	var merged *schema.Record
	var changed bool
	if vctx != nil {
		var probs schema.Problems
		if merged, changed, probs = schema.ValidateMerge(rec, fc, *vctx); len(probs) > 0 {
			return fmt.Errorf("%s %s: %s: %w", fc.Kind, fc.ID, probs.String(), errDoesNotFit)
		}
	} else if merged, changed, err = schema.Merge(rec, fc); err != nil {
		return err
	}
	if changed {
		key := fc.Key()
		if _, seen := p.records[key]; !seen {
			p.order = append(p.order, key)
		}
		p.records[key] = merged
	}
	mark.HighWater = fc.Seq
	mark.At = p.now
	p.marks[ServerDevice] = mark
	p.head++
	p.log = append(p.log, store.LogEntry{Seq: p.head, Change: *fc, Account: ServerDevice, Received: p.now})
	return nil
}

// current returns a record as the group has left it so far, nil when
// there is none.
func (in *Ingester) current(ctx context.Context, p *pass, kind schema.Kind, id string) (*schema.Record, error) {
	if r, ok := p.known(schema.Key{Kind: kind, ID: id}); ok {
		return r, nil // nil when read ahead and not stored
	}
	r, err := in.st.Record(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return r, err
}

// serverMark is the server's own mark as the group has it. On a shared
// store another process may have written server changes since this
// writer last read the mark, and refresh re-reads only the marks of the
// group's devices: a redirect in a group of device batches reads it
// first, or the store would refuse the group (its basis stale) however
// often it is computed again.
func (in *Ingester) serverMark(ctx context.Context, p *pass) (store.Mark, error) {
	if _, moved := p.marks[ServerDevice]; moved || !in.shared {
		return p.mark(in, ServerDevice), nil
	}
	m, err := in.st.Mark(ctx, ServerDevice)
	if err != nil {
		return store.Mark{}, err
	}
	in.state.marks[ServerDevice] = m
	return m, nil
}
