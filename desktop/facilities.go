package desktop

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// facilitiesTab lists the township's facilities (机构/设施) with a search
// and filters, beside a form to add or edit one.
type facilitiesTab struct {
	u     *UI
	all   []township.Facility
	shown []int // indexes into all that pass the filter
	list  *widget.List
	count *widget.Label
	// merged says 已合并到 … on a merged duplicate.
	merged *mergedBanner

	search                     *entry
	kindFilter, statusFilter   *choiceSelect
	unitFilter                 *widget.Select
	loaded                     bool
	openWhenLoaded             string
	editing                    string      // id of the facility in the form, "" for a new one
	editingUnit                schema.Code // its unit, which cannot change
	title                      *widget.Label
	form                       *form
	name, opened, address      *entry
	kind, ownership, filing    *choiceSelect
	status                     *choiceSelect
	project                    *choiceSelect // the project building it, "无" for none
	unit                       *widget.Select
	unitNote                   *widget.Label
	inclusive, medical, demo   *widget.Check
	saveBtn, newBtn, deleteBtn *widget.Button
}

func (t *facilitiesTab) build() fyne.CanvasObject {
	u := t.u
	t.search = newEntry(u, "按名称、拼音(如 jly)或地址查找")
	t.search.OnChanged = func(string) { t.applyFilter() }
	t.kindFilter = newChoiceSelect(withAll("全部类型", kindChoices()), "全部类型")
	t.kindFilter.OnChanged = func(string) { t.applyFilter() }
	t.statusFilter = newChoiceSelect(withAll("全部状态", schema.FacilityStatuses), "全部状态")
	t.statusFilter.OnChanged = func(string) { t.applyFilter() }
	t.unitFilter = widget.NewSelect(append([]string{"全部村(社区)"}, u.area.UnitLabels()...), func(string) { t.applyFilter() })
	t.unitFilter.PlaceHolder = "全部村(社区)"
	t.count = widget.NewLabel("正在读取…")
	t.list = widget.NewList(func() int { return len(t.shown) }, t.createItem, t.updateItem)
	t.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(t.shown) {
			t.edit(&t.all[t.shown[id]])
		}
	}
	filters := container.NewGridWithColumns(3, t.kindFilter, t.unitFilter, t.statusFilter)
	left := container.NewBorder(container.NewVBox(t.search, filters), t.count, nil, nil, t.list)

	t.title = bold("新增机构")
	t.name = newEntry(u, "如：草坝镇敬老院")
	t.kind = newChoiceSelect(kindChoices(), "请选择机构类型")
	t.ownership = newChoiceSelect(schema.Ownerships, "请选择举办性质")
	t.unit = widget.NewSelect(u.area.UnitLabels(), nil)
	t.unit.PlaceHolder = "请选择所在村(社区)"
	t.unitNote = hint("")
	t.unitNote.Hide()
	t.inclusive = widget.NewCheck("普惠", nil)
	t.medical = widget.NewCheck("医养结合", nil)
	t.demo = widget.NewCheck("示范", nil)
	t.filing = newChoiceSelect(schema.Filings, "请选择备案状态")
	t.opened = newEntry(u, "YYYY-MM-DD，如 2019-06-01")
	t.status = newChoiceSelect(schema.FacilityStatuses, "请选择运营状态")
	t.address = newEntry(u, "")
	for _, e := range []*entry{t.name, t.opened, t.address} {
		e.OnSubmitted = func(string) { t.save() }
	}
	t.form = newForm()
	f := t.form
	f.field("name", "机构名称", t.name)
	f.field("kind", "机构类型", t.kind)
	f.field("ownership", "举办性质", t.ownership)
	f.field("unit", "所在村(社区)", container.NewVBox(t.unit, t.unitNote))
	f.field("inclusive", "标识", container.NewHBox(t.inclusive, t.medical, t.demo))
	f.field("filing", "备案状态", t.filing)
	f.field("opened", "开业日期", t.opened)
	f.field("status", "运营状态", t.status)
	t.project = newChoiceSelect(noProject, "无")
	f.field("project", "所属项目", t.project)
	f.field("address", "地址", t.address)
	t.saveBtn = widget.NewButton("保存 (Ctrl+S)", t.save)
	t.saveBtn.Importance = widget.HighImportance
	t.newBtn = widget.NewButton("新增机构", t.clearForm)
	t.deleteBtn = widget.NewButton("删除", t.confirmDelete)
	t.deleteBtn.Importance = widget.DangerImportance
	buttons := container.NewHBox(t.saveBtn, t.newBtn, t.deleteBtn)
	t.merged = newMergedBanner(t.open)
	right := container.NewVScroll(container.NewVBox(t.title, t.merged.object(), f.object(), buttons))
	t.clearForm()
	split := container.NewHSplit(left, container.NewPadded(right))
	split.Offset = 0.42
	return split
}

func (t *facilitiesTab) createItem() fyne.CanvasObject { return twoLineItem() }

func (t *facilitiesTab) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(t.shown) {
		return
	}
	f := &t.all[t.shown[id]]
	box := o.(*fyne.Container)
	box.Objects[0].(*widget.Label).SetText(f.Name)
	parts := []string{f.Kind.Label(), t.u.area.UnitLabel(f.Unit), schema.LabelOf(schema.FacilityStatuses, string(f.Status))}
	if f.MergedInto != "" {
		parts = append(parts, "已合并")
	}
	if f.Inclusive {
		parts = append(parts, "普惠")
	}
	if f.Medical {
		parts = append(parts, "医养结合")
	}
	box.Objects[1].(*widget.Label).SetText(strings.Join(parts, " · "))
}

func (t *facilitiesTab) reload() {
	st, area := t.u.st, t.u.area.Code
	t.u.bg(func() func() {
		all, err := township.LoadFacilities(st, area)
		var projects []township.Project
		if err == nil {
			projects, err = township.LoadProjects(st, area)
		}
		return func() {
			if err != nil {
				t.u.failed("读取机构", err)
				return
			}
			t.project.setChoices(projectChoices(projects))
			t.all = all
			t.loaded = true
			t.applyFilter()
			if id := t.openWhenLoaded; id != "" {
				t.openWhenLoaded = ""
				t.open(id)
			}
		}
	})
}

// filter is the current filter widgets' selection.
func (t *facilitiesTab) filter() township.FacilityFilter {
	ff := township.FacilityFilter{Text: strings.TrimSpace(t.search.Text),
		Kind: schema.FacilityKind(t.kindFilter.value()), Status: schema.FacilityStatus(t.statusFilter.value())}
	if c, ok := t.u.area.UnitByLabel(t.unitFilter.Selected); ok {
		ff.Unit = c
	}
	return ff
}

// applyFilter recomputes the visible rows. It runs on the UI goroutine
// over data already in memory: the search is prepared once, each row's
// pinyin key was made when it was loaded, and matching 100,000 short
// names takes a few milliseconds, less than a keystroke.
func (t *facilitiesTab) applyFilter() {
	m := t.filter().Matcher()
	t.shown = t.shown[:0]
	for i := range t.all {
		if m.Match(&t.all[i]) {
			t.shown = append(t.shown, i)
		}
	}
	t.list.UnselectAll()
	t.list.Refresh()
	t.count.SetText(fmt.Sprintf("显示 %d 个 / 共 %d 个机构", len(t.shown), len(t.all)))
}

// clearForm readies the form for a new facility with the usual defaults.
func (t *facilitiesTab) clearForm() {
	t.editing, t.editingUnit = "", ""
	t.title.SetText("新增机构")
	t.name.SetText("")
	t.kind.ClearSelected()
	t.ownership.ClearSelected()
	t.unit.Enable()
	t.unit.SetSelectedIndex(0)
	t.unitNote.Hide()
	t.inclusive.SetChecked(false)
	t.medical.SetChecked(false)
	t.demo.SetChecked(false)
	t.filing.ClearSelected()
	t.opened.SetText("")
	t.status.setValue(string(schema.StatusOperating))
	t.project.setValue("")
	t.address.SetText("")
	t.deleteBtn.Disable()
	t.form.clear()
	t.merged.show(t.u, "", township.MergedTarget{}, false, "")
	if t.list != nil {
		t.list.UnselectAll()
	}
}

// edit shows a facility in the form.
func (t *facilitiesTab) edit(f *township.Facility) {
	t.editing, t.editingUnit = f.ID, f.Unit
	t.title.SetText("编辑机构：" + f.Name)
	t.name.SetText(f.Name)
	t.kind.setValue(string(f.Kind))
	t.ownership.setValue(string(f.Ownership))
	t.unit.SetSelected(t.u.area.UnitLabel(f.Unit))
	// The store keys records by unit, so a facility cannot move; the
	// select says so instead of letting the save fail.
	t.unit.Disable()
	t.unitNote.SetText("所在单位登记后不能修改；如需迁移，请删除后重新登记。")
	t.unitNote.Show()
	t.inclusive.SetChecked(f.Inclusive)
	t.medical.SetChecked(f.Medical)
	t.demo.SetChecked(f.Demo)
	t.filing.setValue(string(f.Filing))
	t.opened.SetText(f.Opened)
	t.status.setValue(string(f.Status))
	t.project.setValue(f.Project)
	t.address.SetText(f.Address)
	t.deleteBtn.Enable()
	t.form.clear()
	to, found := township.MergedFacilityTarget(t.u.st, *f)
	t.merged.show(t.u, f.MergedInto, to, found, "机构")
}

// open selects a facility by id (from the sync tab's refused changes),
// loading the list first if needed.
func (t *facilitiesTab) open(id string) {
	if !t.loaded {
		t.openWhenLoaded = id
		return
	}
	t.search.SetText("")
	t.kindFilter.ClearSelected()
	t.statusFilter.ClearSelected()
	t.unitFilter.ClearSelected()
	t.applyFilter()
	for row, i := range t.shown {
		if t.all[i].ID == id {
			t.list.ScrollTo(row)
			t.list.Select(row)
			return
		}
	}
}

// value reads the form into a record.
func (t *facilitiesTab) value() (schema.Facility, schema.Code) {
	f := schema.Facility{
		Name:      strings.TrimSpace(t.name.Text),
		Kind:      schema.FacilityKind(t.kind.value()),
		Ownership: schema.Ownership(t.ownership.value()),
		Inclusive: t.inclusive.Checked,
		Filing:    schema.Filing(t.filing.value()),
		Opened:    strings.TrimSpace(halfWidth(t.opened.Text)),
		Status:    schema.FacilityStatus(t.status.value()),
		Medical:   t.medical.Checked,
		Demo:      t.demo.Checked,
		Address:   strings.TrimSpace(t.address.Text),
		Project:   t.project.value(),
	}
	unit := t.editingUnit
	if unit == "" {
		unit, _ = t.u.area.UnitByLabel(t.unit.Selected)
	}
	return f, unit
}

// save checks the form and writes it in the background.
func (t *facilitiesTab) save() {
	f, unit := t.value()
	t.u.saveForm(t, t.saveBtn, t.form, "保存机构", "机构“"+f.Name+"”",
		schema.KindFacility, t.editing, unit, f, func(newID string) {
			t.put(township.Facility{ID: newID, Unit: unit, Facility: f})
		})
}

// put updates the in-memory list after a save, instead of reading every
// facility again, and keeps the saved one selected. The list stays in
// LoadFacilities' order (township.CompareFacilities: village, then the
// pinyin of the name) by moving the one row: a full sort of 100,000 rows
// would stall the UI for a visible moment.
func (t *facilitiesTab) put(f township.Facility) {
	for i := range t.all {
		if t.all[i].ID == f.ID {
			t.all = append(t.all[:i], t.all[i+1:]...)
			break
		}
	}
	at := sort.Search(len(t.all), func(i int) bool { return township.CompareFacilities(&t.all[i], &f) > 0 })
	t.all = append(t.all, township.Facility{})
	copy(t.all[at+1:], t.all[at:])
	t.all[at] = f
	t.applyFilter()
	for row, i := range t.shown {
		if t.all[i].ID == f.ID {
			t.list.ScrollTo(row)
			t.list.Select(row)
			return
		}
	}
	// Filtered out: keep editing it anyway.
	t.edit(&f)
}

// confirmDelete deletes the facility in the form after asking.
func (t *facilitiesTab) confirmDelete() {
	id, name := t.editing, strings.TrimSpace(t.name.Text)
	if id == "" {
		return
	}
	t.u.confirmDelete("机构", fmt.Sprintf("确定删除“%s”吗？它的床位/托位填报记录会保留，但不再计入指标。", name),
		schema.KindFacility, id, name, t, func() {
			for i := range t.all {
				if t.all[i].ID == id {
					t.all = append(t.all[:i], t.all[i+1:]...)
					break
				}
			}
			t.clearForm()
			t.applyFilter()
		})
}
