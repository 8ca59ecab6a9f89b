// Package realwindow drives the real desktop app in a real X window, the
// way a person does: it starts its own Xvfb, starts bin/desktop (built
// with -tags uimap so the window reports where its widgets are), and sends
// X input events with xdotool — mouse clicks, keys, Chinese text. After
// each step it saves a screenshot of the screen into the test's temp
// folder; at the end it checks the process is alive, its log has no
// panic, and what was typed is in the store.
//
// Fyne's test driver cannot catch what these tests catch: it has no
// canvas cache, so a widget the real window cannot find still works there
// (fyne-io/fyne#5965 crashed every dropdown of two tabs that way).
package realwindow

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// program is a binary built once per test run.
type program struct {
	once sync.Once
	path string
	err  error
}

var (
	desktopProgram program
	floorProgram   program
)

// desktopBinary builds the app as make builds it (the tags in
// cmd/desktop/buildtags) with its widget map compiled in. The build
// shares the Go build cache, so only the first run pays for Fyne's cgo
// parts.
func desktopBinary(t testing.TB) string {
	t.Helper()
	return desktopProgram.build(t, "desktop", "./cmd/desktop")
}

// floorBinary builds testdata/fynefloor, the bare window of the app's
// theme, with the app's tags.
func floorBinary(t testing.TB) string {
	t.Helper()
	return floorProgram.build(t, "fynefloor", "./desktop/realwindow/testdata/fynefloor")
}

// build builds package pkg (relative to the repository's root) as name
// with the app's tags and uimap, once.
func (p *program) build(t testing.TB, name, pkg string) string {
	t.Helper()
	p.once.Do(func() {
		var dir string
		dir, p.err = os.MkdirTemp("", "laoxiao-realwindow-bin")
		if p.err != nil {
			return
		}
		root := repoRoot()
		var tags []byte
		tags, p.err = os.ReadFile(filepath.Join(root, "cmd", "desktop", "buildtags"))
		if p.err != nil {
			return
		}
		p.path = filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-tags", "uimap,"+strings.TrimSpace(string(tags)), "-o", p.path, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			p.err = fmt.Errorf("go build %s: %v\n%s", name, err, out)
		}
	})
	if p.err != nil {
		t.Fatal(p.err)
	}
	return p.path
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// requireTools fails (never skips) when the machine lacks what the test
// needs: make test installs it through scripts/install-deps.sh.
func requireTools(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; run scripts/install-deps.sh (make test does)", tool)
		}
	}
}

// display is a private Xvfb server whose framebuffer is a file we read
// for screenshots.
type display struct {
	name  string // ":N"
	fbdir string
	cmd   *exec.Cmd
}

func startDisplay(t testing.TB) *display {
	t.Helper()
	requireTools(t)
	fbdir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -displayfd picks a free display number and writes it to fd 3, so
	// parallel tests and a developer's own X never collide.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-fbdir", fbdir, "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	// Read up to the newline and keep the pipe open until Xvfb exits:
	// Xvfb dies with "Cannot write display number" if the reader goes
	// away between its writes.
	num := make(chan string, 1)
	go func() {
		defer r.Close()
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
		io.Copy(io.Discard, r)
	}()
	d := &display{fbdir: fbdir, cmd: cmd}
	select {
	case n := <-num:
		if n == "" {
			t.Fatalf("Xvfb gave no display number: %s", stderr.String())
		}
		d.name = ":" + n
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("Xvfb did not start: %s", stderr.String())
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// Wait until the server answers; a client that connects too early
	// gets "Failed to open display".
	for i := 0; ; i++ {
		probe := exec.Command("xdotool", "getdisplaygeometry")
		probe.Env = append(os.Environ(), "DISPLAY="+d.name)
		if probe.Run() == nil {
			break
		}
		if i == 100 {
			t.Fatalf("Xvfb on %s does not answer: %s", d.name, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return d
}

// app is the running desktop process.
type app struct {
	t       testing.TB
	d       *display
	cmd     *exec.Cmd
	log     *bytes.Buffer
	logMu   *sync.Mutex
	mapPath string
	home    string // the app's HOME, where a first run proposes its data folder
	shots   string
	step    int
	exited  chan struct{}
	wid     string
}

type syncBuffer struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (s syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// startApp runs bin/desktop on d with args and waits for its window.
func startApp(t testing.TB, d *display, args ...string) *app {
	t.Helper()
	return startProgram(t, d, desktopBinary(t), "老小", args...)
}

// startProgram runs bin on d with --ui-map and args, and waits for a
// window whose title contains title.
func startProgram(t testing.TB, d *display, bin, title string, args ...string) *app {
	t.Helper()
	dir := t.TempDir()
	a := &app{t: t, d: d, log: &bytes.Buffer{}, logMu: &sync.Mutex{}, mapPath: filepath.Join(dir, "uimap.json"),
		home: dir, shots: screenshotDir(t), exited: make(chan struct{})}
	args = append([]string{"--ui-map", a.mapPath}, args...)
	a.cmd = exec.Command(bin, args...)
	out := syncBuffer{mu: a.logMu, buf: a.log}
	a.cmd.Stdout, a.cmd.Stderr = out, out
	// FYNE_SCALE=1 makes one Fyne unit one pixel, so the map's
	// coordinates are the window's; HOME keeps Fyne's preferences (the
	// last data folder) out of the developer's own.
	a.cmd.Env = append(os.Environ(), "DISPLAY="+d.name, "FYNE_SCALE=1", "HOME="+dir,
		"LC_MESSAGES=zh_CN.UTF-8", "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "LAOXIAO_LOG=info")
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", filepath.Base(bin), err)
	}
	go func() {
		a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() {
		if a.alive() {
			a.cmd.Process.Kill()
			<-a.exited
		}
		t.Logf("screenshots in %s", a.shots)
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := a.xdotool("search", "--sync", "--onlyvisible", "--name", title)
		if err == nil && strings.TrimSpace(out) != "" {
			a.wid = strings.Fields(out)[0]
			break
		}
		if !a.alive() || time.Now().After(deadline) {
			t.Fatalf("the window did not appear; log:\n%s", a.logText())
		}
		time.Sleep(200 * time.Millisecond)
	}
	return a
}

// screenshotDir is $LAOXIAO_SCREENSHOTS/<test> when set (make
// screenshots keeps them), else a folder kept only when the test fails,
// so a failure can be looked at.
func screenshotDir(t testing.TB) string {
	t.Helper()
	name := sanitize(t.Name())
	if root := os.Getenv("LAOXIAO_SCREENSHOTS"); root != "" {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, err := os.MkdirTemp("", "laoxiao-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(dir)
		}
	})
	return dir
}

func (a *app) alive() bool {
	select {
	case <-a.exited:
		return false
	default:
		return true
	}
}

func (a *app) logText() string {
	a.logMu.Lock()
	defer a.logMu.Unlock()
	return a.log.String()
}

func (a *app) xdotool(args ...string) (string, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+a.d.name)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (a *app) must(args ...string) {
	a.t.Helper()
	if _, err := a.xdotool(args...); err != nil {
		a.t.Fatal(err)
	}
	a.checkAlive()
}

// checkAlive fails the test with the app's log when it died.
func (a *app) checkAlive() {
	a.t.Helper()
	time.Sleep(50 * time.Millisecond)
	if !a.alive() {
		a.t.Fatalf("the app died; log:\n%s", a.logText())
	}
}

// item is one entry of the app's widget map (desktop/uimap).
type item struct {
	Type     string  `json:"type"`
	Text     string  `json:"text"`
	X        float32 `json:"x"`
	Y        float32 `json:"y"`
	W        float32 `json:"w"`
	H        float32 `json:"h"`
	Disabled bool    `json:"disabled"`
	Overlay  bool    `json:"overlay"`
	Checked  bool    `json:"checked"`
}

func (it item) center() (int, int) { return int(it.X + it.W/2), int(it.Y + it.H/2) }

type uiMap struct {
	Seq         int    `json:"seq"`
	Title       string `json:"title"`
	Focused     string `json:"focused"`
	FocusedItem *item  `json:"focused_item"`
	Items       []item `json:"items"`
}

// snapshot reads a map written after now, so it shows the effect of the
// input sent before the call.
func (a *app) snapshot() uiMap {
	a.t.Helper()
	first := -1
	deadline := time.Now().Add(45 * time.Second)
	for {
		var m uiMap
		b, err := os.ReadFile(a.mapPath)
		if err == nil && json.Unmarshal(b, &m) == nil {
			if first < 0 {
				first = m.Seq
			} else if m.Seq >= first+2 {
				return m
			}
		}
		a.checkAlive()
		if time.Now().After(deadline) {
			a.t.Fatalf("no widget map from the app; log:\n%s", a.logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inWindow reports whether it can be seen and clicked: inside the window
// and not clipped away under the bottom edge of a list.
func inWindow(it item) bool {
	x, y := it.center()
	return it.W > 0 && it.H > 0 && x >= 0 && y >= 0 && x < 1280 && y < 800
}

// find waits until text is shown (exactly) and returns its item; overlay
// restricts the search to pop-ups when true.
func (a *app) find(text string, overlay bool) item {
	a.t.Helper()
	it, ok := a.waitFor(func(m uiMap) (item, bool) {
		for _, it := range m.Items {
			if it.Text == text && it.Overlay == overlay && strings.HasPrefix(it.Type, "*canvas.Text") && inWindow(it) {
				return it, true
			}
		}
		return item{}, false
	}, 45*time.Second)
	if !ok {
		a.shot("missing-" + text)
		a.t.Fatalf("%q is not on the screen", text)
	}
	return it
}

// waitFor polls the map until match finds something.
func (a *app) waitFor(match func(uiMap) (item, bool), timeout time.Duration) (item, bool) {
	a.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if it, ok := match(a.snapshot()); ok {
			return it, true
		}
		if time.Now().After(deadline) {
			return item{}, false
		}
	}
}

// shows reports whether some text on the screen now contains text.
func (a *app) shows(text string) bool {
	for _, it := range a.snapshot().Items {
		if strings.Contains(it.Text, text) && inWindow(it) {
			return true
		}
	}
	return false
}

// clickAt moves the pointer to window coordinates and clicks button.
func (a *app) clickAt(x, y, button int) {
	a.t.Helper()
	a.must("mousemove", "--window", a.wid, strconv.Itoa(x), strconv.Itoa(y))
	time.Sleep(60 * time.Millisecond)
	a.must("click", strconv.Itoa(button))
	time.Sleep(150 * time.Millisecond)
	a.checkAlive()
}

// click clicks the centre of the text shown on the screen.
func (a *app) click(text string) {
	a.t.Helper()
	x, y := a.find(text, false).center()
	a.clickAt(x, y, 1)
}

// check clicks the check box labelled text until it shows want, and
// fails if one click does not do it.
func (a *app) check(text string, want bool) {
	a.t.Helper()
	box := func() (item, bool) {
		for _, it := range a.snapshot().Items {
			if it.Type == "*widget.Check" && it.Text == text && inWindow(it) {
				return it, true
			}
		}
		return item{}, false
	}
	it, ok := box()
	if !ok {
		a.t.Fatalf("no check box %q on the screen", text)
	}
	if it.Checked == want {
		return
	}
	// A person clicks the box or its words; the empty space to the right
	// of a check box does not toggle it.
	x, y := int(it.X+14), int(it.Y+it.H/2)
	a.clickAt(x, y, 1)
	if it, _ := box(); it.Checked != want {
		a.shot("check-" + text)
		a.t.Fatalf("clicking the check box %q at (%d,%d) did not set it to %v", text, x, y, want)
	}
}

// clickRightOf clicks the input in the form row labelled label: the first
// widget of the given type to the right of the label on the same line.
func (a *app) inputRightOf(label, typ string) item {
	a.t.Helper()
	return a.inputRightOfItem(a.find(label, false), typ)
}

// inputRightOfItem is the first widget of type typ right of the label l
// on the same line.
func (a *app) inputRightOfItem(l item, typ string) item {
	a.t.Helper()
	ly := l.Y + l.H/2
	best := item{}
	for _, it := range a.snapshot().Items {
		if it.Type != typ || it.Overlay || !inWindow(it) || it.X <= l.X+l.W {
			continue
		}
		if ly < it.Y || ly > it.Y+it.H {
			continue
		}
		if best.Type == "" || it.X < best.X {
			best = it
		}
	}
	if best.Type == "" {
		a.t.Fatalf("no %s to the right of %q", typ, l.Text)
	}
	return best
}

// choose opens the dropdown showing current (its placeholder or
// selection) and picks option from the pop-up.
func (a *app) choose(current, option string) {
	a.t.Helper()
	a.click(current)
	a.shot("dropdown-" + current)
	opt := a.find(option, true)
	x, y := opt.center()
	a.clickAt(x, y, 1)
	a.find(option, false)
	a.noOverlay()
}

// noOverlay waits until no pop-up is on the canvas. A Select shows the
// chosen option before its menu is gone; on a loaded machine the menu
// lingers, and a click meant for the next input lands on it (and only
// closes it), so the next input never gets the focus.
func (a *app) noOverlay() {
	a.t.Helper()
	_, ok := a.waitFor(func(m uiMap) (item, bool) {
		for _, it := range m.Items {
			if it.Overlay {
				return item{}, false
			}
		}
		return item{}, true
	}, 45*time.Second)
	if !ok {
		a.shot("overlay-stays")
		a.t.Fatal("a pop-up stays on the screen")
	}
}

// typeText types s (Chinese included) through X key events into the
// focused input. A character missing from the keyboard map is typed by
// xdotool through a spare keycode it remaps for the moment; the app must
// read the event before xdotool maps the keycode back, so Chinese goes a
// character at a time with time for the app to catch up.
func (a *app) typeText(s string) {
	a.t.Helper()
	for _, r := range s {
		if r < 0x80 {
			a.must("type", "--delay", "20", string(r))
			continue
		}
		a.must("type", "--delay", "200", string(r))
	}
	time.Sleep(100 * time.Millisecond)
}

// key sends key presses such as "Tab", "Return", "ctrl+s".
func (a *app) key(keys ...string) {
	a.t.Helper()
	for _, k := range keys {
		a.must("key", k)
		time.Sleep(80 * time.Millisecond)
	}
}

// fill clicks the entry right of label, empties it and types s.
func (a *app) fill(label, s string) {
	a.t.Helper()
	a.fillInput(a.inputRightOf(label, "*desktop.entry"), s)
}

// fillInput empties the input and types s, and checks the input shows s.
// On a loaded machine xdotool can lose a Chinese character (its spare
// keycode is mapped back before the app reads the event); a person
// would see it and type again, and so does the test, a few times.
func (a *app) fillInput(in item, s string) {
	a.t.Helper()
	x, y := in.center()
	for try := 0; ; try++ {
		a.clickAt(x, y, 1)
		a.key("ctrl+a", "BackSpace")
		a.typeText(s)
		got := a.textIn(in)
		if got == s {
			return
		}
		if try == 3 {
			a.shot("typed-" + s)
			a.t.Fatalf("typed %q, the input shows %q", s, got)
		}
		a.t.Logf("typed %q, the input shows %q; typing again", s, got)
	}
}

// textIn is the text shown inside an input's rectangle.
func (a *app) textIn(in item) string {
	a.t.Helper()
	var parts []string
	for _, it := range a.snapshot().Items {
		if it.Type == "*canvas.Text" && !it.Overlay && it.Text != "" &&
			it.X >= in.X && it.X < in.X+in.W && it.Y >= in.Y && it.Y < in.Y+in.H {
			parts = append(parts, it.Text)
		}
	}
	return strings.Join(parts, "")
}

// fillBelow is fill for a label that appears in more than one form: it
// takes the first label below the heading.
func (a *app) fillBelow(heading, label, s string) {
	a.t.Helper()
	h := a.find(heading, false)
	var l item
	for _, it := range a.snapshot().Items {
		if it.Text == label && it.Type == "*canvas.Text" && it.Y > h.Y && inWindow(it) && (l.Type == "" || it.Y < l.Y) {
			l = it
		}
	}
	if l.Type == "" {
		a.t.Fatalf("no %q below %q", label, heading)
	}
	in := a.inputRightOfItem(l, "*desktop.entry")
	a.fillInput(in, s)
}

// shot saves the screen as NN-name.png in the test's screenshot folder.
func (a *app) shot(name string) string {
	a.t.Helper()
	a.step++
	path := filepath.Join(a.shots, fmt.Sprintf("%02d-%s.png", a.step, sanitize(name)))
	img, err := readXWD(filepath.Join(a.d.fbdir, "Xvfb_screen0"))
	if err != nil {
		a.t.Fatalf("screenshot: %v", err)
	}
	f, err := os.Create(path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		a.t.Fatal(err)
	}
	return path
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '(' || r == ')' {
			return '_'
		}
		return r
	}, s)
}

// quit closes the window the normal way (SIGTERM, as a logout does) and
// checks the app stopped cleanly without a panic.
func (a *app) quit() {
	a.t.Helper()
	a.checkNoPanic()
	a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		a.t.Fatalf("the app did not quit; log:\n%s", a.logText())
	}
	a.checkNoPanic()
	if code := a.cmd.ProcessState.ExitCode(); code != 0 {
		a.t.Fatalf("the app exited with %d; log:\n%s", code, a.logText())
	}
}

func (a *app) checkNoPanic() {
	a.t.Helper()
	if l := a.logText(); strings.Contains(l, "panic:") || strings.Contains(l, "fatal error:") || strings.Contains(l, "level=ERROR") {
		a.t.Fatalf("the app's log has a panic:\n%s", l)
	}
}

// readXWD decodes the XWD image Xvfb keeps of its screen (-fbdir): a
// header of 25 CARD32s, the colour map, then 32-bit TrueColor pixels.
func readXWD(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 100 {
		return nil, errors.New("xwd: short file")
	}
	var order binary.ByteOrder = binary.BigEndian
	if order.Uint32(b) > 1<<16 {
		order = binary.LittleEndian
	}
	field := func(i int) int { return int(order.Uint32(b[i*4:])) }
	headerSize, width, height := field(0), field(4), field(5)
	byteOrder, bpp, bytesPerLine, ncolors := field(7), field(11), field(12), field(19)
	if bpp != 32 {
		return nil, fmt.Errorf("xwd: %d bits per pixel, want 32", bpp)
	}
	off := headerSize + ncolors*12
	if off+bytesPerLine*height > len(b) {
		return nil, errors.New("xwd: truncated pixels")
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		row := b[off+y*bytesPerLine:]
		for x := 0; x < width; x++ {
			var p uint32
			if byteOrder == 0 { // LSBFirst
				p = binary.LittleEndian.Uint32(row[x*4:])
			} else {
				p = binary.BigEndian.Uint32(row[x*4:])
			}
			img.SetRGBA(x, y, color.RGBA{R: uint8(p >> 16), G: uint8(p >> 8), B: uint8(p), A: 255})
		}
	}
	return img, nil
}

// cell returns the grid cell in the row labelled row and the column
// headed col (capacity and population sheets).
func (a *app) cell(row, col string) item {
	a.t.Helper()
	r, c := a.find(row, false), a.find(col, false)
	x, y := c.X+c.W/2, r.Y+r.H/2
	for _, it := range a.snapshot().Items {
		if it.Type == "*desktop.cellEntry" && x >= it.X && x <= it.X+it.W && y >= it.Y && y <= it.Y+it.H {
			return it
		}
	}
	a.t.Fatalf("no cell at row %q, column %q", row, col)
	return item{}
}

// focused is the rectangle of the widget with the keyboard focus.
func (a *app) focused() item {
	a.t.Helper()
	m := a.snapshot()
	if m.FocusedItem == nil {
		a.t.Fatal("nothing has the keyboard focus")
	}
	return *m.FocusedItem
}

// scrollTo turns the mouse wheel over the point (x, y) until text is
// inside the window, as a person scrolls a form that is taller than the
// screen.
func (a *app) scrollTo(text string, x, y int) item {
	a.t.Helper()
	for i := 0; i < 30; i++ {
		for _, it := range a.snapshot().Items {
			if it.Text == text && !it.Overlay {
				if it.Y+it.H < 760 && it.Y > 80 {
					return it
				}
				button := "5" // wheel down
				if it.Y <= 80 {
					button = "4"
				}
				a.must("mousemove", "--window", a.wid, strconv.Itoa(x), strconv.Itoa(y))
				a.must("click", button)
				time.Sleep(100 * time.Millisecond)
				break
			}
		}
	}
	a.t.Fatalf("could not scroll %q into view", text)
	return item{}
}

// showing waits until some text on the screen contains text.
func (a *app) showing(text string) {
	a.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !a.shows(text) {
		if time.Now().After(deadline) {
			a.shot("missing-" + text)
			a.t.Fatalf("no text on the screen contains %q", text)
		}
	}
}

// gone waits until no text on the screen contains text.
func (a *app) gone(text string) {
	a.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for a.shows(text) {
		if time.Now().After(deadline) {
			a.shot("still-" + text)
			a.t.Fatalf("%q is still on the screen", text)
		}
	}
}
