package desktop

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
)

// If the app dies anyway — a panic in any goroutine, a fatal runtime
// error — what was saved is safe (every save is synced before the app
// says so), but staff and the county's support need to know what
// happened. The Go runtime writes the panic to the data folder's
// crash.log as well as to stderr, which nobody sees on a Windows laptop;
// the next start keeps that file under a dated name and tells the user,
// in Chinese, that the app closed unexpectedly and where the record is.

// crashLogName is the file the runtime writes a crash into while the app
// runs. It stays empty when the app ends normally.
const crashLogName = "crash.log"

// armCrashLog keeps a crash left by the previous run (returning the path
// it was kept under, or "" when that run ended normally) and points the
// runtime's crash output at dir/crash.log for this run.
func armCrashLog(dir string) (previous string, err error) {
	path := filepath.Join(dir, crashLogName)
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		previous = filepath.Join(dir, "crash-"+fi.ModTime().Format("20060102-150405")+".log")
		if err := os.Rename(path, previous); err != nil {
			return "", fmt.Errorf("keep the last crash log: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return previous, fmt.Errorf("open %s: %w", crashLogName, err)
	}
	// The runtime keeps its own copy of the descriptor.
	defer f.Close()
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		return previous, fmt.Errorf("set crash output: %w", err)
	}
	return previous, nil
}

// crashMessage is what the next start says about a crash kept at path.
func crashMessage(path string) string {
	return "上次程序意外关闭。已经保存的数据不受影响，请检查最后录入的内容是否都在。\n\n" +
		"错误记录已保存在：\n" + path + "\n\n请把这个文件发给区县管理员，以便查明原因。"
}
