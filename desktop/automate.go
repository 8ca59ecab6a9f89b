package desktop

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/driver/software"

	"laoxiao/agent"
	"laoxiao/desktop/demo"
	"laoxiao/schema"
)

// Automation for documentation and benchmarks: --screenshot captures the
// real window through the driver once the chosen tab has loaded, and
// --exit-after-first-frame measures start-up, memory and a durable form
// save. Both run the ordinary app and drive it only through fyne.Do.

// Scenarios set up a state worth a screenshot after the tab loaded.
var scenarios = map[string]func(u *UI){
	// invalid-facility: a facility saved without a name, kind or
	// ownership and with a future opening date, showing the messages
	// beside the fields.
	"invalid-facility": func(u *UI) {
		f := u.fac
		f.clearForm()
		f.name.SetText("")
		f.opened.SetText("2031-02-30")
		f.address.SetText("草坝场镇福寿街12号")
		f.save()
	},
	// invalid-capacity: nursing beds above total beds in the first row.
	"invalid-capacity": func(u *UI) {
		c := u.cap
		for i := range c.rows {
			if c.rows[i].Facility.Kind == schema.FKTekunHome {
				r := &c.sheet.rows[i]
				r.text[0], r.text[1], r.text[2] = "86", "90", "72"
				c.sheet.table.Refresh()
				c.save()
				c.sheet.focus(i, 1)
				return
			}
		}
	},
	// parked: the sync tab with the refused change selected.
	"parked": func(u *UI) {
		if len(u.syn.parked) > 0 {
			u.syn.plist.Select(0)
		}
	},
	// invalid-person: a mistyped ID number.
	"invalid-person": func(u *UI) {
		p := u.per
		p.newPerson()
		p.name.SetText("王秀英")
		p.idnum.SetText("511802195203124427")
		p.birth.SetText("1952-03-12")
		p.setCategories([]schema.PersonCategory{schema.CatAlone, schema.CatOldest})
		p.unit.SetSelectedIndex(1)
		p.savePerson()
	},
}

// automate runs on its own goroutine after the app started.
func (u *UI) automate() {
	start := u.opts.Start
	if start.IsZero() {
		start = time.Now()
	}
	u.waitFirstFrame()
	firstFrame := time.Since(start)
	deadline := time.Now().Add(10 * time.Minute)
	for !u.onUI(func() bool { return u.settledScreen() }) {
		if time.Now().After(deadline) {
			u.fail(fmt.Errorf("the app did not reach a usable screen in time"))
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	u.jobs.waitIdle(10 * time.Minute)
	// Let a frame showing the loaded data reach the screen (the driver
	// draws at 60 Hz).
	time.Sleep(250 * time.Millisecond)
	ready := time.Since(start)

	if sc := u.opts.Scenario; sc != "" && u.opts.Screenshot != "" {
		if f, ok := scenarios[sc]; ok && u.onUI(func() bool { return u.main }) {
			fyne.DoAndWait(func() { f(u) })
			u.jobs.waitIdle(time.Minute)
			time.Sleep(250 * time.Millisecond)
		}
	}
	if u.opts.Screenshot != "" {
		if u.opts.Tab == "sync" {
			// Give the background sync its first attempt, so the page
			// shows a real state rather than "waiting".
			time.Sleep(1500 * time.Millisecond)
			u.jobs.waitIdle(time.Minute)
			time.Sleep(250 * time.Millisecond)
		}
		if err := u.capture(u.opts.Screenshot); err != nil {
			u.fail(err)
			return
		}
	}
	if u.opts.Probe {
		rss, err := rssMiB()
		if err != nil {
			u.fail(err)
			return
		}
		label := ""
		if l := u.opts.ProbeSuffix; l != "" {
			label = "_" + l
		}
		fmt.Fprintf(u.opts.Out, "desktop_first_frame_seconds%s %.3f s\n", label, firstFrame.Seconds())
		fmt.Fprintf(u.opts.Out, "desktop_start_seconds%s %.3f s\n", label, ready.Seconds())
		fmt.Fprintf(u.opts.Out, "desktop_rss%s_mb %.1f MiB\n", label, rss)
		if ms, err := u.probeSaves(); err != nil {
			u.fail(err)
			return
		} else if ms >= 0 {
			fmt.Fprintf(u.opts.Out, "desktop_save_ms %.2f ms\n", ms)
		}
	}
	fyne.DoAndWait(func() { u.app.Quit() })
}

// settledScreen reports whether the app shows something final: the main
// screen, or a first-run page waiting for the user.
func (u *UI) settledScreen() bool {
	if u.main {
		return true
	}
	if u.win.Content() == nil {
		return false
	}
	// The placeholder is a centred single label; first-run pages are not.
	return !u.placeholder
}

// onUI evaluates f on the UI goroutine.
func (u *UI) onUI(f func() bool) bool {
	var v bool
	fyne.DoAndWait(func() { v = f() })
	return v
}

func (u *UI) fail(err error) {
	u.exitErr = err
	fyne.DoAndWait(func() { u.app.Quit() })
}

// waitFirstFrame waits for the driver's loop to run a function queued
// after start-up, then for one more 60 Hz tick: the loop draws the
// window's first frame within that tick. Reading the frame back is not an
// option, because on Xvfb's software GL the front buffer reads back
// black.
func (u *UI) waitFirstFrame() {
	fyne.DoAndWait(func() {})
	time.Sleep(time.Second / 60)
}

// capture writes an image of the window to path: the driver's own
// capture when it works; otherwise, on X11, the window's pixels as the X
// server holds them (ImageMagick's import), which is what GL drew; as a
// last resort the same widget tree drawn by Fyne's software painter.
// Xvfb's software GL reads its front buffer back black, which is why the
// first way alone is not enough under Xvfb.
func (u *UI) capture(path string) error {
	var img image.Image
	fyne.DoAndWait(func() { img = u.win.Canvas().Capture() })
	if img != nil && !blank(img) {
		return writePNG(path, img)
	}
	if xid := u.x11Window(); xid != 0 {
		if imp, err := exec.LookPath("import"); err == nil {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("screenshot %s: %w", path, err)
			}
			out, err := exec.Command(imp, "-window", fmt.Sprintf("0x%x", xid), path).CombinedOutput()
			if err == nil {
				return nil
			}
			u.log.Warn("import could not capture the window; drawing it in software", "err", err, "output", string(out))
		}
	}
	// The window closes right after this, so moving its content to
	// another canvas is harmless.
	fyne.DoAndWait(func() {
		c := u.win.Canvas()
		size := c.Size()
		sc := software.NewCanvas()
		sc.SetPadded(false)
		sc.SetScale(c.Scale())
		sc.SetContent(c.Content())
		sc.Resize(size)
		img = sc.Capture()
	})
	return writePNG(path, img)
}

// x11Window returns the window's X11 id, or 0 elsewhere.
func (u *UI) x11Window() uintptr {
	nw, ok := u.win.(driver.NativeWindow)
	if !ok {
		return 0
	}
	var id uintptr
	fyne.DoAndWait(func() {
		nw.RunNative(func(ctx any) {
			if x, ok := ctx.(driver.X11WindowContext); ok {
				id = x.WindowHandle
			}
		})
	})
	return id
}

// blank reports whether every sampled pixel has one colour.
func blank(img image.Image) bool {
	b := img.Bounds()
	if b.Empty() {
		return true
	}
	r0, g0, b0, _ := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				return false
			}
		}
	}
	return true
}

func writePNG(path string, img image.Image) error {
	if img == nil {
		return fmt.Errorf("screenshot %s: the window gave no image", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	return f.Close()
}

// rssMiB reads this process's resident set size.
func rssMiB() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			kb, err := strconv.ParseFloat(fields[0], 64)
			if err != nil {
				return 0, fmt.Errorf("read RSS: %w", err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("read RSS: no VmRSS line")
}

// probeSaves fills and saves the facility form ProbeSaves times and
// returns the median time from pressing save to "已保存到本机" showing,
// which includes validation, the synced write and updating the list; -1
// when the main screen is not up.
func (u *UI) probeSaves() (float64, error) {
	n := u.opts.ProbeSaves
	if n <= 0 {
		n = 20
	}
	if !u.onUI(func() bool { return u.main }) {
		return -1, nil
	}
	done := make(chan struct{}, 1)
	fyne.DoAndWait(func() {
		u.tabs.SelectIndex(0)
		u.fac.onSaved = func() { done <- struct{}{} }
	})
	u.jobs.waitIdle(10 * time.Minute)
	var ms []float64
	for i := 0; i < n; i++ {
		var t0 time.Time
		fyne.DoAndWait(func() {
			f := u.fac
			f.clearForm()
			f.name.SetText(fmt.Sprintf("启动探测机构%03d", i+1))
			f.kind.setValue(string(schema.FKDayCare))
			f.ownership.setValue(string(schema.OwnPublic))
			t0 = time.Now()
			f.save()
		})
		select {
		case <-done:
		case <-time.After(time.Minute):
			return 0, fmt.Errorf("probe save %d did not finish; last message: %s", i+1, u.saved.Text)
		}
		ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		// Let the refreshes a save starts finish, so saves do not queue
		// behind each other's background work.
		u.jobs.waitIdle(time.Minute)
	}
	sort.Float64s(ms)
	return ms[len(ms)/2], nil
}

// MakeDemo creates a demo data folder for screenshots (records == 0: one
// realistic township) or probes (records > 0: exactly that many records),
// without opening a window. The folder must not hold a store yet.
func MakeDemo(dir string, records int, out io.Writer, log *slog.Logger) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("make demo: %s is not empty", dir)
	}
	st, err := agent.Open(dir, agent.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("make demo: %w", err)
	}
	cfg := demo.Small()
	if records > 0 {
		cfg = demo.Sized(records)
	}
	start := time.Now()
	sum, err := demo.Generate(st, cfg)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("make demo: %w", err)
	}
	fmt.Fprintf(out, "demo data in %s: %s (%.1f s)\n", dir, sum, time.Since(start).Seconds())
	return nil
}
