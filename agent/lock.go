package agent

import (
	"errors"
	"strings"
)

// ErrLocked is returned (wrapped) by Open when another process — or
// another Open in this one — holds the store's directory: a second window
// of the app, the agent command, a sync running from a script. Nothing
// was opened or changed; closing the other holder and opening again
// works. Test with errors.Is.
var ErrLocked = errors.New("store is in use by another program (数据文件夹正被另一个程序使用)")

// badgerLockHeld is the part of Badger's message, on Unix ("Cannot acquire
// directory lock on …") and Windows ("Cannot create lock file …") alike,
// that says another holder has the directory.
const badgerLockHeld = "Another process is using this Badger database"

// lockHeld reports whether badger.Open failed because the directory is
// locked. Badger formats the lock failure into its message (y.Wrapf with
// %+v) instead of wrapping it, so no errors.Is reaches the flock error
// underneath: this is the one place that reads the text, and
// TestOpenLocked notices when a Badger upgrade rewords it.
func lockHeld(err error) bool {
	return err != nil && strings.Contains(err.Error(), badgerLockHeld)
}
