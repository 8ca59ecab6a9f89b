package desktop

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// syncTab shows whether the laptop is online, what waits to be sent, the
// last success and the last error in plain Chinese, and the changes the
// server refused, each of which can be opened and fixed.
type syncTab struct {
	u *UI

	phase, pending, lastOK, lastErr, server, clock *widget.Label
	restored                                       *widget.Label
	progress                                       *widget.ProgressBar
	syncNow                                        *widget.Button

	enrolBox                 *fyne.Container
	serverIn, codeIn, nameIn *entry
	caIn                     *certPicker
	enrolBtn                 *widget.Button
	enrolMsg                 *widget.Label

	parked                      []parkedRow
	plist                       *widget.List
	psel                        int
	pdetail                     *widget.Label
	openBtn, resendBtn, dropBtn *widget.Button
	ptitle                      *widget.Label

	status    agent.Status
	hasStatus bool
	state     syncclient.State
	hasState  bool
}

// parkedRow is a refused change with a line saying what it was, and for
// a change refused by a lock, whether the lock still holds.
type parkedRow struct {
	p    agent.Parked
	what string
	lock string
}

func (t *syncTab) build() fyne.CanvasObject {
	u := t.u
	t.psel = -1
	t.phase = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.pending = widget.NewLabel("")
	t.progress = widget.NewProgressBar()
	t.progress.Hide()
	t.lastOK = widget.NewLabel("")
	t.lastErr = problemLabel()
	t.server = hint("")
	t.clock = widget.NewLabel("")
	t.clock.Importance = widget.WarningImportance
	t.clock.Wrapping = fyne.TextWrapWord
	t.clock.Hide()
	t.restored = widget.NewLabel("")
	t.restored.Wrapping = fyne.TextWrapWord
	t.restored.Hide()
	t.syncNow = widget.NewButton("立即同步", t.kick)
	t.syncNow.Importance = widget.HighImportance

	t.serverIn = newEntry(u, "区县服务器地址，如 http://192.168.1.10:8443")
	t.codeIn = newEntry(u, "一次性注册码")
	t.nameIn = newEntry(u, "本机名称，如 草坝镇民政办笔记本")
	t.caIn = newCertPicker(u)
	t.enrolMsg = problemLabel()
	t.enrolBtn = widget.NewButton("注册", func() {
		t.enrolBtn.Disable()
		u.enrol(t.serverIn.Text, t.codeIn.Text, t.nameIn.Text, t.caIn.Path(), "", func(errText string) {
			t.enrolBtn.Enable()
			if errText != "" {
				t.enrolMsg.SetText(errText)
				t.enrolMsg.Show()
			} else {
				t.enrolMsg.Hide()
			}
		})
	})
	t.enrolBtn.Importance = widget.HighImportance
	ef := newForm()
	ef.field("", "服务器地址", t.serverIn)
	ef.field("", "注册码", t.codeIn)
	ef.field("", "本机名称", t.nameIn)
	ef.field("", "证书文件", t.caIn.box)
	t.enrolBox = container.NewVBox(bold("注册到区县服务器"),
		hint("本机还没有注册，数据只保存在本机。注册后，已录入的数据会全部同步上去。"), ef.object(), t.enrolMsg, t.enrolBtn)
	t.enrolBox.Hide()

	left := container.NewVBox(t.phase, t.pending, t.progress, t.lastOK, t.lastErr, t.clock, t.restored,
		container.NewHBox(t.syncNow), t.server, t.enrolBox)

	t.ptitle = bold("被服务器退回的修改")
	t.plist = widget.NewList(func() int { return len(t.parked) }, func() fyne.CanvasObject {
		what := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		what.Truncation = fyne.TextTruncateEllipsis
		why := widget.NewLabel("")
		why.Importance = widget.DangerImportance
		why.Truncation = fyne.TextTruncateEllipsis
		return container.NewVBox(what, why)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(t.parked) {
			return
		}
		r := t.parked[id]
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(r.what)
		box.Objects[1].(*widget.Label).SetText(reasonZh(r.p.Rejection))
	})
	t.plist.OnSelected = func(id widget.ListItemID) { t.psel = id; t.showParked() }
	t.pdetail = hint("选择一条查看退回原因。改正后保存，会自动重新提交；也可以直接“重新提交”或“放弃”。")
	t.openBtn = widget.NewButton("打开修改", t.openParked)
	t.openBtn.Importance = widget.HighImportance
	t.resendBtn = widget.NewButton("重新提交", t.resendParked)
	t.dropBtn = widget.NewButton("放弃这条修改", t.discardParked)
	t.dropBtn.Importance = widget.DangerImportance
	t.showParked()
	right := container.NewBorder(t.ptitle,
		container.NewVBox(t.pdetail, container.NewHBox(t.openBtn, t.resendBtn, t.dropBtn)), nil, nil, t.plist)
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.Offset = 0.45
	return split
}

// reasonZh is the refusal in Chinese; older servers may send only English.
func reasonZh(r schema.Rejection) string {
	if r.ReasonZh != "" {
		return r.ReasonZh
	}
	switch r.Code {
	case schema.RejectOutOfScope:
		return "超出本机的管辖范围"
	case schema.RejectReadOnly:
		return "本机无权修改这类记录"
	case schema.RejectUnitChanged:
		return "记录的所属单位不能修改"
	case schema.RejectLocked:
		return "该期间的数据已被区县审核锁定，不能修改；如需修改，请联系区县民政部门解锁"
	}
	return "服务器认为数据不正确：" + r.Reason
}

func (t *syncTab) reload() { t.refresh() }

func (t *syncTab) save() {}

// refresh reads the store's sync status and refused changes again.
func (t *syncTab) refresh() {
	if t.u.st == nil || t.phase == nil {
		return
	}
	st, area := t.u.st, t.u.area
	t.u.bg(func() func() {
		status, err := st.Status()
		var rows []parkedRow
		if err == nil {
			var ps []agent.Parked
			ps, err = st.Parked()
			for _, p := range ps {
				rows = append(rows, parkedRow{p: p, what: describeChange(st, area, p.Change), lock: lockState(st, p.Rejection)})
			}
		}
		return func() {
			if err != nil {
				t.u.failed("读取同步状态", err)
				return
			}
			t.status, t.hasStatus = status, true
			t.parked = rows
			if t.psel >= len(rows) {
				t.psel = -1
			}
			t.plist.UnselectAll()
			t.plist.Refresh()
			t.showParked()
			t.render()
		}
	})
}

// setState shows the sync client's latest state; it runs on the UI
// goroutine. When a run ends the store's counts are read again, and if it
// brought other devices' edits or new targets, every tab is refreshed.
func (t *syncTab) setState(s syncclient.State) {
	prev, had := t.state.Phase, t.hasState
	t.state, t.hasState = s, true
	t.render()
	ended := s.Phase == syncclient.PhaseIdle || s.Phase == syncclient.PhaseOffline
	if !ended || (had && prev == s.Phase) {
		return
	}
	if s.Downloaded > 0 {
		t.u.changed(nil)
		return
	}
	t.refresh()
}

func (t *syncTab) kick() {
	if t.u.client == nil {
		t.u.runSync()
		return
	}
	t.u.client.Kick()
}

// render fills the labels from the last status and client state, one
// part of the tab at a time.
func (t *syncTab) render() {
	enrolled := t.status.Enrolled || t.u.client != nil
	phase := t.renderPhase(enrolled)
	pending := t.renderPending(phase)
	t.renderProgress(phase)
	t.renderLastSync(enrolled)
	t.renderClock()
	t.renderRestored()
	t.renderDevice(enrolled)
	t.ptitle.SetText(fmt.Sprintf("被服务器退回的修改（%d 条）", len(t.parked)))
	t.renderSyncBar(pending)
}

// renderPhase shows what the sync is doing and returns the phase. Before
// the client reported anything, the stored last sync decides between
// waiting and offline.
func (t *syncTab) renderPhase(enrolled bool) syncclient.Phase {
	phase := t.state.Phase
	if !t.hasState {
		phase = syncclient.PhaseIdle
		if t.status.LastSync.Error != "" {
			phase = syncclient.PhaseOffline
		}
	}
	switch {
	case !enrolled:
		t.phase.Importance = widget.WarningImportance
		t.phase.SetText("● 尚未注册：数据只保存在本机")
	case phase == syncclient.PhaseOffline:
		t.phase.Importance = widget.DangerImportance
		t.phase.SetText("● 离线：数据已保存在本机，联网后自动同步")
	case phase == syncclient.PhaseIdle && t.hasState:
		t.phase.Importance = widget.SuccessImportance
		t.phase.SetText("● 在线，已同步")
	case phase == syncclient.PhaseIdle:
		t.phase.Importance = widget.MediumImportance
		t.phase.SetText("● 等待同步")
	default:
		t.phase.Importance = widget.WarningImportance
		t.phase.SetText("● " + phase.Label() + "…")
	}
	return phase
}

// renderPending shows the changes waiting to be sent (the client's live
// count while it sends or receives, the store's otherwise) and returns
// that count.
func (t *syncTab) renderPending(phase syncclient.Phase) int {
	st := t.status
	pending := st.Outbox
	if t.hasState && (phase == syncclient.PhaseSending || phase == syncclient.PhaseReceiving) {
		pending = t.state.Pending
	}
	text := fmt.Sprintf("待上传：%d 条修改", pending)
	if pending > 0 && st.OldestSeq > 0 {
		text += "（最早一条录入于 " + st.OldestAt().Local().Format("2006-01-02 15:04") + "）"
	}
	if st.Parked > 0 {
		text += fmt.Sprintf("；被退回：%d 条", st.Parked)
	}
	t.pending.SetText(text)
	return pending
}

// renderProgress shows the bar while changes are sent or received.
func (t *syncTab) renderProgress(phase syncclient.Phase) {
	s := t.state
	switch {
	case t.hasState && phase == syncclient.PhaseSending && s.Total > 0:
		t.progress.Max = float64(s.Total)
		t.progress.SetValue(float64(min(s.Sent, s.Total)))
		t.progress.Show()
	case t.hasState && phase == syncclient.PhaseReceiving:
		t.progress.Max = 1
		t.progress.SetValue(1)
		t.progress.Show()
	default:
		t.progress.Hide()
	}
}

// renderLastSync shows the last successful sync and, for an enrolled
// device, why the last one failed.
func (t *syncTab) renderLastSync(enrolled bool) {
	st, s := t.status, t.state
	last := st.LastSync.LastOK
	if t.hasState && s.LastSuccess.After(last) {
		last = s.LastSuccess
	}
	if last.IsZero() {
		t.lastOK.SetText("上次成功同步：还没有成功同步过")
	} else {
		t.lastOK.SetText("上次成功同步：" + last.Local().Format("2006-01-02 15:04") + "（" + ago(time.Since(last)) + "）")
	}
	errText := ""
	if t.hasState {
		errText = s.LastErrorZh
	} else if st.LastSync.Error != "" {
		errText = syncclient.Explain(errors.New(st.LastSync.Error))
	}
	if errText != "" && enrolled {
		t.lastErr.SetText("上次同步失败：" + errText)
		t.lastErr.Show()
	} else {
		t.lastErr.Hide()
	}
}

// restoredShown is how long the tab says the server was found restored
// from a backup: long enough for the staff to notice and tell the county.
const restoredShown = 30 * 24 * time.Hour

// renderRestored says when the last sync found the server restored from
// an older backup and how many changes this laptop offered it again.
func (t *syncTab) renderRestored() {
	r := t.status.LastRefill
	if r.At.IsZero() || time.Since(r.At) > restoredShown {
		t.restored.Hide()
		return
	}
	t.restored.Importance = widget.MediumImportance
	if r.Lost > 0 {
		t.restored.Importance = widget.WarningImportance
	}
	t.restored.SetText(r.Zh())
	t.restored.Show()
}

// renderClock warns when this computer's clock is more than two minutes
// off the server's.
func (t *syncTab) renderClock() {
	offset := t.status.ClockOffset
	if t.hasState {
		offset = t.state.ClockOffset
	}
	if offset > 2*time.Minute || offset < -2*time.Minute {
		way := "慢"
		if offset < 0 {
			way, offset = "快", -offset
		}
		t.clock.SetText(fmt.Sprintf("这台电脑的时钟比服务器%s%s，请校准电脑时间。录入记录的时间已按服务器时间自动校正，不影响数据。",
			way, span(offset)))
		t.clock.Show()
	} else {
		t.clock.Hide()
	}
}

// renderDevice shows the server, scope and device id, and offers
// enrolment or the sync button.
func (t *syncTab) renderDevice(enrolled bool) {
	st := t.status
	divs := t.u.st.Divisions()
	scope := "未设定"
	if st.Scope != "" {
		scope = divs.Name(st.Scope) + "（" + string(st.Scope) + "）"
	}
	srv := st.ServerURL
	if srv == "" {
		srv = "未注册"
	}
	t.server.SetText(fmt.Sprintf("服务器：%s\n管辖范围：%s\n本机编号：%s", srv, scope, st.DeviceID))
	if enrolled {
		t.enrolBox.Hide()
		t.syncNow.Enable()
	} else {
		t.enrolBox.Show()
		t.syncNow.Disable()
	}
}

// renderSyncBar repeats the phase's first words and the counts in the
// main window's status bar, in the phase's colour.
func (t *syncTab) renderSyncBar(pending int) {
	if t.u.syncBar == nil {
		return
	}
	line := strings.TrimPrefix(t.phase.Text, "● ")
	if i := strings.Index(line, "："); i > 0 {
		line = line[:i]
	}
	bar := fmt.Sprintf("同步：%s · 待上传 %d 条", line, pending)
	if t.status.Parked > 0 {
		bar += fmt.Sprintf(" · 退回 %d 条", t.status.Parked)
	}
	t.u.syncBar.Importance = t.phase.Importance
	t.u.syncBar.SetText(bar)
}

// ago says how long ago in words.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "刚刚"
	case d < time.Hour:
		return fmt.Sprintf("%d分钟前", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d小时前", int(d.Hours()))
	}
	return fmt.Sprintf("%d天前", int(d.Hours()/24))
}

// span writes a duration as days, hours and minutes.
func span(d time.Duration) string {
	days := int(d.Hours()) / 24
	hours := int(d.Hours()) % 24
	mins := int(d.Minutes()) % 60
	switch {
	case days > 0:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d小时%d分钟", hours, mins)
	}
	return fmt.Sprintf("%d分钟", mins)
}

// lockState says, for a change the server refused because of a lock,
// whether the lock still holds here (ask the county) or has been lifted
// (resubmit); "" for other refusals.
func lockState(st *agent.Store, r schema.Rejection) string {
	if r.Code != schema.RejectLocked || r.Lock == "" {
		return ""
	}
	_, active, err := st.LockByID(r.Lock)
	switch {
	case err != nil:
		return "锁定信息尚未同步到本机；区县解锁后请点“重新提交”。"
	case active:
		return "锁定仍然有效：请联系区县解锁，解锁并同步后再点“重新提交”。"
	}
	return "区县已解锁：可以点“重新提交”。"
}

// describeChange says which record a change is about, in the words the
// tabs use: "床位/托位 · 草坝镇敬老院 2026-11".
func describeChange(st *agent.Store, area township.Area, ch schema.Change) string {
	what := ch.Kind.Label()
	name := ""
	rec, err := st.Get(ch.Kind, ch.ID)
	if err == nil {
		switch ch.Kind {
		case schema.KindFacility:
			var f schema.Facility
			if rec.Decode(&f) == nil {
				name = f.Name
			}
		case schema.KindCapacity:
			var c schema.Capacity
			if rec.Decode(&c) == nil {
				name = c.Period
				if fr, err := st.Get(schema.KindFacility, c.Facility); err == nil {
					var f schema.Facility
					if fr.Decode(&f) == nil {
						name = f.Name + " " + c.Period
					}
				}
			}
		case schema.KindPerson:
			var p schema.Person
			if rec.Decode(&p) == nil {
				name = p.Name
			}
		case schema.KindVisit:
			var v schema.Visit
			if rec.Decode(&v) == nil {
				name = v.Date
				if pr, err := st.Get(schema.KindPerson, v.Person); err == nil {
					var p schema.Person
					if pr.Decode(&p) == nil {
						name = p.Name + " " + v.Date
					}
				}
			}
		case schema.KindPopulation:
			var p schema.Population
			if rec.Decode(&p) == nil {
				name = fmt.Sprintf("%s %d年", area.UnitLabel(ch.Unit), p.Year)
			}
		}
	}
	if ch.Delete {
		what += "（删除）"
	}
	if name == "" {
		name = ch.ID
	}
	return what + " · " + name
}

func (t *syncTab) selected() (parkedRow, bool) {
	if t.psel < 0 || t.psel >= len(t.parked) {
		return parkedRow{}, false
	}
	return t.parked[t.psel], true
}

func (t *syncTab) showParked() {
	r, ok := t.selected()
	if !ok {
		t.pdetail.Importance = widget.LowImportance
		if len(t.parked) == 0 {
			t.pdetail.SetText("没有被退回的修改。")
		} else {
			t.pdetail.SetText("选择一条查看退回原因。改正后保存，会自动重新提交；也可以直接“重新提交”或“放弃”。")
		}
		t.pdetail.Refresh()
		t.openBtn.Disable()
		t.resendBtn.Disable()
		t.dropBtn.Disable()
		return
	}
	fields := make([]string, 0, len(r.p.Change.Set))
	for _, name := range r.p.Change.Set.FieldNames() {
		fields = append(fields, fieldLabel(r.p.Change.Kind, name))
	}
	t.pdetail.Importance = widget.MediumImportance
	text := fmt.Sprintf("%s\n退回原因：%s\n退回时间：%s\n涉及字段：%s", r.what, reasonZh(r.p.Rejection),
		r.p.ParkedAt.Local().Format("2006-01-02 15:04"), strings.Join(fields, "、"))
	if r.lock != "" {
		text += "\n" + r.lock
	}
	t.pdetail.SetText(text)
	t.pdetail.Refresh()
	canOpen := r.p.Change.Kind != schema.KindReported && r.p.Change.Kind != schema.KindTarget && !r.p.Change.Delete
	if canOpen {
		t.openBtn.Enable()
	} else {
		t.openBtn.Disable()
	}
	t.resendBtn.Enable()
	t.dropBtn.Enable()
}

func (t *syncTab) openParked() {
	if r, ok := t.selected(); ok {
		t.u.openRecord(r.p.Change.Kind, r.p.Change.ID)
	}
}

// resendParked sends the change again with the record's current values.
func (t *syncTab) resendParked() {
	r, ok := t.selected()
	if !ok {
		return
	}
	st, seq := t.u.st, r.p.Change.Seq
	t.u.bg(func() func() {
		_, err := st.Unpark(seq)
		return func() {
			if err != nil {
				if ps := township.ProblemsOf(r.p.Change.Kind, err); ps != nil {
					t.pdetail.Importance = widget.DangerImportance
					t.pdetail.SetText("仍有问题，请先打开修改：" + ps.Zh())
					return
				}
				t.u.failed("重新提交", err)
				return
			}
			t.u.savedOK("已重新提交：" + r.what)
			t.psel = -1
			t.refresh()
		}
	})
}

func (t *syncTab) discardParked() {
	r, ok := t.selected()
	if !ok {
		return
	}
	t.u.confirm("放弃这条修改", "放弃后，这条修改不会再提交到服务器。如果它是新建的记录，本机上的这条记录也会删除。确定放弃吗？", "放弃",
		func() {
			st, seq := t.u.st, r.p.Change.Seq
			t.u.bg(func() func() {
				err := st.Discard(seq)
				return func() {
					if err != nil {
						t.u.failed("放弃修改", err)
						return
					}
					t.u.savedOK("已放弃：" + r.what)
					t.psel = -1
					t.u.changed(nil)
				}
			})
		})
}

// unparkAfterFix re-submits the refused changes of a record the user just
// corrected and saved: fixing it is why they opened it.
func (u *UI) unparkAfterFix(kind schema.Kind, ids ...string) {
	st := u.st
	fixed := map[string]bool{}
	for _, id := range ids {
		fixed[id] = true
	}
	u.bg(func() func() {
		ps, err := st.Parked()
		if err != nil {
			return nil
		}
		sent, still := 0, 0
		for _, p := range ps {
			if p.Change.Kind != kind || !fixed[p.Change.ID] {
				continue
			}
			if _, err := st.Unpark(p.Change.Seq); err != nil {
				still++
			} else {
				sent++
			}
		}
		if sent+still == 0 {
			return nil
		}
		return func() {
			msg := u.saved.Text
			if sent > 0 {
				msg += fmt.Sprintf("；已重新提交%d条被退回的修改", sent)
			}
			if still > 0 {
				msg += fmt.Sprintf("；%d条仍有问题，见“同步”页", still)
			}
			u.saved.SetText(msg)
			u.syn.refresh()
			if u.client != nil {
				u.client.Kick()
			}
		}
	})
}

// openRecord shows a record in the tab that edits it.
func (u *UI) openRecord(kind schema.Kind, id string) {
	switch kind {
	case schema.KindFacility:
		u.tabs.SelectIndex(0)
		u.fac.open(id)
	case schema.KindPerson:
		u.tabs.SelectIndex(2)
		u.per.open(id)
	case schema.KindProject:
		u.tabs.SelectIndex(tabIndex("projects"))
		u.prj.open(id)
	case schema.KindCapacity, schema.KindVisit, schema.KindPopulation:
		st := u.st
		u.bg(func() func() {
			rec, v, err := st.GetTyped(kind, id)
			return func() {
				if err != nil {
					u.failed("打开记录", err)
					return
				}
				switch x := v.(type) {
				case *schema.Capacity:
					u.tabs.SelectIndex(1)
					u.cap.openReport(x.Facility, x.Period)
				case *schema.Visit:
					u.tabs.SelectIndex(2)
					u.per.open(x.Person)
				case *schema.Population:
					u.tabs.SelectIndex(3)
					u.pop.openUnit(rec.Unit, x.Year)
				}
			}
		})
	}
}

// fieldLabel names a record field in Chinese, in the words the
// validation messages beside it use.
func fieldLabel(k schema.Kind, field string) string {
	_, zh := schema.FieldLabel(k, field)
	return zh
}
