package desktop

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// personsTab registers served persons (服务对象) and records their visits
// (探访/访视). Recording a visit takes a few keystrokes: type part of the
// name or ID number, Enter picks the first match and moves to the outcome
// (date defaults to today, kind to the person's usual visit), Enter saves.
// The persons still to be visited this month are listed first.
type personsTab struct {
	u      *UI
	all    []township.Person
	shown  []int
	month  string
	list   *widget.List
	count  *widget.Label
	search *entry
	cat    *choiceSelect
	loaded bool
	// openWhenLoaded is a person to select once the list is read.
	openWhenLoaded string
	sel            int // index into all of the selected person, -1 for none

	// merged says 已合并到 … on a merged duplicate.
	merged *mergedBanner
	// idWarn says the ID number typed is already registered.
	idWarn *idWarning

	// visit form
	who                           *widget.Label
	visitForm                     *form
	date, visitor, outcome, vnote *entry
	vkind                         *choiceSelect
	visitBtn                      *widget.Button
	history                       *widget.Label
	// visits are the selected person's visits, corrected ones included,
	// newest first; historyRows lists the latest of them, each with a
	// button to correct it.
	visits      []township.HistoryVisit
	historyRows *fyne.Container
	// correcting is the id of the visit the form corrects, "" for a new
	// visit; correctNote and cancelFix say so while it is set.
	correcting  string
	correctNote *widget.Label
	cancelFix   *widget.Button

	// person form
	ptitle             *widget.Label
	personForm         *form
	editing            string
	editingUnit        schema.Code
	name, idnum, birth *entry
	note               *entry
	cats               []*widget.Check // one per schema.PersonCategories
	support            *choiceSelect
	wants              *widget.Check
	status             *choiceSelect
	leftOn             *entry
	// erasedOn is the edited person's erasure date: kept on save, and it
	// locks the identifying fields (the server refuses them anyway).
	erasedOn             string
	unit                 *widget.Select
	psave, pnew, pdelete *widget.Button
}

func (t *personsTab) build() fyne.CanvasObject {
	u := t.u
	t.sel = -1
	t.month = township.ThisMonth(township.Now(u.st))
	t.search = newEntry(u, "输入姓名、拼音(如 zs)或身份证号，回车选中第一个")
	t.search.OnChanged = func(string) { t.applyFilter() }
	t.search.OnSubmitted = func(string) { t.pickFirst() }
	t.cat = newChoiceSelect(withAll("全部类别", schema.PersonCategories), "全部类别")
	t.cat.OnChanged = func(string) { t.applyFilter() }
	t.count = widget.NewLabel("正在读取…")
	t.list = widget.NewList(func() int { return len(t.shown) }, t.createItem, t.updateItem)
	t.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(t.shown) {
			t.selectPerson(t.shown[id])
		}
	}
	left := container.NewBorder(container.NewVBox(t.search, t.cat, t.count), nil, nil, nil, t.list)

	// Visit.
	t.who = bold("请在左侧选择服务对象")
	t.date = newEntry(u, "YYYY-MM-DD")
	t.vkind = newChoiceSelect(schema.VisitKinds, "请选择探访类型")
	t.visitor = newEntry(u, "探访人姓名")
	t.visitor.SetText(u.prefs.Visitor)
	t.outcome = newEntry(u, "如：身体状况良好")
	t.vnote = newEntry(u, "")
	for _, e := range []*entry{t.date, t.visitor, t.outcome, t.vnote} {
		e.OnSubmitted = func(string) { t.saveVisit() }
	}
	t.visitForm = newForm()
	t.visitForm.field("date", "探访日期", t.date)
	t.visitForm.field("kind", "探访类型", t.vkind)
	t.visitForm.field("visitor", "探访人", t.visitor)
	t.visitForm.field("outcome", "探访结果", t.outcome)
	t.visitForm.field("note", "备注", t.vnote)
	t.visitBtn = widget.NewButton("记录探访 (回车)", t.saveVisit)
	t.visitBtn.Importance = widget.HighImportance
	t.history = hint("")
	t.historyRows = container.NewVBox()
	t.correctNote = hint("")
	t.correctNote.Importance = widget.WarningImportance
	t.cancelFix = widget.NewButton("取消更正", t.resetVisit)
	t.correctNote.Hide()
	t.cancelFix.Hide()
	t.merged = newMergedBanner(t.open)
	visitCard := container.NewVBox(bold("记录探访"), t.who, t.merged.object(), t.correctNote, t.visitForm.object(),
		container.NewHBox(t.visitBtn, t.cancelFix), t.history, t.historyRows)

	// Person.
	t.ptitle = bold("登记新服务对象")
	t.name = newEntry(u, "")
	t.idnum = newEntry(u, "18位居民身份证号，新生儿可暂不填")
	t.idnum.OnChanged = t.idChanged
	t.birth = newEntry(u, "YYYY-MM-DD，填了身份证号可不填")
	// Four a row: eight categories side by side would make the window
	// wider than a township laptop's screen.
	catBox := container.NewGridWithColumns(4)
	for _, c := range schema.PersonCategories {
		ch := widget.NewCheck(c.Label, nil)
		t.cats = append(t.cats, ch)
		catBox.Add(ch)
	}
	t.support = newChoiceSelect(schema.SupportModes, "不适用")
	t.wants = widget.NewCheck("有集中供养意愿", nil)
	t.status = newChoiceSelect(schema.PersonStatuses, "在册")
	t.leftOn = newEntry(u, "已故或迁出时填写 YYYY-MM-DD")
	t.unit = widget.NewSelect(u.area.UnitLabels(), nil)
	t.unit.PlaceHolder = "请选择所在村(社区)"
	t.note = newEntry(u, "")
	t.personForm = newForm()
	pf := t.personForm
	pf.field("name", "姓名", t.name)
	t.idWarn = newIDWarning(t.open)
	pf.field("id_number", "身份证号", container.NewVBox(t.idnum, t.idWarn.object()))
	pf.field("birth_date", "出生日期", t.birth)
	pf.field("categories", "类别", catBox)
	pf.field("support_mode", "供养方式", container.NewHBox(t.support, t.wants))
	pf.field("status", "在册状态", t.status)
	pf.field("left_on", "去世或迁出日期", t.leftOn)
	pf.field("unit", "所在村(社区)", t.unit)
	pf.field("note", "备注", t.note)
	t.psave = widget.NewButton("保存对象信息", t.savePerson)
	t.psave.Importance = widget.HighImportance
	t.pnew = widget.NewButton("登记新对象", t.newPerson)
	t.pdelete = widget.NewButton("删除", t.confirmDelete)
	t.pdelete.Importance = widget.DangerImportance
	personCard := container.NewVBox(t.ptitle, pf.object(), container.NewHBox(t.psave, t.pnew, t.pdelete))

	t.newPerson()
	t.resetVisit()
	right := container.NewVScroll(container.NewVBox(visitCard, widget.NewSeparator(), personCard))
	split := container.NewHSplit(left, container.NewPadded(right))
	split.Offset = 0.38
	return split
}

func (t *personsTab) createItem() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state := widget.NewLabel("")
	detail := widget.NewLabel("")
	detail.Importance = widget.LowImportance
	detail.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(container.NewBorder(nil, nil, nil, state, name), detail)
}

func (t *personsTab) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(t.shown) {
		return
	}
	p := &t.all[t.shown[id]]
	box := o.(*fyne.Container)
	top := box.Objects[0].(*fyne.Container)
	name := p.Name
	if p.Erased() {
		name = "(身份信息已删除)"
	}
	top.Objects[0].(*widget.Label).SetText(name)
	state := top.Objects[1].(*widget.Label)
	switch {
	case p.MergedInto != "":
		state.Importance = widget.LowImportance
		state.SetText("已合并")
	case p.Left():
		state.Importance = widget.LowImportance
		state.SetText(schema.LabelOf(schema.PersonStatuses, string(p.Status)) + " " + p.LeftOn)
	case p.Due && p.Has(schema.CatNewborn):
		state.Importance = widget.DangerImportance
		state.SetText("未访视")
	case p.Due:
		state.Importance = widget.DangerImportance
		state.SetText("本月未探访")
	case p.LastVisit != "":
		state.Importance = widget.SuccessImportance
		state.SetText("最近探访 " + p.LastVisit[5:])
	default:
		state.Importance = widget.LowImportance
		state.SetText("")
	}
	box.Objects[1].(*widget.Label).SetText(strings.Join([]string{categoryText(p.Categories),
		t.u.area.UnitLabel(p.Unit), maskID(p.IDNumber)}, " · "))
}

func categoryText(cs []schema.PersonCategory) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = schema.LabelOf(schema.PersonCategories, string(c))
	}
	return strings.Join(parts, "、")
}

// maskID hides the middle of an ID number in the list, which anyone
// passing the screen can read; the form shows it whole.
func maskID(id string) string {
	if len(id) != 18 {
		return id
	}
	return id[:6] + "********" + id[14:]
}

func (t *personsTab) reload() {
	st, area := t.u.st, t.u.area.Code
	t.month = township.ThisMonth(township.Now(st))
	month := t.month
	selected := ""
	if t.sel >= 0 {
		selected = t.all[t.sel].ID
	}
	t.u.bg(func() func() {
		all, err := township.LoadPersons(st, area, month)
		return func() {
			if err != nil {
				t.u.failed("读取服务对象", err)
				return
			}
			t.all, t.sel, t.loaded = all, -1, true
			t.applyFilter()
			if id := t.openWhenLoaded; id != "" {
				t.openWhenLoaded = ""
				t.open(id)
			} else if selected != "" {
				t.reselect(selected)
			}
		}
	})
}

// applyFilter recomputes the visible rows on every keystroke, on the UI
// goroutine: the search is prepared once, and each row's pinyin key was
// made when it was loaded, so matching allocates nothing per row.
func (t *personsTab) applyFilter() {
	q := township.NewPersonQuery(strings.TrimSpace(t.search.Text))
	cat := schema.PersonCategory(t.cat.value())
	t.shown = t.shown[:0]
	due := 0
	for i := range t.all {
		p := &t.all[i]
		if (cat == "" || p.Has(cat)) && q.Match(p) {
			t.shown = append(t.shown, i)
			if p.Due {
				due++
			}
		}
	}
	t.list.UnselectAll()
	t.list.Refresh()
	t.count.SetText(fmt.Sprintf("%s 待探访 %d 人 · 显示 %d 人 / 共 %d 人", t.month, due, len(t.shown), len(t.all)))
}

// pickFirst selects the first match of the search and moves to the
// visit's outcome, the one field a visit usually needs typed.
func (t *personsTab) pickFirst() {
	if len(t.shown) == 0 {
		return
	}
	t.list.ScrollTo(0)
	t.list.Select(0)
	t.u.win.Canvas().Focus(t.outcome)
}

func (t *personsTab) reselect(id string) bool {
	for row, i := range t.shown {
		if t.all[i].ID == id {
			t.list.ScrollTo(row)
			t.list.Select(row)
			return true
		}
	}
	return false
}

// open selects a person by id (from the sync tab), clearing the filters.
func (t *personsTab) open(id string) {
	if !t.loaded {
		t.openWhenLoaded = id
		return
	}
	t.search.SetText("")
	t.cat.ClearSelected()
	t.applyFilter()
	if !t.reselect(id) {
		t.showMoved(id)
	}
}

// selectPerson shows a person in both forms and reads their visits.
func (t *personsTab) selectPerson(i int) {
	t.sel = i
	p := &t.all[i]
	t.who.SetText(fmt.Sprintf("%s（%s · %s）", p.Name, categoryText(p.Categories), t.u.area.UnitLabel(p.Unit)))
	to, found := township.MergedPersonTarget(t.u.st, *p)
	t.merged.show(t.u, p.MergedInto, to, found, "服务对象")
	if in := township.MovedInText(t.u.st.Divisions(), p.Person); in != "" && p.MergedInto == "" {
		t.merged.notice.show(in, false)
	}
	t.resetVisit()
	t.editPerson(p)
	t.showVisits(nil)
	t.history.SetText("正在读取探访记录…")
	st, id := t.u.st, p.ID
	t.u.bg(func() func() {
		vs, err := township.VisitHistory(st, id)
		return func() {
			if t.sel < 0 || t.all[t.sel].ID != id {
				return
			}
			if err != nil {
				t.history.SetText("无法读取探访记录：" + err.Error())
				return
			}
			t.showVisits(vs)
		}
	})
}

// historyShown is how many visits the history lists: the recent ones are
// the ones anyone corrects, and the card must fit beside the list.
const historyShown = 6

// showVisits lists a person's latest visits, each counted one with a
// button to correct it.
func (t *personsTab) showVisits(vs []township.HistoryVisit) {
	t.visits = vs
	t.historyRows.RemoveAll()
	counted := 0
	for _, v := range vs {
		if !v.Corrected {
			counted++
		}
	}
	switch {
	case len(vs) == 0:
		t.history.SetText("还没有探访记录")
	case len(vs) > historyShown:
		t.history.SetText(fmt.Sprintf("探访记录（计入%d次，显示最近%d条）：", counted, historyShown))
	default:
		t.history.SetText(fmt.Sprintf("探访记录（计入%d次）：", counted))
	}
	for i, v := range vs[:min(historyShown, len(vs))] {
		l := widget.NewLabel(visitLine(v.Visit))
		l.Truncation = fyne.TextTruncateEllipsis
		var right fyne.CanvasObject
		if v.Corrected {
			l.Importance = widget.LowImportance
			tag := widget.NewLabel("已更正")
			tag.Importance = widget.LowImportance
			right = tag
		} else {
			right = widget.NewButton("更正", func() { t.correct(i) })
		}
		t.historyRows.Add(container.NewBorder(nil, nil, nil, right, l))
	}
	t.historyRows.Refresh()
}

func visitLine(v township.Visit) string {
	line := v.Date + " " + schema.LabelOf(schema.VisitKinds, string(v.Kind))
	if v.Visitor != "" {
		line += " · " + v.Visitor
	}
	if v.Outcome != "" {
		line += "：" + v.Outcome
	}
	return line
}

// correct fills the visit form with visit i of the history to correct
// it. Visits are insert-only (the store refuses edits), so saving writes
// a new visit that supersedes this one, which then counts no more.
func (t *personsTab) correct(i int) {
	if i < 0 || i >= len(t.visits) || t.visits[i].Corrected {
		return
	}
	v := t.visits[i]
	t.resetVisit()
	t.correcting = v.ID
	t.date.SetText(v.Date)
	t.vkind.setValue(string(v.Kind))
	t.visitor.SetText(v.Visitor)
	t.outcome.SetText(v.Outcome)
	t.vnote.SetText(v.Note)
	t.correctNote.SetText(fmt.Sprintf("正在更正 %s 的探访记录：保存后将新增一条更正记录，原记录标为“已更正”，不再计入探访率。", v.Date))
	t.correctNote.Show()
	t.cancelFix.Show()
	t.visitBtn.SetText("保存更正 (回车)")
	t.u.win.Canvas().Focus(t.outcome)
}

// resetVisit sets the visit form's defaults: today, and the kind of visit
// the selected person is due.
func (t *personsTab) resetVisit() {
	t.date.SetText(township.Today(township.Now(t.u.st)))
	kind := schema.VisitMonthly
	if t.sel >= 0 && t.all[t.sel].Has(schema.CatNewborn) {
		kind = schema.VisitNewborn
	}
	t.vkind.setValue(string(kind))
	t.outcome.SetText("")
	t.vnote.SetText("")
	t.visitForm.clear()
	if t.correcting != "" {
		t.correcting = ""
		t.visitor.SetText(t.u.prefs.Visitor)
		t.correctNote.Hide()
		t.cancelFix.Hide()
		t.visitBtn.SetText("记录探访 (回车)")
	}
}

func (t *personsTab) saveVisit() {
	if t.sel < 0 {
		t.visitForm.show(schema.Problems{{Field: "visit.person", Zh: "请先在左侧选择服务对象"}})
		return
	}
	p := t.all[t.sel]
	v := schema.Visit{Person: p.ID, Date: strings.TrimSpace(halfWidth(t.date.Text)), Visitor: strings.TrimSpace(t.visitor.Text),
		Kind: schema.VisitKind(t.vkind.value()), Outcome: strings.TrimSpace(t.outcome.Text), Note: strings.TrimSpace(t.vnote.Text),
		Supersedes: t.correcting}
	st, month, sel := t.u.st, t.month, t.sel
	t.visitBtn.Disable()
	t.u.bg(func() func() {
		_, ps, err := township.Save(st, schema.KindVisit, "", p.Unit, v)
		return func() {
			t.visitBtn.Enable()
			if err != nil {
				t.u.failed("保存探访记录", err)
				return
			}
			if len(ps) > 0 {
				t.visitForm.show(ps)
				return
			}
			what := fmt.Sprintf("%s %s %s", p.Name, v.Date, schema.LabelOf(schema.VisitKinds, string(v.Kind)))
			if v.Supersedes != "" {
				what = "更正探访记录：" + what
			}
			t.u.savedOK(what)
			if v.Visitor != t.u.prefs.Visitor {
				t.u.rememberVisitor(v.Visitor)
			}
			if v.Supersedes != "" {
				// The corrected visit may have been what made the person
				// visited this month: read the list again rather than
				// guess, and keep the person selected.
				t.resetVisit()
				t.reload()
				t.u.changed(t)
				return
			}
			if sel < len(t.all) && t.all[sel].ID == p.ID {
				t.all[sel].NoteVisit(v, month)
			}
			t.list.Refresh()
			t.applyCount()
			if t.sel == sel {
				t.selectPerson(sel)
			}
			// Ready for the next person.
			t.search.SetText("")
			t.u.win.Canvas().Focus(t.search)
			t.u.changed(t)
		}
	})
}

// applyCount refreshes the count line without refiltering, so the list
// does not jump under the user after a visit.
func (t *personsTab) applyCount() {
	due := 0
	for _, i := range t.shown {
		if t.all[i].Due {
			due++
		}
	}
	t.count.SetText(fmt.Sprintf("%s 待探访 %d 人 · 显示 %d 人 / 共 %d 人", t.month, due, len(t.shown), len(t.all)))
}

// idChanged fills the birth date from a complete, valid ID number when it
// is still empty: the number carries it.
func (t *personsTab) idChanged(s string) {
	if t.idWarn != nil {
		t.idWarn.check(t.u, t.all, s, t.editing)
	}
	if strings.TrimSpace(t.birth.Text) != "" {
		return
	}
	if born, err := schema.IDNumberBirthDate(normalizeID(s)); err == nil {
		t.birth.SetText(born.Format(schema.DateLayout))
	}
}

// normalizeID spells an ID number the way records compare it
// (schema.NormalizeIDNumber: half-width, no spaces, a capital X), the one
// rule the server's duplicate detection uses too.
func normalizeID(s string) string { return schema.NormalizeIDNumber(s) }

func (t *personsTab) newPerson() {
	t.editing, t.editingUnit = "", ""
	t.ptitle.SetText("登记新服务对象")
	t.name.SetText("")
	t.idnum.SetText("")
	t.birth.SetText("")
	t.setCategories(nil)
	t.support.setValue("")
	t.wants.SetChecked(false)
	t.status.setValue("")
	t.leftOn.SetText("")
	t.setErased("")
	t.unit.Enable()
	t.unit.ClearSelected()
	t.note.SetText("")
	t.pdelete.Disable()
	t.personForm.clear()
	if t.list != nil && t.sel >= 0 {
		t.sel = -1
		t.list.UnselectAll()
		t.who.SetText("请在左侧选择服务对象")
		t.showVisits(nil)
		t.history.SetText("")
	}
}

func (t *personsTab) editPerson(p *township.Person) {
	t.editing, t.editingUnit = p.ID, p.Unit
	t.ptitle.SetText("服务对象信息：" + p.Name)
	t.name.SetText(p.Name)
	t.birth.SetText(p.BirthDate)
	t.idnum.SetText(p.IDNumber)
	t.setCategories(p.Categories)
	t.support.setValue(string(p.SupportMode))
	t.wants.SetChecked(p.WantsCentralized)
	t.status.setValue(string(p.Status))
	t.leftOn.SetText(p.LeftOn)
	t.setErased(p.ErasedOn)
	t.unit.SetSelected(t.u.area.UnitLabel(p.Unit))
	t.unit.Disable()
	t.note.SetText(p.Note)
	t.pdelete.Enable()
	t.personForm.clear()
}

// setErased locks the identifying fields of a person whose identity the
// county erased after its retention period, and says so in the title.
func (t *personsTab) setErased(on string) {
	t.erasedOn = on
	for _, e := range []*entry{t.name, t.idnum, t.birth} {
		if on != "" {
			e.Disable()
		} else {
			e.Enable()
		}
	}
	if on != "" {
		t.ptitle.SetText("服务对象信息：身份信息已于 " + on + " 按保存期限删除")
	}
}

// setCategories ticks exactly the given categories.
func (t *personsTab) setCategories(cs []schema.PersonCategory) {
	for i, c := range schema.PersonCategories {
		on := false
		for _, x := range cs {
			on = on || string(x) == c.Value
		}
		t.cats[i].SetChecked(on)
	}
}

// personValue reads the person form; categories keep the schema's order
// whatever order they were ticked in.
func (t *personsTab) personValue() (schema.Person, schema.Code) {
	var cats []schema.PersonCategory
	for i, c := range schema.PersonCategories {
		if t.cats[i].Checked {
			cats = append(cats, schema.PersonCategory(c.Value))
		}
	}
	p := schema.Person{Name: strings.TrimSpace(t.name.Text), IDNumber: normalizeID(t.idnum.Text),
		BirthDate: strings.TrimSpace(halfWidth(t.birth.Text)), Categories: cats,
		SupportMode: schema.SupportMode(t.support.value()), WantsCentralized: t.wants.Checked,
		Note: strings.TrimSpace(t.note.Text), Status: schema.PersonStatus(t.status.value()),
		LeftOn: strings.TrimSpace(halfWidth(t.leftOn.Text)), ErasedOn: t.erasedOn}
	unit := t.editingUnit
	if unit == "" {
		unit, _ = t.u.area.UnitByLabel(t.unit.Selected)
	}
	return p, unit
}

func (t *personsTab) savePerson() {
	p, unit := t.personValue()
	if unit == "" {
		t.personForm.show(schema.Problems{{Field: "person.unit", Zh: "请选择所在村(社区)"}})
		return
	}
	if t.editing == "" && t.idWarn.has {
		t.u.confirm("身份证号已登记", t.idWarn.message(t.u)+"。仍要登记为新的服务对象吗？(同一人请打开原记录修改)", "仍然登记",
			func() { t.savePersonValue(p, unit) })
		return
	}
	t.savePersonValue(p, unit)
}

// savePersonValue saves the person form's value.
func (t *personsTab) savePersonValue(p schema.Person, unit schema.Code) {
	t.u.saveForm(t, t.psave, t.personForm, "保存服务对象", "服务对象“"+p.Name+"”",
		schema.KindPerson, t.editing, unit, p, func(newID string) {
			t.putPerson(township.Person{ID: newID, Unit: unit, Person: p})
		})
}

// putPerson updates the in-memory list after a save and selects the
// person, ready for a visit.
func (t *personsTab) putPerson(p township.Person) {
	for i := range t.all {
		if t.all[i].ID == p.ID {
			// Keep what the visits said about them.
			p.LastVisit, p.Due = t.all[i].LastVisit, t.all[i].Due
			t.all[i] = p
			t.list.Refresh()
			t.selectPerson(i)
			return
		}
	}
	t.all = append([]township.Person{township.NewPersonRow(p.ID, p.Unit, p.Person)}, t.all...)
	t.applyFilter()
	t.reselect(p.ID)
}

// confirmDelete deletes the person in the form after asking.
func (t *personsTab) confirmDelete() {
	id, name := t.editing, strings.TrimSpace(t.name.Text)
	if id == "" {
		return
	}
	t.u.confirmDelete("服务对象", fmt.Sprintf("确定删除“%s”吗？已有的探访记录会保留，但不再计入探访率。", name),
		schema.KindPerson, id, name, t, func() {
			for i := range t.all {
				if t.all[i].ID == id {
					t.all = append(t.all[:i], t.all[i+1:]...)
					break
				}
			}
			t.sel = -1
			t.newPerson()
			t.applyFilter()
		})
}

func (t *personsTab) save() {
	if t.u.win.Canvas().Focused() == t.outcome || t.u.win.Canvas().Focused() == t.vnote ||
		t.u.win.Canvas().Focused() == t.date || t.u.win.Canvas().Focused() == t.visitor {
		t.saveVisit()
		return
	}
	t.savePerson()
}
