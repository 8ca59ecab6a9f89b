package desktop

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// capacityTab is the monthly beds and childcare places sheet (床位/托位):
// one row per facility, the month's figures typed like a spreadsheet,
// last month's in grey beside them.
type capacityTab struct {
	u       *UI
	month   *widget.Select
	sheet   *sheet
	rows    []township.CapacityRow
	period  string
	info    *widget.Label
	msg     *widget.Label
	lock    *widget.Label // the county's lock on the month, if any
	saveBtn *widget.Button
	copyBtn *widget.Button
	// switching guards the month select while a confirmation is open.
	switching bool
	// focusFacility is a facility whose row gets the cursor once loaded
	// (opened from the sync tab).
	focusFacility string
}

// capacityCols are the figures of a report, in the order staff read them
// off the facility's monthly form.
var capacityCols = []sheetCol{
	{"床位总数\n本月(上月)", "beds_total"},
	{"护理型床位\n本月(上月)", "beds_nursing"},
	{"已入住床位\n本月(上月)", "beds_occupied"},
	{"托位总数\n本月(上月)", "places_total"},
	{"普惠托位\n本月(上月)", "places_inclusive"},
	{"在托婴幼儿\n本月(上月)", "children_enrolled"},
	{"护理/保育人员\n本月(上月)", "care_staff"},
	{"持证人员\n本月(上月)", "certified_staff"},
}

func capacityFigures(c *schema.Capacity) []*int64 {
	return []*int64{&c.BedsTotal, &c.BedsNursing, &c.BedsOccupied, &c.PlacesTotal, &c.PlacesInclusive,
		&c.ChildrenEnrolled, &c.CareStaff, &c.CertifiedStaff}
}

func (c *capacityTab) build() fyne.CanvasObject {
	c.period = township.ThisMonth(township.Now(c.u.st))
	c.month = widget.NewSelect(township.RecentMonths(c.period, 36), nil)
	c.month.SetSelected(c.period)
	c.month.OnChanged = c.monthChanged
	c.sheet = newSheet(c.u, "机构", capacityCols, 210, 3)
	c.sheet.onEdit = c.updateInfo
	c.info = widget.NewLabel("正在读取…")
	c.msg = problemLabel()
	c.lock = hint("")
	c.lock.Importance = widget.WarningImportance
	c.lock.Hide()
	c.saveBtn = widget.NewButton("保存本月 (Ctrl+S)", c.save)
	c.saveBtn.Importance = widget.HighImportance
	c.copyBtn = widget.NewButton("未填报的机构沿用上月数据", c.copyPrevious)
	top := container.NewHBox(widget.NewLabel("填报月份"), c.month, c.copyBtn, c.saveBtn)
	help := hint("Tab 键向右、回车键向下移动；括号内为上月数据。停业(关闭)的机构不列出。保存后即写入本机，联网时自动同步。")
	return container.NewBorder(container.NewVBox(top, c.lock, help), container.NewVBox(c.msg, c.info), nil, nil, c.sheet.table)
}

// monthChanged loads another month, asking first when edits would be
// lost.
func (c *capacityTab) monthChanged(m string) {
	if c.switching || m == c.period {
		return
	}
	if n := len(c.sheet.dirtyRows()); n > 0 {
		c.u.confirmDiscard(c.month, &c.switching, c.period, m, "切换月份",
			fmt.Sprintf("%s有%d行修改还没有保存，切换到%s将放弃这些修改。确定切换吗？", c.period, n, m),
			func() {
				c.period = m
				c.reload()
			})
		return
	}
	c.period = m
	c.reload()
}

func (c *capacityTab) reload() {
	if n := len(c.sheet.dirtyRows()); n > 0 {
		// Never throw away what someone is typing because a sync brought
		// something new; the sheet refreshes after the next save.
		c.info.SetText(fmt.Sprintf("有%d行修改未保存；同步或其他页面带来的新数据将在保存后显示。", n))
		return
	}
	st, area, period := c.u.st, c.u.area.Code, c.period
	c.info.SetText("正在读取…")
	c.u.bg(func() func() {
		facs, err := township.LoadFacilities(st, area)
		var rows []township.CapacityRow
		var lock string
		if err == nil {
			rows, err = township.LoadCapacity(st, facs, period)
		}
		if err == nil {
			lock, err = township.LockNotice(st, area, period)
		}
		return func() {
			if err != nil {
				c.u.failed("读取床位/托位", err)
				return
			}
			if period != c.period {
				return // the user moved on to another month meanwhile
			}
			c.setRows(rows)
			c.showLock(lock)
		}
	})
}

// showLock shows the county's lock on the month above the sheet, so staff
// know before typing that saving will be refused and whom to ask.
func (c *capacityTab) showLock(note string) {
	if note == "" {
		c.lock.Hide()
		return
	}
	c.lock.SetText("【已锁定】" + note)
	c.lock.Show()
}

func (c *capacityTab) setRows(rows []township.CapacityRow) {
	c.rows = rows
	srows := make([]sheetRow, len(rows))
	for i := range rows {
		r := &rows[i]
		sr := sheetRow{label: r.Facility.Name, exists: r.Has, text: make([]string, len(capacityCols)),
			prev: make([]string, len(capacityCols))}
		cur, prev := capacityFigures(&r.Current), capacityFigures(&r.Previous)
		for j := range capacityCols {
			if r.Has {
				sr.text[j] = strconv.FormatInt(*cur[j], 10)
			}
			if r.HasPrev {
				sr.prev[j] = strconv.FormatInt(*prev[j], 10)
			}
		}
		sr.orig = append([]string(nil), sr.text...)
		srows[i] = sr
	}
	c.sheet.setRows(srows)
	c.msg.Hide()
	c.updateInfo()
	if id := c.focusFacility; id != "" {
		c.focusFacility = ""
		for i := range rows {
			if rows[i].Facility.ID == id {
				c.sheet.focus(i, 0)
			}
		}
	}
}

// openReport shows a facility's report of a month (from the sync tab).
func (c *capacityTab) openReport(facility, period string) {
	c.focusFacility = facility
	if period != c.period && len(c.sheet.dirtyRows()) == 0 {
		selectQuietly(c.month, &c.switching, period)
		c.period = period
	}
	c.reload()
}

func (c *capacityTab) updateInfo() {
	filled, dirty := 0, 0
	for i := range c.sheet.rows {
		if c.sheet.rows[i].exists {
			filled++
		}
		if c.sheet.rows[i].dirty() {
			dirty++
		}
	}
	text := fmt.Sprintf("%s：共%d个机构，已填报%d个，未填报%d个", c.period, len(c.sheet.rows), filled, len(c.sheet.rows)-filled)
	if dirty > 0 {
		text += fmt.Sprintf("；%d行未保存", dirty)
	}
	c.info.SetText(text)
}

// copyPrevious fills the rows without a report this month with last
// month's figures, for the common case that nothing changed. They are
// saved only when the user saves.
func (c *capacityTab) copyPrevious() {
	n := 0
	for i := range c.sheet.rows {
		r := &c.sheet.rows[i]
		if r.exists || r.dirty() || r.prev[0] == "" {
			continue
		}
		copy(r.text, r.prev)
		n++
	}
	c.sheet.table.Refresh()
	c.updateInfo()
	if n == 0 {
		c.info.SetText(c.info.Text + "（没有可沿用的行）")
	}
}

// save writes every edited row in one synced batch; rows with problems
// stay unsaved with their messages.
func (c *capacityTab) save() {
	if len(c.sheet.dirtyRows()) == 0 {
		c.info.SetText(c.period + "：没有需要保存的修改")
		return
	}
	period := c.period
	p := c.sheet.collect(func(i int, figs []int64) agent.Item {
		f := c.rows[i].Facility
		rep := schema.Capacity{Facility: f.ID, Period: period}
		for j, v := range capacityFigures(&rep) {
			*v = figs[j]
		}
		return agent.Item{Kind: schema.KindCapacity, Unit: f.Unit, Value: rep}
	})
	if len(p.items) == 0 {
		c.showProblems()
		return
	}
	c.sheet.save(c.saveBtn, p, "保存床位/托位", func() bool { return period == c.period }, func(saved []int) {
		c.showProblems()
		c.updateInfo()
		if len(saved) > 0 {
			ids := make([]string, len(saved))
			for i, k := range saved {
				ids[i] = schema.CapacityID(p.items[k].Value.(schema.Capacity).Facility, period)
			}
			c.u.savedOK(fmt.Sprintf("%s 床位/托位 %d 个机构", period, len(saved)))
			c.u.unparkAfterFix(schema.KindCapacity, ids...)
			c.u.changed(c)
		}
	})
}

func (c *capacityTab) showProblems() { c.sheet.showProblems(c.msg) }
