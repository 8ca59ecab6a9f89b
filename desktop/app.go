// Package desktop is the Fyne app township staff use to enter their
// figures offline: facilities, monthly beds and childcare places, served
// persons and their visits, village population, the township's own
// indicators and the state of sync. It is a thin face over the agent store:
// every rule it shows comes from the schema's validation or the store, and
// every database or network call runs off the UI goroutine, with results
// handed back through fyne.Do.
//
// app.go wires the window, the data folder, the first-run choice of
// township and the tabs; each tab has its own file; form.go and sheet.go
// hold the form and spreadsheet helpers the tabs share.
package desktop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/desktop/procmem"
	laotheme "laoxiao/desktop/theme"
	"laoxiao/desktop/township"
	"laoxiao/internal/atomicfile"
	"laoxiao/schema"
)

// Options configure Run; cmd/desktop fills them from its flags.
type Options struct {
	// DataDir is the data folder (the agent store). Empty: the folder used
	// last time, or ask.
	DataDir string
	// Passphrase opens an encrypted store.
	Passphrase string
	// Tab is the tab to open first: facilities, capacity, persons,
	// population, indicators, sync or projects.
	Tab string
	// Width and Height of the window (default 1280×800).
	Width, Height float32
	// Logger receives warnings (stderr when nil).
	Logger *slog.Logger
	// OnWindow, when set, is called with the main window once it exists,
	// before it shows; a test build uses it to map the window's widgets.
	// It is called on the UI goroutine and must not block.
	OnWindow func(fyne.Window)
}

// tabNames are the --tab values, in tab order.
var tabNames = []string{"facilities", "capacity", "persons", "population", "indicators", "sync", "projects"}

// appID names the app's preferences (the last data folder).
const appID = "cn.laoxiao.desktop"

// Run starts the app and returns when its window is closed.
func Run(opts Options) error {
	fixLocale()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if opts.Tab != "" && tabIndex(opts.Tab) < 0 {
		return fmt.Errorf("unknown tab %q (want one of %s)", opts.Tab, strings.Join(tabNames, ", "))
	}
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		// GLFW would panic with a stack trace; say what is missing.
		return errors.New("no graphical display: DISPLAY is not set (没有图形界面：请在桌面环境中运行，或先启动 Xvfb 并设置 DISPLAY)")
	}
	procmem.Tune()
	a := app.NewWithID(appID)
	a.Settings().SetTheme(laotheme.New())
	w := a.NewWindow("老小 · 一老一小数据采集")
	width, height := opts.Width, opts.Height
	if width <= 0 || height <= 0 {
		width, height = 1280, 800
	}
	w.Resize(fyne.NewSize(width, height))
	u := newUI(a, w, fyne.Do, opts)
	if opts.OnWindow != nil {
		opts.OnWindow(w)
	}
	u.showPlaceholder("正在启动…")
	a.Lifecycle().SetOnStarted(func() {
		u.begin()
	})
	// Ctrl+C in a terminal or a logout's SIGTERM closes the window the
	// normal way, so sync stops and the store closes cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sig; ok {
			fyne.Do(a.Quit)
		}
	}()
	defer signal.Stop(sig)
	w.SetMaster()
	w.ShowAndRun()
	u.shutdown()
	return u.exitErr
}

// fixLocale makes Fyne pick Chinese for its own words (dialog buttons,
// file picker) and stops the "Error parsing user locale C" it logs under
// LANG=C.UTF-8, the default of many minimal Linux installs. Only the
// message language is changed: LC_MESSAGES is set to zh_CN.UTF-8, and an
// LC_ALL that would override it is moved to LANG so the character type and
// other categories stay as the user had them.
func fixLocale() {
	effective := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			effective = v
			break
		}
	}
	language, _, _ := strings.Cut(effective, ".")
	language, _, _ = strings.Cut(language, "@")
	if language != "" && language != "C" && language != "POSIX" {
		return
	}
	if all := os.Getenv("LC_ALL"); all != "" {
		os.Unsetenv("LC_ALL")
		os.Setenv("LANG", all)
	}
	os.Setenv("LC_MESSAGES", "zh_CN.UTF-8")
	os.Unsetenv("LANGUAGE")
	// Fyne chose its language in a package init, before main could set
	// anything; adding a (empty) translation makes it choose again. The
	// one "Error parsing user locale C" line that init already logged can
	// only be avoided from the environment (make desktop and the
	// screenshot script set LC_MESSAGES).
	if err := lang.AddTranslationsForLocale([]byte("{}"), fyne.Locale("zh-Hans")); err != nil {
		slog.Warn("reload Fyne translations", "err", err)
	}
}

func tabIndex(name string) int {
	for i, n := range tabNames {
		if n == name {
			return i
		}
	}
	return -1
}

// tab is one page of the main window.
type tab interface {
	// build makes the page's widgets once.
	build() fyne.CanvasObject
	// reload reads the page's data again in the background.
	reload()
	// save saves what the page is editing (Ctrl+S).
	save()
}

// releaser is a tab that holds more than it shows (the indicators'
// snapshot of every record): release drops it when the user leaves the
// tab, which then reads its data again when shown.
type releaser interface {
	release()
}

// UI is the running app: the window, the store and the tabs.
type UI struct {
	app  fyne.App
	win  fyne.Window
	opts Options
	log  *slog.Logger

	// post runs a function on the UI goroutine: fyne.Do in the app, a
	// queue the test drains in tests.
	post func(func())
	jobs jobs
	trim trimmer

	dir   string
	st    *agent.Store
	area  township.Area
	prefs prefs

	client   *syncclient.Client
	stopSync context.CancelFunc
	syncDone chan struct{}

	tabs    *container.AppTabs
	pages   []tab
	stale   []bool
	fac     *facilitiesTab
	cap     *capacityTab
	per     *personsTab
	pop     *populationTab
	ind     *indicatorsTab
	syn     *syncTab
	prj     *projectsTab
	saved   *widget.Label
	syncBar *widget.Label
	setup   *setupScreen
	// main is set while the main screen shows, placeholder while a
	// "please wait" line does.
	main, placeholder bool

	exitErr error
}

func newUI(a fyne.App, w fyne.Window, post func(func()), opts Options) *UI {
	u := &UI{app: a, win: w, opts: opts, post: post, log: opts.Logger}
	if u.log == nil {
		u.log = slog.Default()
	}
	return u
}

// jobs counts background work, so probes, screenshots and tests can wait
// until everything the UI asked for has been read and shown.
type jobs struct {
	mu sync.Mutex
	n  int
}

func (j *jobs) add(d int) {
	j.mu.Lock()
	j.n += d
	j.mu.Unlock()
}

func (j *jobs) busy() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n > 0
}

// waitIdle waits until no background job runs, up to timeout.
func (j *jobs) waitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for j.busy() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// bg runs work off the UI goroutine and the function it returns (if any)
// back on it. Every store call of the app goes through here.
func (u *UI) bg(work func() func()) {
	u.jobs.add(1)
	go func() {
		defer u.jobs.add(-1)
		apply := work()
		u.trim.soon()
		if apply != nil {
			u.post(apply)
		}
	}()
}

// showPlaceholder shows a one-line message as the whole window.
func (u *UI) showPlaceholder(msg string) {
	u.main, u.placeholder = false, true
	u.win.SetContent(container.NewCenter(widget.NewLabel(msg)))
}

// begin opens the data folder given or used last, or asks for one.
func (u *UI) begin() {
	dir := u.opts.DataDir
	if dir == "" {
		dir = u.app.Preferences().String("dataDir")
	}
	if dir == "" {
		u.showDataFolder("", "")
		return
	}
	u.openStore(dir, u.opts.Passphrase)
}

// openStore opens the store in dir and goes on to the township choice or
// the main screen.
func (u *UI) openStore(dir, pass string) {
	u.showPlaceholder("正在打开数据文件夹 " + dir + " …")
	u.bg(func() func() {
		st, err := agent.Open(dir, storeOptions(pass, u.log))
		if err != nil {
			return func() { u.showDataFolder(dir, explainOpen(err)) }
		}
		scope, err := st.Scope()
		var p prefs
		if err == nil {
			p, err = loadPrefs(dir)
		}
		if err != nil {
			st.Close()
			return func() { u.showDataFolder(dir, "无法读取数据："+err.Error()) }
		}
		crashed, err := armCrashLog(dir)
		if err != nil {
			// Not being able to record a future crash is no reason to
			// keep anyone from their data.
			u.log.Warn("crash log", "err", err)
		}
		u.trim.setRelease(st.ReleaseMapped, u.log.Warn)
		return func() {
			u.st, u.dir, u.prefs = st, dir, p
			if u.opts.DataDir == "" {
				u.app.Preferences().SetString("dataDir", dir)
			}
			u.enter(scope)
			if crashed != "" {
				u.log.Warn("the last run crashed", "log", crashed)
				dialog.ShowInformation("上次程序意外关闭", crashMessage(crashed), u.win)
			}
		}
	})
}

// explainOpen says in Chinese why a data folder did not open.
func explainOpen(err error) string {
	switch {
	case errors.Is(err, agent.ErrPassphraseRequired):
		return "这个数据文件夹已加密，请输入密码。"
	case errors.Is(err, agent.ErrWrongPassphrase):
		return "密码不正确，请重新输入。"
	case errors.Is(err, agent.ErrNotEncrypted):
		return "这个数据文件夹没有加密，请不要填写密码。"
	case errors.Is(err, agent.ErrLocked):
		return "这个数据文件夹正被另一个程序使用（可能已经打开了一个窗口），请先关闭它。"
	case errors.Is(err, os.ErrPermission):
		return "没有权限读写这个文件夹，请换一个文件夹。"
	}
	return "无法打开数据文件夹：" + err.Error()
}

// enter shows the main screen for the device's working area, or the
// township choice when there is none yet.
func (u *UI) enter(scope schema.Code) {
	code := township.WorkingArea(scope, u.prefs.Township)
	if code == "" {
		u.showSetup(scope, "")
		return
	}
	area, err := township.NewArea(u.st.Divisions(), code)
	if err != nil {
		u.showSetup(scope, err.Error())
		return
	}
	u.area = area
	u.showMain()
}

// showMain builds the tabs and the status bar and starts sync.
func (u *UI) showMain() {
	u.fac = &facilitiesTab{u: u}
	u.cap = &capacityTab{u: u}
	u.per = &personsTab{u: u}
	u.pop = &populationTab{u: u}
	u.ind = &indicatorsTab{u: u}
	u.syn = &syncTab{u: u}
	u.prj = &projectsTab{u: u}
	u.pages = []tab{u.fac, u.cap, u.per, u.pop, u.ind, u.syn, u.prj}
	u.stale = make([]bool, len(u.pages))
	titles := []string{"机构", "床位/托位", "服务对象与探访", "人口", "本乡镇指标", "同步", "项目"}
	items := make([]*container.TabItem, len(u.pages))
	for i, p := range u.pages {
		items[i] = container.NewTabItem(titles[i], p.build())
		u.stale[i] = true
	}
	u.tabs = container.NewAppTabs(items...)
	shown := -1
	u.tabs.OnSelected = func(*container.TabItem) {
		if shown >= 0 && shown != u.tabs.SelectedIndex() {
			if r, ok := u.pages[shown].(releaser); ok {
				r.release()
				u.stale[shown] = true
			}
		}
		shown = u.tabs.SelectedIndex()
		u.refreshIfStale()
		// Drawing the tab makes garbage, Go's and the GL driver's, even
		// when it reads nothing; return it once the tab is up. Without
		// this, going back to a tab whose data had not changed kept
		// about 7 MiB (desktop_rss_100k_mb 191.4, 193.6 → 184.7, 184.2).
		u.trim.soon()
	}
	u.saved = widget.NewLabel("")
	u.saved.Truncation = fyne.TextTruncateEllipsis
	u.syncBar = widget.NewLabel("")
	head := widget.NewLabelWithStyle(u.area.Full+" · 一老一小数据采集", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	status := container.NewBorder(nil, nil, nil, u.syncBar, u.saved)
	u.win.SetContent(container.NewBorder(head, status, nil, nil, u.tabs))
	u.win.SetTitle("老小 · " + u.area.Full)
	u.main, u.placeholder = true, false
	u.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { u.saveCurrent() })
	u.syn.refresh()
	if i := tabIndex(u.opts.Tab); i >= 0 {
		u.tabs.SelectIndex(i)
	}
	u.refreshIfStale()
	u.startSync()
}

// saveCurrent saves what the visible tab is editing.
func (u *UI) saveCurrent() {
	if u.tabs != nil {
		u.pages[u.tabs.SelectedIndex()].save()
	}
}

// refreshIfStale reloads the visible tab if its data changed since it
// last loaded.
func (u *UI) refreshIfStale() {
	i := u.tabs.SelectedIndex()
	if i >= 0 && u.stale[i] {
		u.stale[i] = false
		u.pages[i].reload()
	}
}

// changed marks every tab but from as stale after a write (or a download
// when from is nil) and reloads the visible one, so figures entered on one
// tab show at once on the others.
func (u *UI) changed(from tab) {
	for i, p := range u.pages {
		if p != from {
			u.stale[i] = true
		}
	}
	u.refreshIfStale()
	u.syn.refresh()
}

// savedOK tells the user a save is on disk, which is the agent's guarantee
// once Put returned.
func (u *UI) savedOK(what string) {
	// The start-up bench times clicks on 保存 to this line.
	u.log.Info("saved", "what", what)
	u.saved.Importance = widget.SuccessImportance
	u.saved.SetText(fmt.Sprintf("✓ 已保存到本机（%s）：%s", time.Now().Format("15:04:05"), what))
	if u.client != nil && u.client.State().Phase == syncclient.PhaseIdle {
		// Online a moment ago: send it now rather than at the next tick.
		u.client.Kick()
	}
}

// failed shows an error that is not about a field (the disk is full, the
// store is closed).
func (u *UI) failed(what string, err error) {
	u.log.Error(what, "err", err)
	u.saved.Importance = widget.DangerImportance
	u.saved.SetText("✗ " + what + "：" + err.Error())
}

// startSync runs the sync client in the background whenever the device is
// enrolled.
func (u *UI) startSync() {
	if u.client != nil {
		return
	}
	st := u.st
	u.bg(func() func() {
		_, ok, err := st.Enrollment()
		if err != nil || !ok {
			return nil
		}
		return func() { u.runSync() }
	})
}

func (u *UI) runSync() {
	if u.client != nil || u.st == nil {
		return
	}
	c := syncclient.New(u.st, u.log)
	c.OnState = func(s syncclient.State) { u.post(func() { u.syn.setState(s) }) }
	ctx, cancel := context.WithCancel(context.Background())
	u.client, u.stopSync, u.syncDone = c, cancel, make(chan struct{})
	done := u.syncDone
	go func() {
		defer close(done)
		c.Run(ctx, time.Minute)
	}()
}

// shutdown stops sync and closes the store after the window closed.
func (u *UI) shutdown() {
	if u.stopSync != nil {
		u.stopSync()
		select {
		case <-u.syncDone:
		case <-time.After(20 * time.Second):
			u.log.Warn("sync did not stop in time")
		}
	}
	u.jobs.waitIdle(30 * time.Second)
	u.trim.stop()
	if u.st != nil {
		if err := u.st.Close(); err != nil && u.exitErr == nil {
			u.exitErr = err
		}
	}
}

// prefs are the app's settings kept in the data folder, so they travel
// with the data when a folder is copied to another laptop.
type prefs struct {
	// Township is the township chosen when the device's scope is wider
	// (a county office's laptop) or before enrolment.
	Township schema.Code `json:"township,omitempty"`
	// Visitor is the name last entered as visitor, offered again.
	Visitor string `json:"visitor,omitempty"`
}

const prefsFile = "desktop.json"

func loadPrefs(dir string) (prefs, error) {
	var p prefs
	b, err := os.ReadFile(filepath.Join(dir, prefsFile))
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read %s: %w", prefsFile, err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		// A damaged settings file must not lock anyone out of their data.
		return prefs{}, nil
	}
	return p, nil
}

// savePrefs writes the settings whole and synced (internal/atomicfile), so
// a crash never leaves a half-written one or loses the township chosen.
func savePrefs(dir string, p prefs) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, prefsFile), b)
}
