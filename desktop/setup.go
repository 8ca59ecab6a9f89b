package desktop

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"laoxiao/agent/syncclient"
	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// First run: the data folder, then the township the laptop enters data
// for, then either enrolment with the county's server or offline use.

// defaultDataDir is where a first run proposes to keep the data.
func defaultDataDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "laoxiao-data")
	}
	return "laoxiao-data"
}

// boxed centres content at a fixed width, the way a first-run page
// should look on a wide screen.
func boxed(width float32, content fyne.CanvasObject) fyne.CanvasObject {
	size := fyne.NewSize(width, content.MinSize().Height)
	return container.NewCenter(container.NewGridWrap(size, content))
}

// showDataFolder asks where the data lives (and its password, if it is
// encrypted).
func (u *UI) showDataFolder(dir, msg string) {
	u.main, u.placeholder = false, false
	if dir == "" {
		dir = defaultDataDir()
	}
	path := newEntry(u, "")
	path.SetText(dir)
	pass := widget.NewPasswordEntry()
	pass.PlaceHolder = "不加密请留空"
	note := problemLabel()
	if msg != "" {
		note.SetText(msg)
		note.Show()
	}
	choose := widget.NewButton("选择…", func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				path.SetText(l.Path())
			}
		}, u.win)
		d.Show()
	})
	open := widget.NewButton("打开", func() {
		d := strings.TrimSpace(path.Text)
		if d == "" {
			note.SetText("请填写数据文件夹")
			note.Show()
			return
		}
		u.openStore(d, pass.Text)
	})
	open.Importance = widget.HighImportance
	path.OnSubmitted = func(string) { open.OnTapped() }
	pass.OnSubmitted = func(string) { open.OnTapped() }
	f := newForm()
	f.field("", "数据文件夹", container.NewBorder(nil, nil, nil, choose, path))
	f.field("", "密码", pass)
	content := container.NewVBox(
		bold("欢迎使用老小 · 一老一小数据采集"),
		hint("所有录入的数据都先保存在这台电脑的数据文件夹里，没有网络也能正常使用，联网后自动同步到区县服务器。"+
			"第一次使用请选择一个文件夹（可以是新建的空文件夹）。设置密码后，数据在硬盘上加密保存，每次打开都需要输入密码。"),
		f.object(), note, open)
	u.win.SetContent(boxed(640, content))
}

// setupScreen holds the first-run page's inputs (for tests).
type setupScreen struct {
	county, town   *widget.Select
	offline, enrol *widget.Button
	server, code   *entry
	note, enrolMsg *widget.Label
}

// townshipPicker is the first-run page's choice of county and township.
type townshipPicker struct {
	counties     []township.County
	towns        []schema.Unit // of the county selected
	county, town *widget.Select
}

// newTownshipPicker offers the counties within scope (every county when
// scope is "": a county office's laptop chooses among its own townships
// only) and their townships, with the township chosen before, if any,
// already selected.
func newTownshipPicker(divs *schema.Divisions, scope, before schema.Code) *townshipPicker {
	p := &townshipPicker{}
	for _, c := range township.Counties(divs, "") {
		if scope == "" || c.Unit.Code.Within(scope) {
			p.counties = append(p.counties, c)
		}
	}
	names := make([]string, len(p.counties))
	for i, c := range p.counties {
		names[i] = c.Unit.Name
	}
	p.town = widget.NewSelect(nil, nil)
	p.town.PlaceHolder = "请选择乡镇(街道)"
	p.county = widget.NewSelect(names, func(string) {})
	p.county.PlaceHolder = "请选择区县"
	p.county.OnChanged = func(string) { p.countyChanged() }
	for i, c := range p.counties {
		for _, t := range c.Townships {
			if t.Code == before {
				p.county.SetSelectedIndex(i)
				p.town.SetSelected(t.Name)
			}
		}
	}
	return p
}

// countyChanged offers the selected county's townships, none selected.
func (p *townshipPicker) countyChanged() {
	i := p.county.SelectedIndex()
	if i < 0 {
		return
	}
	p.towns = p.counties[i].Townships
	opts := make([]string, len(p.towns))
	for j, t := range p.towns {
		opts[j] = t.Name
	}
	p.town.Options = opts
	p.town.ClearSelected()
	p.town.Refresh()
}

// chosen is the selected township, or "".
func (p *townshipPicker) chosen() schema.Code {
	if i := p.town.SelectedIndex(); i >= 0 && i < len(p.towns) {
		return p.towns[i].Code
	}
	return ""
}

// showSetup asks for the township (when the scope does not fix it) and
// offers enrolment or offline use.
func (u *UI) showSetup(scope schema.Code, msg string) {
	u.main, u.placeholder = false, false
	picker := newTownshipPicker(u.st.Divisions(), scope, u.prefs.Township)
	countySel, townSel, chosen := picker.county, picker.town, picker.chosen
	note := problemLabel()
	if msg != "" {
		note.SetText(msg)
		note.Show()
	}
	// A choice answers "please choose a township": the note goes.
	townSel.OnChanged = func(string) { note.Hide() }
	offline := widget.NewButton("先离线录入，以后再注册", func() {
		code := chosen()
		if code == "" {
			note.SetText("请先选择本机负责的乡镇(街道)")
			note.Show()
			return
		}
		u.chooseTownship(scope, code)
	})
	server := newEntry(u, "区县服务器地址，如 http://192.168.1.10:8443")
	code := newEntry(u, "区县管理员发给本机的一次性注册码")
	name := newEntry(u, "本机名称，如 草坝镇民政办笔记本")
	ca := newCertPicker(u)
	enrolMsg := problemLabel()
	var enrolBtn *widget.Button
	enrolBtn = widget.NewButton("注册并开始同步", func() {
		enrolBtn.Disable()
		u.enrol(server.Text, code.Text, name.Text, ca.Path(), chosen(), func(errText string) {
			enrolBtn.Enable()
			if errText != "" {
				enrolMsg.SetText(errText)
				enrolMsg.Show()
			}
		})
	})
	enrolBtn.Importance = widget.HighImportance
	u.setup = &setupScreen{county: countySel, town: townSel, offline: offline, enrol: enrolBtn,
		server: server, code: code, note: note, enrolMsg: enrolMsg}
	choose := newForm()
	choose.field("", "区县", countySel)
	choose.field("", "乡镇(街道)", townSel)
	enrol := newForm()
	enrol.field("", "服务器地址", server)
	enrol.field("", "注册码", code)
	enrol.field("", "本机名称", name)
	enrol.field("", "证书文件", ca.box)
	content := container.NewVBox(
		bold("第一步：选择本机负责的乡镇(街道)"),
		hint("机构、服务对象和人口都按乡镇(街道)登记。注册后，服务器会确认本机的管辖范围。"),
		choose.object(), note,
		widget.NewSeparator(),
		bold("第二步：注册（有网络和注册码时）"),
		enrol.object(), enrolMsg, enrolBtn,
		widget.NewSeparator(),
		bold("暂时没有网络或注册码？"),
		hint("可以先离线录入，数据保存在本机；以后在“同步”页注册，之前录入的数据会一并同步。"),
		offline)
	u.win.SetContent(boxed(680, content))
}

// chooseTownship records the township the user picked and opens the main
// screen. Before enrolment it becomes the store's scope, so validation
// keeps every entry inside it; with a wider scope it is only remembered.
func (u *UI) chooseTownship(scope, code schema.Code) {
	st, dir := u.st, u.dir
	p := u.prefs
	p.Township = code
	u.bg(func() func() {
		var err error
		if scope == "" {
			err = st.SetScope(code)
		}
		if err == nil {
			err = savePrefs(dir, p)
		}
		var newScope schema.Code
		if err == nil {
			newScope, err = st.Scope()
		}
		return func() {
			if err != nil {
				u.showSetup(scope, "无法保存乡镇(街道)设置："+err.Error())
				return
			}
			u.prefs = p
			u.enter(newScope)
		}
	})
}

// enrol trades a one-time code for a token; the server sets the device's
// scope. done gets "" on success or the reason in Chinese.
func (u *UI) enrol(server, code, name, caPath string, chosen schema.Code, done func(errText string)) {
	server, code, name, caPath = strings.TrimSpace(server), strings.TrimSpace(code), strings.TrimSpace(name), strings.TrimSpace(caPath)
	if server == "" || code == "" {
		done("请填写服务器地址和注册码")
		return
	}
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	if pu, err := url.Parse(server); err != nil || pu.Host == "" {
		done("服务器地址格式不正确，应类似 http://192.168.1.10:8443")
		return
	}
	if name == "" {
		if h, err := os.Hostname(); err == nil {
			name = h
		}
	}
	st, dir := u.st, u.dir
	p := u.prefs
	if chosen != "" {
		p.Township = chosen
	}
	before := u.area.Code
	u.bg(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var ca []byte
		var err error
		if caPath != "" {
			if ca, err = os.ReadFile(caPath); err != nil {
				return func() { done("无法读取证书文件：" + caPath) }
			}
		}
		err = syncclient.EnrollWithCA(ctx, st, server, code, name, ca)
		var scope schema.Code
		if err == nil {
			scope, err = st.Scope()
		}
		if err == nil {
			err = savePrefs(dir, p)
		}
		return func() {
			if err != nil {
				done(explainEnroll(err))
				return
			}
			done("")
			u.prefs = p
			area := township.WorkingArea(scope, p.Township)
			if was := firstNonEmpty(before, chosen); was != "" && (area == "" || !was.Within(scope)) {
				divs := st.Divisions()
				dialog.ShowInformation("管辖范围与之前的选择不同",
					fmt.Sprintf("服务器为本机设定的管辖范围是%s，与之前选择的%s不同。之前在%s录入的记录服务器不会接受，"+
						"会列在“同步”页的“被退回的修改”中。如果范围有误，请联系区县管理员。",
						divs.Name(scope), divs.Name(was), divs.Name(was)), u.win)
			}
			if u.main && area == u.area.Code {
				u.runSync()
				u.syn.refresh()
				return
			}
			u.client = nil
			u.enter(scope)
		}
	})
}

func firstNonEmpty(cs ...schema.Code) schema.Code {
	for _, c := range cs {
		if c != "" {
			return c
		}
	}
	return ""
}

// explainEnroll says in Chinese why enrolment failed.
func explainEnroll(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "403"):
		return "注册码无效、已使用或已过期，请向区县管理员索取新的注册码。"
	case errors.Is(err, context.DeadlineExceeded):
		return "连接服务器超时，请检查网络和服务器地址后重试。"
	case strings.Contains(s, "connection refused"), strings.Contains(s, "no such host"),
		strings.Contains(s, "i/o timeout"), strings.Contains(s, "network is unreachable"):
		return "无法连接服务器，请检查网络和服务器地址。也可以先离线录入，以后再注册。"
	case strings.Contains(s, "404"):
		return "这个地址不是老小同步服务器，请核对服务器地址。"
	case strings.Contains(s, "x509:"), strings.Contains(s, "certificate"):
		return "无法验证服务器的证书。如果区县服务器使用自签名证书，请向管理员索取证书文件并填入“证书文件”。"
	}
	return "注册失败：" + s
}

// rememberVisitor keeps the visitor's name for the next visit.
func (u *UI) rememberVisitor(name string) {
	p := u.prefs
	p.Visitor = name
	u.prefs = p
	dir := u.dir
	u.bg(func() func() {
		if err := savePrefs(dir, p); err != nil {
			u.log.Warn("save visitor name", "err", err)
		}
		return nil
	})
}
