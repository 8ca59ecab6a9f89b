package realwindow

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// bigAnon is the size from which an anonymous mapping is counted apart
// from the small ones: in the app and the floor it is Go's heap arena
// (the C heap's main arena is [heap]; its thread arenas, the GL driver's
// buffers and the stacks are the small ones).
const bigAnon = 8 << 20

// Names of the groups smapsByMapping makes of what has no file.
const (
	groupBinary    = "[the program's binary]"
	groupBigAnon   = "[anonymous, mappings of 8 MiB or more: Go's heap]"
	groupSmallAnon = "[anonymous, smaller mappings]"
)

// smapsByMapping sums the resident kB of /proc/PID/smaps by what is
// mapped: a file's path (the program's own binary, exe, as groupBinary,
// so two programs compare), a kernel name such as [heap] or [stack], or
// one of the two anonymous groups.
func smapsByMapping(smaps []byte, exe string) (map[string]int, error) {
	kb := map[string]int{}
	group := ""
	size := 0
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if !strings.HasSuffix(f[0], ":") {
			// A mapping's header: range perms offset dev inode [path].
			if len(f) < 5 {
				return nil, fmt.Errorf("smaps header %q", sc.Text())
			}
			group = strings.Join(f[5:], " ")
			if group == exe {
				group = groupBinary
			}
			continue
		}
		if len(f) < 2 || (f[0] != "Size:" && f[0] != "Rss:") {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return nil, fmt.Errorf("smaps %s: %w", f[0], err)
		}
		if f[0] == "Size:" {
			size = n
			continue
		}
		g := group
		if g == "" && size*1024 >= bigAnon {
			g = groupBigAnon
		} else if g == "" {
			g = groupSmallAnon
		}
		kb[g] += n
	}
	return kb, sc.Err()
}

// compareMappings writes a table of the floor's and the app's resident
// memory by mapping, largest difference first, to path: MiB floor, app,
// app − floor, and the mapping. Mappings under 0.25 MiB in both are
// summed into one line.
func compareMappings(path string, floor, app map[string]int) error {
	names := map[string]bool{}
	for n := range floor {
		names[n] = true
	}
	for n := range app {
		names[n] = true
	}
	type row struct {
		name       string
		floor, app int
	}
	var rows []row
	rest := row{name: "(other mappings under 0.25 MiB each)"}
	for n := range names {
		r := row{n, floor[n], app[n]}
		if r.floor < 256 && r.app < 256 {
			rest.floor += r.floor
			rest.app += r.app
			continue
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		di, dj := rows[i].app-rows[i].floor, rows[j].app-rows[j].floor
		if di != dj {
			return di > dj
		}
		return rows[i].name < rows[j].name
	})
	rows = append(rows, rest)
	var b strings.Builder
	fmt.Fprintf(&b, "%8s %8s %8s  %s\n", "floor", "app", "app-flr", "mapping (resident MiB)")
	total := row{name: "total"}
	for _, r := range rows {
		fmt.Fprintf(&b, "%8.1f %8.1f %8.1f  %s\n", mib(r.floor), mib(r.app), mib(r.app-r.floor), r.name)
		total.floor += r.floor
		total.app += r.app
	}
	fmt.Fprintf(&b, "%8.1f %8.1f %8.1f  %s\n", mib(total.floor), mib(total.app), mib(total.app-total.floor), total.name)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func mib(kb int) float64 { return float64(kb) / 1024 }

// readSmaps keeps process pid's smaps in dir as smaps-NAME and returns
// them by mapping.
func readSmaps(b testing.TB, pid int, dir, name string) map[string]int {
	b.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "smaps-"+name), raw, 0o644); err != nil {
		b.Fatal(err)
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		b.Fatal(err)
	}
	kb, err := smapsByMapping(raw, exe)
	if err != nil {
		b.Fatal(err)
	}
	return kb
}

func TestSmapsByMapping(t *testing.T) {
	const smaps = `00400000-00452000 r-xp 00000000 08:02 173521      /tmp/bin/desktop
Size:                328 kB
Rss:                 300 kB
Pss:                 300 kB
01e00000-01e21000 rw-p 00000000 00:00 0          [heap]
Size:                132 kB
Rss:                 120 kB
c000000000-c004000000 rw-p 00000000 00:00 0
Size:              65536 kB
Rss:               40000 kB
7f0000000000-7f0000100000 rw-p 00000000 00:00 0
Size:               1024 kB
Rss:                1000 kB
7f0000200000-7f0000300000 rw-p 00000000 00:00 0
Size:               1024 kB
Rss:                  24 kB
7f1000000000-7f1000100000 r-xp 00000000 08:02 9      /usr/lib/libLLVM-15.so.1
Size:               1024 kB
Rss:                 800 kB
7f1000100000-7f1000200000 r--p 00100000 08:02 9      /usr/lib/libLLVM-15.so.1
Size:               1024 kB
Rss:                 200 kB
VmFlags: rd mr mw me dw sd
`
	got, err := smapsByMapping([]byte(smaps), "/tmp/bin/desktop")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		groupBinary:                300,
		"[heap]":                   120,
		groupBigAnon:               40000,
		groupSmallAnon:             1024,
		"/usr/lib/libLLVM-15.so.1": 1000,
	}
	if len(got) != len(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for g, kb := range want {
		if got[g] != kb {
			t.Errorf("%s: %d kB, want %d", g, got[g], kb)
		}
	}
}
