package agent

import "errors"

// ErrLocked is returned (wrapped) by Open when another process — or
// another Open in this one — holds the store's directory: a second window
// of the app, the agent command, a sync running from a script. Nothing
// was opened or changed; closing the other holder and opening again
// works. Test with errors.Is; badgerlock.Held is what recognises it.
var ErrLocked = errors.New("store is in use by another program (数据文件夹正被另一个程序使用)")
