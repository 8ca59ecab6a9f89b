// Package store defines what the sync server keeps and the one small
// interface every backend implements. The embedded default is Badger
// (package badgerstore); a PostgreSQL-compatible backend can implement the
// same interface so several stateless servers share one database. Nothing
// outside a backend knows its key layout.
package store

import (
	"context"
	"errors"
	"time"

	"laoxiao/schema"
)

// ErrNotFound is returned (wrapped) when a record, device or code is absent.
var ErrNotFound = errors.New("not found")

// ErrTooBig is returned (wrapped) by Commit when a group is more than the
// backend can write in one transaction; nothing of it was written, and
// the caller commits it in smaller parts.
var ErrTooBig = errors.New("group too big for one transaction")

// ErrLocked is returned (wrapped) by a backend's Open when another process
// holds its data — a running server. Nothing was opened; the admin
// commands then talk to that server's admin API instead.
var ErrLocked = errors.New("store is in use by another process")

// ErrKeyRequired is returned (wrapped) by a backend's Open when the store
// is encrypted at rest and no key was given. Nothing was opened; the
// command line adds how to give the key.
var ErrKeyRequired = errors.New("server store is encrypted: its key is required")

// ErrWrongKey is returned (wrapped) by a backend's Open when the key given
// does not decrypt the store.
var ErrWrongKey = errors.New("the key given does not decrypt the server store")

// ErrNotEncrypted is returned (wrapped) by a backend's Open when a key is
// given for a store created without one. Opening it anyway would let the
// operator believe the data is protected when it is not.
var ErrNotEncrypted = errors.New("server store was created without encryption; a key was given for it")

// Role says what an account may do.
type Role string

// Roles. A site (township) device writes and reads inside its unit; an
// office account (county or city) reads below its unit and may set targets.
const (
	RoleSite   Role = "site"
	RoleOffice Role = "office"
)

// Device is an enrolled device or office account.
type Device struct {
	ID        string      `cbor:"1,keyasint"`
	Name      string      `cbor:"2,keyasint"`
	Scope     schema.Code `cbor:"3,keyasint"`
	Role      Role        `cbor:"4,keyasint"`
	TokenHash []byte      `cbor:"5,keyasint"`
	Enrolled  time.Time   `cbor:"6,keyasint"`
	Revoked   bool        `cbor:"7,keyasint"`
}

// Mark is how far the server has come with a device's changes. It is kept
// apart from Device so that the commit path, which moves marks, never
// rewrites a device record an administrator may be revoking.
type Mark struct {
	// HighWater is the device's greatest sequence number the server has
	// durably handled (applied or refused); it only moves with a commit.
	HighWater uint64 `cbor:"1,keyasint"`
	// At is when the mark last moved.
	At time.Time `cbor:"2,keyasint"`
}

// EnrollCode is a one-time code an office hands to a site to enrol a device.
type EnrollCode struct {
	Unit    schema.Code `cbor:"1,keyasint"`
	Name    string      `cbor:"2,keyasint"`
	Role    Role        `cbor:"3,keyasint"`
	Expires time.Time   `cbor:"4,keyasint"`
}

// LogEntry is one accepted change in the server's log: what the server
// received, from whom and when. The log is the audit trail: it is
// append-only, so every figure can be traced to the change that set it.
type LogEntry struct {
	Seq      uint64        `cbor:"1,keyasint"`
	Change   schema.Change `cbor:"2,keyasint"`
	Account  string        `cbor:"3,keyasint"` // device that uploaded it
	Received time.Time     `cbor:"4,keyasint"`
}

// Group is what one commit writes: new record states, log entries with
// consecutive sequence numbers after the current head, and the marks of
// the devices whose changes it handled. A backend applies it all or nothing and
// durably (fsync) before Commit returns.
type Group struct {
	Records []*schema.Record
	Log     []LogEntry
	Marks   map[string]Mark
	// Refused holds, per device, the changes of the group the server
	// refused (the marks pass them). They are kept because the ack that
	// carries a refusal can be lost with the connection: the device then
	// resends the batch and learns of the refusal from the duplicate's ack.
	Refused map[string][]schema.Rejection
	// Basis, when not nil, is what the group was computed from. A Shared
	// store checks it under its commit lock and refuses the group with
	// ErrConflict when it moved; a store only one process writes may
	// ignore it.
	Basis *Basis
}

// Basis is what a writer computed a group from, besides the records
// (which a Shared store re-merges itself).
type Basis struct {
	// Marks holds, per device of the group's Marks, the high-water mark
	// the writer started from.
	Marks map[string]uint64
	// LocksAt is the log sequence up to which the writer's locks in force
	// were current: a lock or unlock logged after it may refuse a change
	// the writer accepted.
	LocksAt uint64
}

// Store is the server's storage.
type Store interface {
	// Commit applies a group atomically and durably.
	Commit(ctx context.Context, g *Group) error
	// Record returns the current state of a record, or ErrNotFound.
	Record(ctx context.Context, kind schema.Kind, id string) (*schema.Record, error)
	// ScanRecords calls fn for every record (deleted ones included) whose
	// unit lies within prefix, ordered by unit.
	ScanRecords(ctx context.Context, prefix schema.Code, fn func(*schema.Record) error) error
	// ScanKind calls fn for every record of one kind (deleted ones
	// included), in no particular order. It is for the few records of a
	// kind every writer needs at hand (locks); it must not read the other
	// kinds' records to find them.
	ScanKind(ctx context.Context, kind schema.Kind, fn func(*schema.Record) error) error
	// LogAfter calls fn, in sequence order, for at most limit log entries
	// after cursor that visible reports true for, and returns the cursor to
	// continue from: the last entry passed, or further when entries in
	// between were invisible. The scope hints which units the caller can
	// see so a backend can use an index; visible has the final word.
	// Entries whose change came from device exclude are skipped without
	// being read (a device has its own changes; "" excludes nothing).
	LogAfter(ctx context.Context, scope schema.Code, exclude string, after uint64, limit int, visible func(*LogEntry) bool, fn func(*LogEntry) error) (uint64, error)
	// LogHead returns the sequence of the newest log entry.
	LogHead(ctx context.Context) (uint64, error)
	// Incarnation returns the store's incarnation id: a random id made
	// when the store is created and replaced by a restore, never by a
	// restart. The server tells devices the id in the hello reply; a
	// device that sees it change knows the store may have lost changes
	// it acked (restored from an older copy) and offers them again.
	Incarnation(ctx context.Context) (string, error)
	// Refused returns the refusals recorded for a device's changes with
	// seq in [from, to], in seq order.
	Refused(ctx context.Context, device string, from, to uint64) ([]schema.Rejection, error)

	// Mark returns a device's mark; the zero Mark if it has none yet.
	Mark(ctx context.Context, device string) (Mark, error)
	// Marks returns every device's mark.
	Marks(ctx context.Context) (map[string]Mark, error)

	// Device returns an enrolled device, or ErrNotFound.
	Device(ctx context.Context, id string) (Device, error)
	// PutDevice creates or replaces a device (enrolment, revocation).
	PutDevice(ctx context.Context, d Device) error
	// Devices lists every device.
	Devices(ctx context.Context) ([]Device, error)
	// PutHealth keeps a device's latest health report, replacing the one
	// before (durably: offices read it after a restart).
	PutHealth(ctx context.Context, device string, h Health) error
	// Healths returns every device's latest health report.
	Healths(ctx context.Context) (map[string]Health, error)
	// PutEnrollCode stores a one-time code under the hash of its text.
	PutEnrollCode(ctx context.Context, hash []byte, c EnrollCode) error
	// TakeEnrollCode returns and deletes the code in one transaction, so a
	// code enrols one device only; ErrNotFound if absent.
	TakeEnrollCode(ctx context.Context, hash []byte) (EnrollCode, error)

	// PutUnits stores divisions (loaded from a divisions file).
	PutUnits(ctx context.Context, units []schema.Unit) error
	// Units calls fn for every stored unit.
	Units(ctx context.Context, fn func(schema.Unit) error) error

	// Close flushes and closes the store.
	Close() error
}
