package desktop

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// projectsTab (项目) lists the township's projects (重点项目) beside a form
// to add or update one, and below it a form to report progress on the
// tasks the county decomposed to it (任务进展). Both save to the laptop
// first, like every form of the app, and sync when there is a network.
type projectsTab struct {
	u        *UI
	all      []township.Project
	list     *widget.List
	count    *widget.Label
	editing  string      // id of the project in the form, "" for a new one
	editUnit schema.Code // its unit, which cannot change
	loaded   bool
	// openWhenLoaded is a project to show once the list is read (from
	// the sync tab's refused changes).
	openWhenLoaded string

	title                                *widget.Label
	form                                 *form
	name, total, central, local, beds    *entry
	places, start, end, implementer, pct *entry
	note                                 *entry
	kind, status                         *choiceSelect
	unit                                 *widget.Select
	saveBtn, newBtn, deleteBtn           *widget.Button
	tasks                                []township.Task
	task                                 *choiceSelect
	taskInfo                             *widget.Label
	pform                                *form
	pstatus                              *choiceSelect
	ppct, pnote, pdate                   *entry
	psave                                *widget.Button
	noTasks                              *widget.Label
	progressBox                          *fyne.Container
}

func (t *projectsTab) build() fyne.CanvasObject {
	t.count = widget.NewLabel("正在读取…")
	t.list = widget.NewList(func() int { return len(t.all) }, twoLineItem, t.updateItem)
	t.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(t.all) {
			t.edit(&t.all[id])
		}
	}
	left := container.NewBorder(bold("本乡镇(街道)项目"), t.count, nil, nil, t.list)
	right := container.NewVScroll(container.NewVBox(t.buildProjectForm(), widget.NewSeparator(), t.buildProgressForm()))
	t.clearForm()
	split := container.NewHSplit(left, container.NewPadded(right))
	split.Offset = 0.34
	return split
}

// buildProjectForm makes the project form: every field of schema.Project
// a township enters.
func (t *projectsTab) buildProjectForm() fyne.CanvasObject {
	u := t.u
	t.title = bold("新增项目")
	t.name = newEntry(u, "如：草坝镇区域养老服务中心改扩建")
	t.kind = newChoiceSelect(schema.ProjectKinds, "请选择项目类型")
	t.unit = widget.NewSelect(u.area.UnitLabels(), nil)
	t.unit.PlaceHolder = "请选择建设地点"
	t.total = newEntry(u, "万元，如 460")
	t.central = newEntry(u, "万元，没有填 0")
	t.local = newEntry(u, "万元")
	t.beds = newEntry(u, "张")
	t.places = newEntry(u, "个")
	t.start = newEntry(u, "如 2025")
	t.end = newEntry(u, "如 2026")
	t.implementer = newEntry(u, "如：草坝镇人民政府")
	t.status = newChoiceSelect(schema.ProjectStatuses, "请选择项目状态")
	t.pct = newEntry(u, "0-100")
	t.note = newEntry(u, "")
	f := newForm()
	t.form = f
	f.field("name", "项目名称", t.name)
	f.field("kind", "项目类型", t.kind)
	f.field("unit", "建设地点", t.unit)
	f.field("invest_total", "总投资(万元)", t.total)
	f.field("invest_central", "其中中央资金", t.central)
	f.field("invest_local", "其中地方资金", t.local)
	f.field("beds", "新增床位", t.beds)
	f.field("places", "新增托位", t.places)
	f.field("start_year", "开工年份", t.start)
	f.field("end_year", "完工年份", t.end)
	f.field("implementer", "组织实施单位", t.implementer)
	f.field("status", "项目状态", t.status)
	f.field("percent", "建设进度(%)", t.pct)
	f.field("note", "备注", t.note)
	for _, e := range []*entry{t.name, t.total, t.central, t.local, t.beds, t.places, t.start, t.end, t.implementer, t.pct, t.note} {
		e.OnSubmitted = func(string) { t.save() }
	}
	t.saveBtn = widget.NewButton("保存项目 (Ctrl+S)", t.save)
	t.saveBtn.Importance = widget.HighImportance
	t.newBtn = widget.NewButton("新增项目", t.clearForm)
	t.deleteBtn = widget.NewButton("删除", t.confirmDelete)
	t.deleteBtn.Importance = widget.DangerImportance
	return container.NewVBox(t.title, f.object(), container.NewHBox(t.saveBtn, t.newBtn, t.deleteBtn))
}

// buildProgressForm makes the task progress form.
func (t *projectsTab) buildProgressForm() fyne.CanvasObject {
	u := t.u
	t.task = newChoiceSelect(nil, "请选择任务")
	t.task.OnChanged = func(string) { t.showTask() }
	t.taskInfo = hint("")
	t.pstatus = newChoiceSelect(schema.ProgressStatuses, "请选择进展状态")
	t.ppct = newEntry(u, "0-100")
	t.pnote = newEntry(u, "做了什么、还差什么")
	t.pdate = newEntry(u, "YYYY-MM-DD")
	for _, e := range []*entry{t.ppct, t.pnote, t.pdate} {
		e.OnSubmitted = func(string) { t.saveProgress() }
	}
	t.pform = newForm()
	t.pform.field("task", "任务", container.NewVBox(t.task, t.taskInfo))
	t.pform.field("status", "进展状态", t.pstatus)
	t.pform.field("percent", "完成进度(%)", t.ppct)
	t.pform.field("note", "进展说明", t.pnote)
	t.pform.field("date", "填报日期", t.pdate)
	t.psave = widget.NewButton("保存任务进展", t.saveProgress)
	t.noTasks = hint("还没有收到区县下达的任务：同步后，区县分解到本地的规划任务会显示在这里。")
	t.progressBox = container.NewVBox(t.pform.object(), t.psave)
	return container.NewVBox(bold("任务进展填报"),
		hint("区县把规划的重点任务分解下达到本地(只读)；在这里填报本乡镇(街道)的进展，同步后汇总到区县的任务分解表。"),
		t.noTasks, t.progressBox)
}

func (t *projectsTab) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(t.all) {
		return
	}
	p := &t.all[id]
	box := o.(*fyne.Container)
	box.Objects[0].(*widget.Label).SetText(p.Name)
	box.Objects[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s %d%% · %s万元", t.u.area.UnitLabel(p.Unit),
		schema.LabelOf(schema.ProjectKinds, string(p.Kind)), schema.LabelOf(schema.ProjectStatuses, string(p.Status)),
		p.Percent, strconv.FormatFloat(p.InvestTotal, 'f', -1, 64)))
}

func (t *projectsTab) reload() {
	st, area := t.u.st, t.u.area.Code
	t.u.bg(func() func() {
		projects, err := township.LoadProjects(st, area)
		if err != nil {
			return func() { t.u.failed("读取项目", err) }
		}
		tasks, err := township.LoadTasks(st, area)
		return func() {
			if err != nil {
				t.u.failed("读取任务", err)
				return
			}
			t.all, t.loaded = projects, true
			t.list.UnselectAll()
			t.list.Refresh()
			t.count.SetText(fmt.Sprintf("共 %d 个项目", len(projects)))
			t.setTasks(tasks)
			if id := t.openWhenLoaded; id != "" {
				t.openWhenLoaded = ""
				t.open(id)
			}
		}
	})
}

// noProject is the facility form's choice for a facility no project
// builds.
var noProject = []schema.Choice{{Value: "", Label: "无"}}

// projectChoices offers the township's projects for a facility to name
// (Facility.Project), after 无.
func projectChoices(projects []township.Project) []schema.Choice {
	out := append([]schema.Choice{}, noProject...)
	for _, p := range projects {
		out = append(out, schema.Choice{Value: p.ID, Label: p.Name})
	}
	return out
}

// setTasks offers the tasks in the progress form, keeping the chosen one.
func (t *projectsTab) setTasks(tasks []township.Task) {
	t.tasks = tasks
	choices := make([]schema.Choice, len(tasks))
	for i, tk := range tasks {
		choices[i] = schema.Choice{Value: tk.ID, Label: tk.Number + " " + tk.Title}
	}
	t.task.setChoices(choices)
	if len(tasks) == 0 {
		t.noTasks.Show()
		t.progressBox.Hide()
	} else {
		t.noTasks.Hide()
		t.progressBox.Show()
	}
	t.showTask()
}

// showTask says who leads the chosen task, by when, and the township's
// latest report on it.
func (t *projectsTab) showTask() {
	tk, ok := t.chosenTask()
	if !ok {
		t.taskInfo.SetText("")
		return
	}
	lead := tk.Lead
	if lead == "" {
		lead = "规划未列明"
	}
	info := fmt.Sprintf("牵头：%s；完成时限：%s", lead, tk.Deadline)
	if tk.Has {
		info += fmt.Sprintf("；上次填报(%s)：%s %d%%", tk.Latest.Date,
			schema.LabelOf(schema.ProgressStatuses, string(tk.Latest.Status)), tk.Latest.Percent)
	}
	t.taskInfo.SetText(info)
}

func (t *projectsTab) chosenTask() (township.Task, bool) {
	id := t.task.value()
	for _, tk := range t.tasks {
		if tk.ID == id {
			return tk, true
		}
	}
	return township.Task{}, false
}

// open selects a project by id, loading the list first if needed.
func (t *projectsTab) open(id string) {
	if !t.loaded {
		t.openWhenLoaded = id
		return
	}
	for row := range t.all {
		if t.all[row].ID == id {
			t.list.ScrollTo(row)
			t.list.Select(row)
			return
		}
	}
}

// clearForm readies the project form for a new project.
func (t *projectsTab) clearForm() {
	t.editing, t.editUnit = "", ""
	t.title.SetText("新增项目")
	for _, e := range []*entry{t.name, t.total, t.central, t.local, t.beds, t.places, t.start, t.end, t.implementer, t.pct, t.note} {
		e.SetText("")
	}
	t.kind.ClearSelected()
	t.status.setValue(string(schema.ProjectPlanning))
	t.unit.Enable()
	t.unit.SetSelectedIndex(0)
	t.deleteBtn.Disable()
	t.form.clear()
	if t.list != nil {
		t.list.UnselectAll()
	}
	t.pdate.SetText(township.Today(township.Now(t.u.st)))
}

// edit shows a project in the form.
func (t *projectsTab) edit(p *township.Project) {
	t.editing, t.editUnit = p.ID, p.Unit
	t.title.SetText("编辑项目：" + p.Name)
	t.name.SetText(p.Name)
	t.kind.setValue(string(p.Kind))
	t.unit.SetSelected(t.u.area.UnitLabel(p.Unit))
	t.unit.Disable() // the store keys records by unit
	t.total.SetText(amountText(p.InvestTotal))
	t.central.SetText(amountText(p.InvestCentral))
	t.local.SetText(amountText(p.InvestLocal))
	t.beds.SetText(countText(p.Beds))
	t.places.SetText(countText(p.Places))
	t.start.SetText(countText(p.StartYear))
	t.end.SetText(countText(p.EndYear))
	t.implementer.SetText(p.Implementer)
	t.status.setValue(string(p.Status))
	t.pct.SetText(strconv.FormatInt(p.Percent, 10))
	t.note.SetText(p.Note)
	t.deleteBtn.Enable()
	t.form.clear()
}

func amountText(v float64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func countText(v int64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

// numbers reads typed figures into their fields; an input that is not a
// number is a problem of that field, in the schema's words.
type numbers struct {
	kind schema.Kind
	ps   schema.Problems
}

func (n *numbers) count(field string, e *entry, dst *int64) {
	v, ok := parseCount(e.Text)
	if !ok {
		n.bad(field, e.Text, "整数")
		return
	}
	*dst = v
}

func (n *numbers) amount(field string, e *entry, dst *float64) {
	s := strings.TrimSpace(strings.ReplaceAll(halfWidth(e.Text), "．", "."))
	if s == "" {
		*dst = 0
		return
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		n.bad(field, e.Text, "数字")
		return
	}
	*dst = v
}

func (n *numbers) bad(field, text, want string) {
	_, zh := schema.FieldLabel(n.kind, field)
	n.ps = append(n.ps, schema.Problem{Field: string(n.kind) + "." + field,
		Zh: fmt.Sprintf("%s“%s”不是%s", zh, strings.TrimSpace(text), want)})
}

// value reads the project form.
func (t *projectsTab) value() (schema.Project, schema.Code, schema.Problems) {
	p := schema.Project{Name: strings.TrimSpace(t.name.Text), Kind: schema.ProjectKind(t.kind.value()),
		Implementer: strings.TrimSpace(t.implementer.Text), Status: schema.ProjectStatus(t.status.value()),
		Note: strings.TrimSpace(t.note.Text)}
	n := &numbers{kind: schema.KindProject}
	n.amount("invest_total", t.total, &p.InvestTotal)
	n.amount("invest_central", t.central, &p.InvestCentral)
	n.amount("invest_local", t.local, &p.InvestLocal)
	n.count("beds", t.beds, &p.Beds)
	n.count("places", t.places, &p.Places)
	n.count("start_year", t.start, &p.StartYear)
	n.count("end_year", t.end, &p.EndYear)
	n.count("percent", t.pct, &p.Percent)
	unit := t.editUnit
	if unit == "" {
		unit, _ = t.u.area.UnitByLabel(t.unit.Selected)
	}
	return p, unit, n.ps
}

// save checks the project form and writes it in the background.
func (t *projectsTab) save() {
	p, unit, ps := t.value()
	if len(ps) > 0 {
		t.form.show(ps)
		return
	}
	t.u.saveForm(t, t.saveBtn, t.form, "保存项目", "项目“"+p.Name+"”", schema.KindProject, t.editing, unit, p,
		func(newID string) {
			t.put(township.Project{ID: newID, Unit: unit, Project: p})
		})
}

// put shows a saved project in the list and keeps it in the form.
func (t *projectsTab) put(p township.Project) {
	found := false
	for i := range t.all {
		if t.all[i].ID == p.ID {
			t.all[i], found = p, true
		}
	}
	if !found {
		t.all = append(t.all, p)
	}
	t.count.SetText(fmt.Sprintf("共 %d 个项目", len(t.all)))
	t.list.Refresh()
	t.edit(&p)
}

// confirmDelete deletes the project in the form after asking.
func (t *projectsTab) confirmDelete() {
	id, name := t.editing, strings.TrimSpace(t.name.Text)
	if id == "" {
		return
	}
	t.u.confirmDelete("项目", fmt.Sprintf("确定删除项目“%s”吗？", name), schema.KindProject, id, name, t, func() {
		for i := range t.all {
			if t.all[i].ID == id {
				t.all = append(t.all[:i], t.all[i+1:]...)
				break
			}
		}
		t.clearForm()
		t.count.SetText(fmt.Sprintf("共 %d 个项目", len(t.all)))
		t.list.Refresh()
	})
}

// saveProgress writes a progress report on the chosen task for the
// township: a new report each time, the latest by date counts.
func (t *projectsTab) saveProgress() {
	p := schema.Progress{Task: t.task.value(), Status: schema.ProgressStatus(t.pstatus.value()),
		Note: strings.TrimSpace(t.pnote.Text), Date: strings.TrimSpace(halfWidth(t.pdate.Text))}
	n := &numbers{kind: schema.KindProgress}
	n.count("percent", t.ppct, &p.Percent)
	if len(n.ps) > 0 {
		t.pform.show(n.ps)
		return
	}
	title := t.task.Selected
	t.u.saveForm(t, t.psave, t.pform, "保存任务进展", "任务进展 "+title, schema.KindProgress, "", t.u.area.Code, p,
		func(string) {
			t.pnote.SetText("")
			t.reload()
		})
}
