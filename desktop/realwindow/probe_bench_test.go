package realwindow

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDesktopProbe measures the real app the way a township laptop
// meets it every morning, on a store of LAOXIAO_PROBE_RECORDS records
// (default 100,000), and prints `NAME VALUE UNIT` lines for make bench:
//
//	desktop_first_frame_seconds_100k  process start to the first frame on the screen
//	desktop_start_seconds_100k        process start to the first tab showing its data
//	desktop_rss_first_tab_100k_mb     resident memory then
//	desktop_rss_100k_mb               resident memory after visiting every tab
//	desktop_rss_anon_100k_mb          its anonymous part (heap, GL buffers; not mapped files)
//	desktop_save_ms                   median click on 保存 to the save shown, each durable
//	desktop_rss_fyne_floor_mb         resident memory of a bare window in the app's theme
//	desktop_rss_app_share_mb          desktop_rss_100k_mb minus the floor: what the app adds
//
// The floor is testdata/fynefloor: a Fyne window built as the app's is,
// with two tabs of one label each and no store, started on the same Xvfb
// after the app and measured the same way (its tabs visited, a second's
// pause after each). It is what Fyne, the GL driver and the app's theme
// hold whatever the app does; under Xvfb that is Mesa's software GL,
// which a laptop drawing with its GPU's driver does not load.
//
// Times count from the process's start as the kernel recorded it
// (/proc/PID/stat), not from a moment the app chooses. The first frame is
// the first change of Xvfb's framebuffer; the data is on the screen when
// the window's map shows the loaded list (the map is written every 100 ms,
// which bounds the start figure's resolution).
func BenchmarkDesktopProbe(b *testing.B) {
	records := 100000
	if v := os.Getenv("LAOXIAO_PROBE_RECORDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("LAOXIAO_PROBE_RECORDS: %v", err)
		}
		records = n
	}
	saves := 5
	if v := os.Getenv("LAOXIAO_PROBE_SAVES"); v != "" {
		saves, _ = strconv.Atoi(v)
	}
	label := fmt.Sprintf("_%dk", records/1000)
	for i := 0; i < b.N; i++ {
		probe(b, records, saves, label)
	}
}

func probe(b *testing.B, records, saves int, label string) {
	dir := filepath.Join(b.TempDir(), "data")
	if out, err := exec.Command(desktopBinary(b), "--make-demo", dir, "--records", strconv.Itoa(records)).CombinedOutput(); err != nil {
		b.Fatalf("make demo: %v\n%s", err, out)
	}
	d := startDisplay(b)
	// The first open after a bulk import compacts Badger's fresh tables,
	// which no later start pays; measure a later start.
	a := startApp(b, d, "--data", dir, "--tab", "facilities")
	waitText(a, "个机构", "显示")
	a.quit()
	time.Sleep(500 * time.Millisecond) // the old window's last frame

	fb := filepath.Join(d.fbdir, "Xvfb_screen0")
	before, err := os.ReadFile(fb)
	if err != nil {
		b.Fatal(err)
	}
	frame := make(chan float64, 1)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if now, err := os.ReadFile(fb); err == nil && !bytes.Equal(now, before) {
				frame <- uptime(b)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	defer close(stop)
	// LAOXIAO_PROBE_DUMP=DIR keeps, after every tab, the process's
	// smaps and a heap profile (with the runtime's MemStats) in DIR, to
	// see where the memory is, and the floor's smaps, and writes
	// breakdown.txt: both by mapping, side by side. The figures are read
	// before the profile's collection.
	dump := os.Getenv("LAOXIAO_PROBE_DUMP")
	args := []string{"--data", dir, "--tab", "facilities"}
	if dump != "" {
		args = append(args, "--test-heap-profile", filepath.Join(dump, "heap.txt"))
	}
	a = startApp(b, d, args...)
	pid := a.cmd.Process.Pid
	started := procStart(b, pid)
	waitText(a, "个机构", "显示")
	ready := uptime(b)
	var first float64
	select {
	case first = <-frame:
	case <-time.After(time.Minute):
		b.Fatal("no frame reached the screen")
	}
	time.Sleep(time.Second) // let background reads finish
	rssFirst := rssOf(b, pid)

	for _, tab := range []struct{ title, loaded string }{
		{"床位/托位", "个机构，已填报"},
		{"服务对象与探访", "待探访"},
		{"人口", "中已填写"},
		{"本乡镇指标", "按本机已录入的数据计算"},
		{"同步", "待上传"},
		{"机构", "个机构"},
	} {
		a.click(tab.title)
		waitText(a, tab.loaded)
		time.Sleep(time.Second)
		if os.Getenv("LAOXIAO_PROBE_VERBOSE") != "" {
			b.Logf("after %s: RSS %.1f MiB, anonymous %.1f MiB", tab.title, rssOf(b, pid), statusMiB(b, pid, "RssAnon:"))
		}
	}
	rssAll := rssOf(b, pid)
	// The anonymous part is the heap and what the libraries allocate; the
	// rest is mapped files (the store's tables, the binary) the kernel
	// can drop at will.
	anonAll := statusMiB(b, pid, "RssAnon:")
	var appMaps map[string]int
	if dump != "" {
		appMaps = readSmaps(b, pid, dump, "app")
		dumpHeap(b, pid, dump)
	}

	ms := timeSaves(a, saves)
	a.quit()
	floor := measureFloor(b, d, dump, appMaps)
	fmt.Printf("desktop_first_frame_seconds%s %.3f s\n", label, first-started)
	fmt.Printf("desktop_start_seconds%s %.3f s\n", label, ready-started)
	fmt.Printf("desktop_rss_first_tab%s_mb %.1f MiB\n", label, rssFirst)
	fmt.Printf("desktop_rss%s_mb %.1f MiB\n", label, rssAll)
	fmt.Printf("desktop_rss_anon%s_mb %.1f MiB\n", label, anonAll)
	fmt.Printf("desktop_save_ms %.1f ms\n", ms)
	fmt.Printf("desktop_rss_fyne_floor_mb %.1f MiB\n", floor)
	fmt.Printf("desktop_rss_app_share_mb %.1f MiB\n", rssAll-floor)
}

// measureFloor runs testdata/fynefloor on d, visits its two tabs as
// probe visits the app's, and returns its resident MiB. With dump set it
// keeps the floor's smaps there and writes breakdown.txt beside the
// app's (appMaps), also logged.
func measureFloor(b *testing.B, d *display, dump string, appMaps map[string]int) float64 {
	f := startProgram(b, d, floorBinary(b), "Fyne floor")
	waitText(f, "第一页的标签")
	time.Sleep(time.Second)
	f.click("第二页")
	waitText(f, "第二页的标签")
	time.Sleep(time.Second)
	pid := f.cmd.Process.Pid
	rss := rssOf(b, pid)
	if dump != "" {
		floorMaps := readSmaps(b, pid, dump, "floor")
		path := filepath.Join(dump, "breakdown.txt")
		if err := compareMappings(path, floorMaps, appMaps); err != nil {
			b.Fatal(err)
		}
		table, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("resident memory by mapping, floor and app:\n%s", table)
	}
	f.checkNoPanic()
	f.cmd.Process.Kill()
	<-f.exited
	return rss
}

// dumpHeap has process pid write its heap profile into dir (SIGUSR1, see
// --test-heap-profile).
func dumpHeap(b testing.TB, pid int, dir string) {
	heap := filepath.Join(dir, "heap.txt")
	os.Remove(heap)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if fi, err := os.Stat(heap); err == nil && fi.Size() > 0 {
			time.Sleep(500 * time.Millisecond) // the rest of the file
			return
		}
		if time.Now().After(deadline) {
			b.Fatal("no heap profile written")
		}
	}
}

// waitText waits until one text on the screen contains every part.
func waitText(a *app, parts ...string) {
	a.t.Helper()
	_, ok := a.waitFor(func(m uiMap) (item, bool) {
		for _, it := range m.Items {
			all := it.Text != ""
			for _, p := range parts {
				all = all && strings.Contains(it.Text, p)
			}
			if all {
				return it, true
			}
		}
		return item{}, false
	}, 10*time.Minute)
	if !ok {
		a.t.Fatalf("no text with %q on the screen", parts)
	}
}

var savedLine = regexp.MustCompile(`time=(\S+) level=INFO msg=saved`)

// timeSaves registers n facilities through the form and returns the
// median time from the click on 保存 to the app's "saved" log line,
// written when 已保存到本机 shows.
func timeSaves(a *app, n int) float64 {
	a.t.Helper()
	var ms []float64
	for i := 0; i < n; i++ {
		a.click("新增机构")
		a.fill("机构名称", fmt.Sprintf("探测%03d", i))
		a.choose("请选择机构类型", "老年助餐点")
		a.choose("请选择举办性质", "公办")
		x, y := a.find("保存 (Ctrl+S)", false).center()
		a.must("mousemove", "--window", a.wid, strconv.Itoa(x), strconv.Itoa(y))
		seen := len(savedLine.FindAllString(a.logText(), -1))
		clicked := time.Now()
		a.must("click", "1")
		deadline := time.Now().Add(time.Minute)
		for {
			m := savedLine.FindAllStringSubmatch(a.logText(), -1)
			if len(m) > seen {
				at, err := time.Parse(time.RFC3339Nano, m[len(m)-1][1])
				if err != nil {
					a.t.Fatalf("saved line time: %v", err)
				}
				ms = append(ms, float64(at.Sub(clicked).Microseconds())/1000)
				break
			}
			if time.Now().After(deadline) {
				a.t.Fatalf("save %d did not finish; log:\n%s", i, a.logText())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	sort.Float64s(ms)
	return ms[len(ms)/2]
}

// uptime is seconds since boot, the clock /proc/PID/stat counts in.
func uptime(b testing.TB) float64 {
	raw, err := os.ReadFile("/proc/uptime")
	if err != nil {
		b.Fatal(err)
	}
	v, err := strconv.ParseFloat(strings.Fields(string(raw))[0], 64)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// procStart is when process pid started, in seconds since boot.
func procStart(b testing.TB, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name in parentheses may hold spaces; fields count
	// from after it. starttime is field 22, the 20th after ")".
	rest := string(raw[bytes.LastIndexByte(raw, ')')+2:])
	ticks, err := strconv.ParseFloat(strings.Fields(rest)[19], 64)
	if err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err != nil {
		b.Fatal(err)
	}
	hz, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		b.Fatal(err)
	}
	return ticks / hz
}

// rssOf is process pid's resident memory in MiB.
func rssOf(b testing.TB, pid int) float64 { return statusMiB(b, pid, "VmRSS:") }

// statusMiB reads one kB figure of /proc/PID/status in MiB.
func statusMiB(b testing.TB, pid int, field string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
