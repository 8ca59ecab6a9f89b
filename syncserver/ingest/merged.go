package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"

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

// mergeFieldRefusal refuses a site's change that alters the merge pointer.
func mergeFieldRefusal(acct Account, cur *schema.Record, ch *schema.Change) *schema.Rejection {
	if byOffice(acct) || !ch.Kind.Mergeable() {
		return nil
	}
	for _, name := range schema.MergeFields {
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
		return &schema.Rejection{Seq: ch.Seq, Code: schema.RejectReadOnly,
			Reason:   fmt.Sprintf("%s: merges are made by the district office, not at sites", en),
			ReasonZh: fmt.Sprintf("%s：合并重复记录由区县民政部门操作，乡镇不能修改", zh)}
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
	if acct.Device == ServerDevice || ch.Delete || !ch.Kind.Mergeable() {
		return
	}
	set := schema.Fields{}
	for name, raw := range ch.Set {
		if !schema.IsMergeField(name) {
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
		next, err := in.current(ctx, p, ch.Kind, to)
		if err != nil || next == nil || next.IsDeleted() {
			in.log.Info("edit of a merged record kept on it: survivor unreadable or gone", "kind", ch.Kind, "id", ch.ID, "survivor", to, "err", err)
			return
		}
		surv = next
	}
	if surv == dup || schema.MergedInto(surv) != "" {
		return
	}
	mark, err := in.serverMark(ctx, p)
	if err != nil {
		in.log.Error("redirect edit to survivor: read the server's mark", "err", err)
		return
	}
	fc := &schema.Change{Kind: ch.Kind, ID: surv.ID, Unit: surv.Unit, Set: set, Stamp: ch.Stamp,
		Device: ServerDevice, Seq: mark.HighWater + 1}
	vctx.Scope = ""
	if probs := schema.ValidateChange(surv, fc, vctx); len(probs) > 0 {
		in.log.Info("edit of a merged record kept on it: does not fit the survivor", "kind", ch.Kind, "id", ch.ID, "survivor", surv.ID, "problems", probs.String())
		return
	}
	merged, changed, err := schema.Merge(surv, fc)
	if err != nil {
		in.log.Error("redirect edit to survivor", "err", err)
		return
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
	in.log.Info("edit of a merged record redirected to its survivor", "kind", ch.Kind, "duplicate", ch.ID, "survivor", surv.ID, "device", acct.Device, "seq", ch.Seq)
}

// current returns a record as the group has left it so far, nil when
// there is none.
func (in *Ingester) current(ctx context.Context, p *pass, kind schema.Kind, id string) (*schema.Record, error) {
	k := schema.Key{Kind: kind, ID: id}
	if r, ok := p.records[k]; ok {
		return r, nil
	}
	if r, ok := p.read[k]; ok {
		return r, nil // read ahead for the group; nil when not stored
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
