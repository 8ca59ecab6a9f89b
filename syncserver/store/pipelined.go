package store

import (
	"context"

	"laoxiao/schema"
)

// Pipelined is an optional Store capability: a commit that returns before
// its fsync, so the single writer validates and merges the next group
// while the disk makes this one durable. Only a store one process writes
// offers it; the writer then acks a group only once its wait returns nil.
type Pipelined interface {
	// Snapshot returns a read view of the records and refusals as of the
	// last commit whose wait returned. Take it while no commit is in
	// flight: it waits for those first. Close it before the next one is
	// taken; views held long keep the store from discarding old versions.
	Snapshot() (View, error)
	// CommitAsync starts writing g as Commit would and returns what waits
	// until g is durable (or failed). Commits are durable in the order
	// they were started. A group more than one transaction holds fails
	// here, with ErrTooBig, having written nothing; so does one the store
	// cannot encode.
	CommitAsync(ctx context.Context, g *Group) (wait func() error, err error)
}

// View is a consistent read of a store at one moment (Pipelined).
type View interface {
	RecordsReader
	// Refused is Store.Refused as of the view.
	Refused(ctx context.Context, device string, from, to uint64) ([]schema.Rejection, error)
	// Close releases the view.
	Close()
}
