// Package badgerlock recognises Badger's refusal to open a directory that
// another holder has open. The site's store (agent) and the server's
// (syncserver/store/badgerstore) both open Badger and must never import
// each other; each turns what Held recognises into its own ErrLocked.
package badgerlock

import "strings"

// heldMessage is the part of Badger's message, on Unix ("Cannot acquire
// directory lock on …") and Windows ("Cannot create lock file …") alike,
// that says another holder has the directory.
const heldMessage = "Another process is using this Badger database"

// Held reports whether err, returned by badger.Open, says the directory is
// held by another process or by another open DB in this one.
//
// Badger formats the lock failure into its message (y.Wrapf, which
// prints with %+v in release builds) instead of wrapping it, so no
// errors.Is reaches the flock or Windows sharing error underneath: this
// is the one place in the project that reads the text, and its test
// fails when a Badger upgrade rewords it.
func Held(err error) bool {
	return err != nil && strings.Contains(err.Error(), heldMessage)
}
