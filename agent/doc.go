// Package agent is the embedded offline store every township site runs.
//
// A site works for days without a network, so the store is the source of
// truth on the laptop: every edit is merged into the local record and queued
// in an outbox as a schema.Change in the same synced Badger transaction, so a
// power cut after a write returns loses nothing and never leaves a record
// without its change (or a change without its record). The sync client (in
// agent/sync*.go) drains the outbox, parks what the server refuses, and
// merges what it downloads, using only the hooks in outbox.go, remote.go and
// restamp.go.
//
// Writes are serialised by one mutex: the device's sequence numbers must be
// gapless, and a site has one user at a time, so there is nothing to gain
// from concurrent writers and much to lose.
package agent
