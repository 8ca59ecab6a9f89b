package ingest

import (
	"runtime"

	"laoxiao/schema"
)

// precheck runs the checks of up's changes that need no stored record
// (schema.Precheck) on the caller's goroutine: each connection's own, so
// on a server with cores to spare they run beside the single writer,
// which then only finishes them against the records, or, for a change
// that creates its record, takes the answer as is. A change's answer is
// reused only under the writer's divisions, the same scope and the same
// date; otherwise the writer checks it again.
//
// Only while fewer devices upload than there are cores: beyond that their
// connections' goroutines already keep every core busy, and work moved
// onto them competes with the writer, which alone sets the pace. With 200
// devices, prechecking always cost about a tenth of the changes per
// second and put about a sixth on the p99 ack latency (sync_200_agents,
// worse in 6 of 8 alternating runs); with one device it halves the
// writer's CPU per change.
//
// The server's own changes are not prechecked: the writer numbers and
// stamps them.
func (in *Ingester) precheck(acct Account, up *schema.Upload) []*schema.Prechecked {
	if acct.Device == ServerDevice || in.flow.uploading.Load() >= cores {
		return nil
	}
	vctx := schema.ValidationContext{Divisions: in.opts.Divisions(), Scope: acct.Scope, Now: in.opts.Now()}
	out := make([]*schema.Prechecked, len(up.Changes))
	for i := range up.Changes {
		out[i] = schema.Precheck(&up.Changes[i], vctx)
	}
	return out
}

// cores is read once: GOMAXPROCS takes the scheduler's lock, which two
// hundred connections asking for every batch would contend for.
var cores = int64(runtime.GOMAXPROCS(0))

// prechecked returns the precheck of the batch's i-th change; nil when
// there is none.
func (r *request) prechecked(i int) *schema.Prechecked {
	if i < len(r.pre) {
		return r.pre[i]
	}
	return nil
}
