// Package agent is the embedded offline store every township site runs.
//
// A site works for days without a network, so the store is the source of
// truth on the laptop: every edit is merged into the local record and queued
// in an outbox as a schema.Change in the same synced Badger transaction, so a
// power cut after a write returns loses nothing and never leaves a record
// without its change (or a change without its record).
//
// The sync client is its own package, agent/syncclient. It drains the
// outbox, parks what the server refuses, and merges what it downloads,
// through the store's exported hooks only: Queue (the outbox as stored,
// sent without decoding), Release and Park (outbox.go), ApplyRemote
// (remote.go), Restamp (restamp.go), Refill (refill.go), Backlog
// (status.go), and the sync state in meta.go (device
// id and clock, scope, enrolment, download cursor, clock offset, last
// sync). Released changes are kept on disk for a retention window
// (kept.go), so that Refill can offer them again to a server restored
// from an older backup.
//
// The files: store.go opens and closes the store (Open, Options); write.go
// is every write (Put, PutBatch, AddVisit, Delete) and validate.go the
// check it runs first; query.go reads (Get, List, Count); periodlock.go
// refuses edits into a period an office locked; keys.go lays out every
// key; encrypt.go and lock.go are encryption at rest and the one-process
// lock; status.go is what the app and the status command show. The agent
// command is agent/cli.
//
// Writes are serialised by one mutex: the device's sequence numbers must be
// gapless, and a site has one user at a time, so there is nothing to gain
// from concurrent writers and much to lose.
package agent
