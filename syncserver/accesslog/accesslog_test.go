package accesslog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestAppendReadFilter(t *testing.T) {
	dir := t.TempDir()
	l := Open(dir, nil)
	entries := []Entry{
		{Account: "yucheng", Action: ActionView, Unit: "511802001001", Person: "p1"},
		{Account: "yucheng", Action: ActionReveal, Unit: "511802001001", Person: "p1", Reason: "核实探访"},
		{Account: "mingshan", Action: ActionExport, Unit: "511803", Count: 12},
	}
	for _, e := range entries {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Read(Query{Unit: "511802"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Action != ActionReveal || got[1].Reason != "核实探访" || got[1].At.IsZero() {
		t.Fatalf("511802 entries = %+v", got)
	}
	if got, _ := l.Read(Query{Person: "p1", Limit: 1}); len(got) != 1 || got[0].Action != ActionReveal {
		t.Fatalf("newest entry of p1 = %+v", got)
	}
	if n, err := l.Verify(); err != nil || n != 3 {
		t.Fatalf("Verify = %d, %v", n, err)
	}
}

// TestTamperingBreaksChain: an entry removed or edited after it was
// written is found, and Read refuses to answer from a broken log.
func TestTamperingBreaksChain(t *testing.T) {
	for name, tamper := range map[string]func([][]byte) [][]byte{
		"line removed": func(l [][]byte) [][]byte { return append(l[:1:1], l[2:]...) },
		"reason edited": func(l [][]byte) [][]byte {
			l[1] = bytes.Replace(l[1], []byte("核实"), []byte("随便"), 1)
			return l
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			l := Open(dir, nil)
			for _, r := range []string{"核实一", "核实二", "核实三"} {
				if err := l.Append(Entry{Account: "a", Action: ActionReveal, Unit: "511802", Person: "p", Reason: r}); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, FileName)
			data, _ := os.ReadFile(path)
			lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
			lines = tamper(lines)
			if err := os.WriteFile(path, append(bytes.Join(lines, []byte("\n")), '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Verify(); !errors.Is(err, ErrBroken) {
				t.Fatalf("Verify after tampering = %v, want ErrBroken", err)
			}
			if _, err := l.Read(Query{}); !errors.Is(err, ErrBroken) {
				t.Fatalf("Read after tampering = %v, want ErrBroken", err)
			}
		})
	}
}

// TestConcurrentAppendsKeepChain: appends from many goroutines (each
// opening the file, as two processes would) never fork the chain.
func TestConcurrentAppendsKeepChain(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := Open(dir, func() time.Time { return time.Unix(int64(i), 0) })
			for range 20 {
				if err := l.Append(Entry{Account: "a", Action: ActionView, Unit: "511802", Person: "p"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, err := Open(dir, nil).Verify(); err != nil || n != 160 {
		t.Fatalf("Verify = %d, %v; want 160 entries and an intact chain", n, err)
	}
}
