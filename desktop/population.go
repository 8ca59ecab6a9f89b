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

// populationTab is the population sheet (人口): one row per village (and
// the township itself) for a year, last year's figures beside.
type populationTab struct {
	u       *UI
	year    *widget.Select
	sheet   *sheet
	units   []schema.Unit
	current int64
	info    *widget.Label
	total   *widget.Label
	msg     *widget.Label
	saveBtn *widget.Button
	// switching guards the year select while a confirmation is open.
	switching bool
	focusUnit schema.Code
}

var populationCols = []sheetCol{
	{"常住人口\n本年(上年)", "resident"},
	{"60岁及以上\n本年(上年)", "aged60"},
	{"65岁及以上\n本年(上年)", "aged65"},
	{"0-3岁婴幼儿\n本年(上年)", "aged0_3"},
	{"出生人口\n本年(上年)", "births"},
}

func populationFigures(p *schema.Population) []*int64 {
	return []*int64{&p.Resident, &p.Aged60, &p.Aged65, &p.Aged0to3, &p.Births}
}

func (p *populationTab) build() fyne.CanvasObject {
	year := township.Now(p.u.st).Year()
	p.current = int64(year)
	var years []string
	for y := year; y >= year-10; y-- {
		years = append(years, strconv.Itoa(y))
	}
	p.year = widget.NewSelect(years, nil)
	p.year.SetSelected(years[0])
	p.year.OnChanged = p.yearChanged
	p.sheet = newSheet(p.u, "村(社区)", populationCols, 240, 5)
	p.sheet.onEdit = p.updateTotals
	p.info = widget.NewLabel("正在读取…")
	p.total = widget.NewLabel("")
	p.msg = problemLabel()
	p.saveBtn = widget.NewButton("保存 (Ctrl+S)", p.save)
	p.saveBtn.Importance = widget.HighImportance
	top := container.NewHBox(widget.NewLabel("年份"), p.year, p.saveBtn)
	help := hint("按村(社区)填写年末常住人口。第一行“本级”是全乡镇(街道)的合计数，可以不填：不填时，指标按各村(社区)相加计算；填了则以它为准。")
	return container.NewBorder(container.NewVBox(top, help), container.NewVBox(p.msg, p.total, p.info), nil, nil, p.sheet.table)
}

func (p *populationTab) yearChanged(s string) {
	y, _ := strconv.ParseInt(s, 10, 64)
	if p.switching || y == p.current {
		return
	}
	if n := len(p.sheet.dirtyRows()); n > 0 {
		p.u.confirmDiscard(p.year, &p.switching, strconv.FormatInt(p.current, 10), s, "切换年份",
			fmt.Sprintf("%d年有%d行修改还没有保存，确定放弃这些修改吗？", p.current, n),
			func() {
				p.current = y
				p.reload()
			})
		return
	}
	p.current = y
	p.reload()
}

func (p *populationTab) reload() {
	if n := len(p.sheet.dirtyRows()); n > 0 {
		p.info.SetText(fmt.Sprintf("有%d行修改未保存；新数据将在保存后显示。", n))
		return
	}
	st, area, year := p.u.st, p.u.area, p.current
	p.info.SetText("正在读取…")
	p.u.bg(func() func() {
		cur, err := township.LoadPopulation(st, area, year)
		var prev []township.PopulationRow
		if err == nil {
			prev, err = township.LoadPopulation(st, area, year-1)
		}
		return func() {
			if err != nil {
				p.u.failed("读取人口", err)
				return
			}
			if year == p.current {
				p.setRows(cur, prev)
			}
		}
	})
}

func (p *populationTab) setRows(cur, prev []township.PopulationRow) {
	p.units = make([]schema.Unit, len(cur))
	rows := make([]sheetRow, len(cur))
	for i := range cur {
		p.units[i] = cur[i].Unit
		r := sheetRow{label: p.u.area.UnitLabel(cur[i].Unit.Code), exists: cur[i].Has,
			text: make([]string, len(populationCols)), prev: make([]string, len(populationCols))}
		c, pv := populationFigures(&cur[i].Value), populationFigures(&prev[i].Value)
		for j := range populationCols {
			if cur[i].Has {
				r.text[j] = strconv.FormatInt(*c[j], 10)
			}
			if prev[i].Has {
				r.prev[j] = strconv.FormatInt(*pv[j], 10)
			}
		}
		r.orig = append([]string(nil), r.text...)
		rows[i] = r
	}
	p.sheet.setRows(rows)
	p.msg.Hide()
	p.updateTotals()
	if u := p.focusUnit; u != "" {
		p.focusUnit = ""
		for i := range p.units {
			if p.units[i].Code == u {
				p.sheet.focus(i, 0)
			}
		}
	}
}

// openUnit shows a unit's population of a year (from the sync tab).
func (p *populationTab) openUnit(unit schema.Code, year int64) {
	p.focusUnit = unit
	if year != p.current && len(p.sheet.dirtyRows()) == 0 {
		selectQuietly(p.year, &p.switching, strconv.FormatInt(year, 10))
		p.current = year
	}
	p.reload()
}

// updateTotals shows the villages' sum under the sheet, so staff can
// check it against the township figure they were given.
func (p *populationTab) updateTotals() {
	sums := make([]int64, len(populationCols))
	filled := 0
	for i := 1; i < len(p.sheet.rows); i++ {
		r := &p.sheet.rows[i]
		any := false
		for j := range populationCols {
			if n, ok := parseCount(r.text[j]); ok {
				sums[j] += n
				any = any || r.text[j] != ""
			}
		}
		if any {
			filled++
		}
	}
	p.total.SetText(fmt.Sprintf("各村(社区)合计：常住人口 %d，60岁及以上 %d，65岁及以上 %d，0-3岁 %d，出生 %d",
		sums[0], sums[1], sums[2], sums[3], sums[4]))
	dirty := len(p.sheet.dirtyRows())
	text := fmt.Sprintf("%d年：%d个村(社区)中已填写%d个", p.current, max(0, len(p.sheet.rows)-1), filled)
	if dirty > 0 {
		text += fmt.Sprintf("；%d行未保存", dirty)
	}
	p.info.SetText(text)
}

func (p *populationTab) save() {
	if len(p.sheet.dirtyRows()) == 0 {
		p.info.SetText("没有需要保存的修改")
		return
	}
	year := p.current
	pend := p.sheet.collect(func(i int, figs []int64) agent.Item {
		rec := schema.Population{Year: year}
		for j, v := range populationFigures(&rec) {
			*v = figs[j]
		}
		return agent.Item{Kind: schema.KindPopulation, Unit: p.units[i].Code, Value: rec}
	})
	if len(pend.items) == 0 {
		p.showProblems()
		return
	}
	p.sheet.save(p.saveBtn, pend, "保存人口", func() bool { return year == p.current }, func(saved []int) {
		p.showProblems()
		p.updateTotals()
		if len(saved) > 0 {
			ids := make([]string, len(saved))
			for i, k := range saved {
				ids[i] = schema.PopulationID(pend.items[k].Unit, year)
			}
			p.u.savedOK(fmt.Sprintf("%d年人口 %d 个单位", year, len(saved)))
			p.u.unparkAfterFix(schema.KindPopulation, ids...)
			p.u.changed(p)
		}
	})
}

func (p *populationTab) showProblems() { p.sheet.showProblems(p.msg) }
