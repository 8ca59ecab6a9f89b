package ingest

import "laoxiao/schema"

// precheck runs the checks of up's changes that need no stored record
// (schema.Precheck) on the caller's goroutine: each connection's own, so
// on a server with cores to spare they run beside the single writer,
// which then only finishes them against the records, or, for a change
// that creates its record, takes the answer as is. A change's answer is
// reused only under the writer's divisions, the same scope and the same
// date; otherwise the writer checks it again.
//
// The server's own changes are not prechecked: the writer numbers and
// stamps them.
func (in *Ingester) precheck(acct Account, up *schema.Upload) []*schema.Prechecked {
	if acct.Device == ServerDevice {
		return nil
	}
	vctx := schema.ValidationContext{Divisions: in.opts.Divisions(), Scope: acct.Scope, Now: in.opts.Now()}
	out := make([]*schema.Prechecked, len(up.Changes))
	for i := range up.Changes {
		out[i] = schema.Precheck(&up.Changes[i], vctx)
	}
	return out
}

// prechecked returns the precheck of the batch's i-th change; nil when
// there is none.
func (r *request) prechecked(i int) *schema.Prechecked {
	if i < len(r.pre) {
		return r.pre[i]
	}
	return nil
}
