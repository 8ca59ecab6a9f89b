package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the workbook.
const (
	sheetTable     = "任务分解表"
	sheetTownships = "乡镇同步情况"
	sheetFormulas  = "指标说明"
)

// Rows of the first sheet: title, subtitle, the two header rows, then data.
const (
	rowTitle     = 1
	rowSubtitle  = 2
	rowHeader    = 3
	rowSubHeader = 4
	rowFirstData = 5
	syncCol      = 3 // column C: townships synced recently / all
	firstValCol  = 4 // column D: the first indicator's baseline
)

// Cell colours of the statuses, the fills offices know from Excel's
// "good / neutral / bad" styles.
var statusColours = map[Status][2]string{ // fill, font
	StatusMet:     {"C6EFCE", "006100"},
	StatusOnTrack: {"DDEBF7", "1F4E79"},
	StatusBehind:  {"FFEB9C", "9C5700"},
	StatusNotMet:  {"FFC7CE", "9C0006"},
}

// xlsxWriter holds the workbook and its styles while rendering.
type xlsxWriter struct {
	f      *excelize.File
	styles map[string]int
	err    error
}

// style returns the id of a style, creating it on first use; the key
// names it so equal styles are shared.
func (x *xlsxWriter) style(key string, s *excelize.Style) int {
	if id, ok := x.styles[key]; ok {
		return id
	}
	id, err := x.f.NewStyle(s)
	x.keep(err)
	x.styles[key] = id
	return id
}

// keep records the first error; excelize calls rarely fail, and checking
// each one would bury the layout in error handling.
func (x *xlsxWriter) keep(err error) {
	if err != nil && x.err == nil {
		x.err = err
	}
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

var thin = []excelize.Border{{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
	{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1}}

func (x *xlsxWriter) headerStyle() int {
	return x.style("header", &excelize.Style{Border: thin, Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
}

// numberStyle shows a value with d decimals; bold for the total row.
func (x *xlsxWriter) numberStyle(d int, bold bool) int {
	f := "0"
	if d > 0 {
		f += "." + strings.Repeat("0", d)
	}
	return x.style(fmt.Sprintf("num%d%v", d, bold), &excelize.Style{Border: thin, CustomNumFmt: &f,
		Font: &excelize.Font{Bold: bold}, Alignment: &excelize.Alignment{Horizontal: "right"}})
}

func (x *xlsxWriter) percentStyle(bold bool) int {
	f := "0." + strings.Repeat("0", percentDecimals) + "%"
	return x.style(fmt.Sprintf("pct%v", bold), &excelize.Style{Border: thin, CustomNumFmt: &f,
		Font: &excelize.Font{Bold: bold}, Alignment: &excelize.Alignment{Horizontal: "right"}})
}

func (x *xlsxWriter) textStyle(align string, bold bool) int {
	return x.style("text"+align+fmt.Sprint(bold), &excelize.Style{Border: thin, Font: &excelize.Font{Bold: bold},
		Alignment: &excelize.Alignment{Horizontal: align, Vertical: "center"}})
}

func (x *xlsxWriter) statusStyle(s Status, bold bool) int {
	st := &excelize.Style{Border: thin, Font: &excelize.Font{Bold: bold},
		Alignment: &excelize.Alignment{Horizontal: "center"}}
	if c, ok := statusColours[s]; ok {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}
		st.Font.Color = c[1]
	}
	return x.style(fmt.Sprintf("status%s%v", s, bold), st)
}

// WriteXLSX renders the workbook offices use: the table with a two-level
// header, frozen panes and coloured statuses; each township's last sync
// and record counts; and each indicator's formula.
func (t *Table) WriteXLSX(w io.Writer) error {
	x := &xlsxWriter{f: excelize.NewFile(), styles: map[string]int{}}
	defer x.f.Close()
	x.keep(x.f.SetSheetName("Sheet1", sheetTable))
	x.keep(x.f.SetDocProps(&excelize.DocProperties{Title: t.title(), Creator: "老小 Laoxiao",
		Description: t.subtitle(), Language: "zh-CN"}))
	t.xlsxTable(x)
	t.xlsxSections(x)
	t.xlsxTownships(x)
	t.xlsxFormulas(x)
	x.f.SetActiveSheet(0)
	if x.err != nil {
		return x.err
	}
	return x.f.Write(w)
}

// set writes a value to a cell with a style.
func (x *xlsxWriter) set(sheet string, col, row int, v any, style int) {
	c := cell(col, row)
	x.keep(x.f.SetCellValue(sheet, c, v))
	x.keep(x.f.SetCellStyle(sheet, c, c, style))
}

// setNum writes a figure: a number with the column's format when it is
// one, else its text (">95", "应建尽建") or a dash.
func (x *xlsxWriter) setNum(sheet string, col, row int, c Column, n Num, bold bool) {
	if n.OK && n.Text == "" {
		x.set(sheet, col, row, round(n.V, c.Decimals), x.numberStyle(c.Decimals, bold))
		return
	}
	x.set(sheet, col, row, c.show(n), x.textStyle("right", bold))
}

func (t *Table) xlsxTable(x *xlsxWriter) {
	const s = sheetTable
	last := firstValCol + figCount*len(t.Columns) - 1
	x.set(s, 1, rowTitle, t.title(), x.style("title", &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}))
	x.keep(x.f.MergeCell(s, cell(1, rowTitle), cell(last, rowTitle)))
	x.set(s, 1, rowSubtitle, t.subtitle(), x.style("subtitle", &excelize.Style{Font: &excelize.Font{Color: "595959"}}))
	x.keep(x.f.MergeCell(s, cell(1, rowSubtitle), cell(last, rowSubtitle)))
	x.keep(x.f.SetRowHeight(s, rowTitle, 26))

	h := x.headerStyle()
	x.set(s, 1, rowHeader, "单位", h)
	x.set(s, 1, rowSubHeader, "", h)
	x.keep(x.f.MergeCell(s, cell(1, rowHeader), cell(1, rowSubHeader)))
	x.set(s, 2, rowHeader, "代码", h)
	x.set(s, 2, rowSubHeader, "", h)
	x.keep(x.f.MergeCell(s, cell(2, rowHeader), cell(2, rowSubHeader)))
	x.set(s, syncCol, rowHeader, syncHeader+"\n(正常/总数)", h)
	x.set(s, syncCol, rowSubHeader, "", h)
	x.keep(x.f.MergeCell(s, cell(syncCol, rowHeader), cell(syncCol, rowSubHeader)))
	binding := x.style("header-binding", &excelize.Style{Border: thin, Font: &excelize.Font{Bold: true, Color: "9C0006"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	for i, c := range t.Columns {
		col := firstValCol + figCount*i
		text := c.header() + "\n" + c.attribute() + " · " + c.years()
		if d := c.departments(); d != "" {
			text += "\n" + d
		}
		st := h
		if c.Attribute.Binding() {
			st = binding
		}
		for j := range figCount {
			x.set(s, col+j, rowHeader, "", st)
			x.set(s, col+j, rowSubHeader, subHeaders[j], h)
		}
		x.set(s, col, rowHeader, text, st)
		x.keep(x.f.MergeCell(s, cell(col, rowHeader), cell(col+figCount-1, rowHeader)))
	}
	x.keep(x.f.SetRowHeight(s, rowHeader, 64))

	for ri, r := range t.Rows {
		row := rowFirstData + ri
		x.set(s, 1, row, r.rowName(), x.textStyle("left", r.Total))
		x.set(s, 2, row, string(r.Unit.Code), x.textStyle("left", r.Total))
		x.set(s, syncCol, row, r.Sync.short(), x.textStyle("center", r.Total))
		if r.Sync.Stale+r.Sync.Never > 0 {
			x.keep(x.f.AddComment(s, excelize.Comment{Cell: cell(syncCol, row), Author: "老小",
				Paragraph: []excelize.RichTextRun{{Text: r.Sync.long()}}}))
		}
		for i, c := range t.Columns {
			col := firstValCol + figCount*i
			cl := r.Cells[i]
			x.setNum(s, col, row, c, cl.Baseline, r.Total)
			x.setNum(s, col+1, row, c, cl.Target, r.Total)
			x.setNum(s, col+2, row, c, cl.Current, r.Total)
			// The change keeps its sign as text: "+1.5" reads the same
			// in every spreadsheet, which a signed number format does not.
			x.set(s, col+3, row, c.showChange(cl.Change), x.textStyle("right", r.Total))
			if cl.Completion.OK {
				x.set(s, col+4, row, completionValue(cl.Completion), x.percentStyle(r.Total))
			} else {
				x.set(s, col+4, row, dash, x.textStyle("right", r.Total))
			}
			x.set(s, col+5, row, showStatus(cl.Status), x.statusStyle(cl.Status, r.Total))
			if cl.Note != "" {
				x.keep(x.f.AddComment(s, excelize.Comment{Cell: cell(col+2, row), Author: "老小",
					Paragraph: []excelize.RichTextRun{{Text: shortNote(cl.Note)}}}))
			}
		}
	}
	x.keep(x.f.SetColWidth(s, "A", "A", 18))
	x.keep(x.f.SetColWidth(s, "B", "B", 11))
	x.keep(x.f.SetColWidth(s, "C", "C", 10))
	if len(t.Columns) > 0 {
		x.keep(x.f.SetColWidth(s, colName(firstValCol), colName(last), 9.5))
	}
	if len(t.Columns) > 0 {
		// The notes under the rows: the one completion rule and the
		// columns' meaning.
		note := x.style("note", &excelize.Style{Font: &excelize.Font{Color: "404040"}})
		for k, n := range tableNotes() {
			x.set(s, 1, rowFirstData+len(t.Rows)+1+k, n, note)
		}
	}
	x.keep(x.f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: syncCol, YSplit: rowSubHeader,
		TopLeftCell: cell(firstValCol, rowFirstData), ActivePane: "bottomRight"}))
	x.printSetup(s, quoteSheet(s)+"!$A:$C,"+quoteSheet(s)+"!$3:$4", false)
}

// printSetup prints a sheet landscape with its header rows (and, for the
// table, the unit columns) repeated on every page. A sheet of a few
// columns fits one page wide; the table, five columns per indicator,
// would shrink to nothing that way, so it flows over A3 pages instead.
func (x *xlsxWriter) printSetup(sheet, titles string, fitWidth bool) {
	landscape, size := "landscape", 8 // A3
	opts := &excelize.PageLayoutOptions{Size: &size, Orientation: &landscape}
	if fitWidth {
		wide, tall, a4 := 1, 0, 9
		size = a4
		opts.FitToWidth, opts.FitToHeight = &wide, &tall
		x.keep(x.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fitWidth}))
	}
	x.keep(x.f.SetPageLayout(sheet, opts))
	x.keep(x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: titles}))
}

func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

func (t *Table) xlsxTownships(x *xlsxWriter) {
	const s = sheetTownships
	_, err := x.f.NewSheet(s)
	x.keep(err)
	head := []string{"区县", "乡镇(街道)", "代码", "最近同步时间", "同步状态", "设备数"}
	for _, k := range sortedKinds {
		head = append(head, k.Label())
	}
	head = append(head, "合计")
	h := x.headerStyle()
	for j, name := range head {
		x.set(s, j+1, 1, name, h)
	}
	count := x.numberStyle(0, false)
	for i, tr := range t.Townships {
		row := i + 2
		x.set(s, 1, row, tr.County.Name, x.textStyle("left", false))
		x.set(s, 2, row, tr.Township.Name, x.textStyle("left", false))
		x.set(s, 3, row, string(tr.Township.Code), x.textStyle("left", false))
		x.set(s, 4, row, showTime(tr.LastSync), x.textStyle("left", false))
		state := x.statusStyle(StatusMet, false)
		if tr.Stale || tr.Behind {
			state = x.statusStyle(StatusBehind, false)
		}
		if tr.LastSync.IsZero() {
			state = x.statusStyle(StatusNotMet, false)
		}
		x.set(s, 5, row, syncState(tr), state)
		x.set(s, 6, row, tr.Devices, count)
		for j, k := range sortedKinds {
			x.set(s, 7+j, row, tr.Records[k], count)
		}
		x.set(s, 7+len(sortedKinds), row, tr.total(), count)
	}
	x.keep(x.f.SetColWidth(s, "A", "B", 16))
	x.keep(x.f.SetColWidth(s, "C", "C", 12))
	x.keep(x.f.SetColWidth(s, "D", "E", 17))
	x.keep(x.f.SetColWidth(s, "F", colName(len(head)), 11))
	x.keep(x.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	x.printSetup(s, quoteSheet(s)+"!$1:$1", true)
}

func (t *Table) xlsxFormulas(x *xlsxWriter) {
	const s = sheetFormulas
	_, err := x.f.NewSheet(s)
	x.keep(err)
	head := []string{"序号", "指标代码", "指标", "计量单位", "领域", "属性", "牵头单位", "配合单位", "目标年份", "取得方式", "计算公式", "口径说明", "完成率算法"}
	h := x.headerStyle()
	for j, name := range head {
		x.set(s, j+1, 1, name, h)
	}
	wrap := x.style("wrap", &excelize.Style{Border: thin, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	for i, c := range t.Columns {
		row := i + 2
		f := formulaOf(c)
		x.set(s, 1, row, i+1, x.numberStyle(0, false))
		for j, v := range []string{c.Indicator.ID, c.Indicator.Name, c.Indicator.Unit, string(c.Indicator.Domain),
			c.attribute(), c.Lead, c.Cooperating, c.years(), f.how, f.calc, c.Indicator.ScopeNote, completionRule(c)} {
			x.set(s, j+2, row, v, wrap)
		}
	}
	x.keep(x.f.SetColWidth(s, "A", "A", 6))
	x.keep(x.f.SetColWidth(s, "B", "B", 24))
	x.keep(x.f.SetColWidth(s, "C", "C", 30))
	x.keep(x.f.SetColWidth(s, "D", "F", 10))
	x.keep(x.f.SetColWidth(s, "G", "G", 18))
	x.keep(x.f.SetColWidth(s, "H", "H", 30))
	x.keep(x.f.SetColWidth(s, "I", "I", 24))
	x.keep(x.f.SetColWidth(s, "J", "J", 10))
	x.keep(x.f.SetColWidth(s, "K", "K", 40))
	x.keep(x.f.SetColWidth(s, "L", "L", 60))
	x.keep(x.f.SetColWidth(s, "M", "M", 24))
	x.keep(x.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	x.printSetup(s, quoteSheet(s)+"!$1:$1", true)
}
