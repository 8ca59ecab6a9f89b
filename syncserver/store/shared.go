package store

import (
	"context"
	"errors"
)

// ErrConflict is returned (wrapped) by a Shared store's Commit when what
// a group was computed from (Group.Basis) moved: another server process
// handled changes of one of its devices, or logged a lock or unlock,
// first. Nothing was written; the writer re-reads its marks and locks and
// computes the group again.
var ErrConflict = errors.New("marks moved under the group: another server process committed first")

// ErrSessionBusy is returned (wrapped) by Shared.LockSession when another
// server process keeps a session of the device and did not end it in time.
var ErrSessionBusy = errors.New("the device has a sync session on another server process")

// Shared is an optional Store capability: a store that several server
// processes write at once (PostgreSQL). A writer (package ingest) on such
// a store changes how it works in three ways:
//
//   - Commit assigns the log's sequence numbers itself, after the head it
//     reads under a lock held to commit, and writes them back into
//     Group.Log; the numbers the writer proposed are only a guess.
//   - Commit refuses with ErrConflict a group whose Basis moved (marks,
//     locks), and the writer re-reads the marks it caches before every
//     group.
//   - Commits of other processes do not pass through this writer, so it
//     watches LogHead to wake downloads and re-reads the locks in force.
//
// The sync endpoint keeps one session per device across the processes
// with LockSession.
type Shared interface {
	// LockSession claims the device's sync session for this process. When
	// another process holds it, it asks that process to end it (see
	// SessionKicks) and waits for it to let go until ctx ends, then fails
	// with ErrSessionBusy. Sessions of one process share the claim
	// (the endpoint itself keeps one per device among them); release
	// gives up one of them.
	LockSession(ctx context.Context, device string) (release func(), err error)
	// SessionKicks delivers the ids of devices whose session another
	// process asked this one to end, and of every device this process held
	// a claim for when its claims were lost (a dropped database
	// connection): their sessions must end, and the devices reconnect.
	SessionKicks() <-chan string
	// EndSession asks every process that holds the device's session to
	// end it (a revoked device): they do through SessionKicks.
	EndSession(ctx context.Context, device string) error
	// MarksOf returns the marks of these devices in one read (the zero
	// Mark for a device without one): the writer re-reads them before
	// every group.
	MarksOf(ctx context.Context, devices []string) (map[string]Mark, error)
}
