package realwindow

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCrashIsRecordedAndToldNextStart makes the app die as a bug would,
// then starts it again: the panic is in the data folder's log, and the
// window says in Chinese that the app closed unexpectedly and where the
// record is.
func TestCrashIsRecordedAndToldNextStart(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "facilities", "--test-panic-on-signal")
	a.find("机构名称", false)
	a.cmd.Process.Signal(syscall.SIGUSR2)
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not die")
	}
	b, err := os.ReadFile(filepath.Join(dir, "crash.log"))
	if err != nil || !strings.Contains(string(b), "panic: test-panic-on-signal") {
		t.Fatalf("crash.log holds %q (%v), want the panic", b, err)
	}

	a = startApp(t, d, "--data", dir, "--tab", "facilities")
	a.find("上次程序意外关闭", true)
	a.shot("crash-told")
	kept, _ := filepath.Glob(filepath.Join(dir, "crash-*.log"))
	if len(kept) != 1 {
		t.Fatalf("kept crash logs %v, want one", kept)
	}
	if !a.shows(filepath.Base(kept[0])) {
		t.Errorf("the message does not say where the log %s is", kept[0])
	}
	x, y := a.find("好", true).center()
	a.clickAt(x, y, 1)
	a.gone("上次程序意外关闭")
	a.quit()
	if b, err := os.ReadFile(filepath.Join(dir, "crash.log")); err != nil || len(b) != 0 {
		t.Errorf("after a normal run crash.log holds %q (%v), want it empty", b, err)
	}
}
