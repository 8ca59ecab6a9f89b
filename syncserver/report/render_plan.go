package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"laoxiao/schema"
)

// The tasks and projects parts are built once as sections of cells, and
// each format lays the same cells out its own way: an XLSX sheet each, a
// titled block after the indicators in CSV, HTML and text.

// section is one of the table's tasks and projects parts.
type section struct {
	Title  string // "二、重点任务"
	Sheet  string // the XLSX sheet's name
	Header []string
	Rows   [][]sectionCell
	// Empty says why there are no rows.
	Empty string
	// Widths are the XLSX column widths, by column.
	Widths []float64
}

// sectionCell is one cell: text, or a figure shown with Decimals.
type sectionCell struct {
	Text     string
	Num      float64
	IsNum    bool
	Decimals int
	// Status colours a progress or project status as the indicator
	// statuses are coloured.
	Status Status
	Bold   bool
}

func text(s string) sectionCell { return sectionCell{Text: s} }

func num(v float64, decimals int) sectionCell {
	return sectionCell{Num: v, IsNum: true, Decimals: decimals, Text: strconv.FormatFloat(v, 'f', decimals, 64)}
}

// optNum is a figure, or an empty cell for a zero the plan left out.
func optNum(v float64, decimals int) sectionCell {
	if v == 0 {
		return text("")
	}
	return num(v, decimals)
}

// progressStatus maps a task's progress to the table's status colours.
var progressStatus = map[schema.ProgressStatus]Status{
	schema.ProgressDone: StatusMet, schema.ProgressUnderway: StatusOnTrack, schema.ProgressBehind: StatusNotMet,
}

// Section titles and sheet names.
const (
	sheetTasks    = "重点任务"
	sheetProjects = "重点项目"
)

// sections returns the tasks and projects parts.
func (t *Table) sections() []section {
	return []section{t.taskSection(), t.projectSection()}
}

func (t *Table) taskSection() section {
	s := section{Title: "二、" + sheetTasks + "及进展", Sheet: sheetTasks,
		Header: []string{"序号", "规划", "任务序号", "任务", "牵头单位", "配合单位", "完成时限", "分解到", "进展状态", "完成进度(%)", "进展说明", "填报日期", "填报单位"},
		Widths: []float64{6, 10, 9, 36, 36, 30, 9, 12, 9, 9, 36, 11, 14},
		Empty:  "尚未下达任务(syncserver tasks load) / no tasks loaded"}
	for i, tr := range t.Tasks {
		plan := tr.Task.Plan
		if p, ok := schema.TaskPlanByID(plan); ok {
			plan = p.Jurisdiction
		}
		lead := tr.Task.Lead
		if lead == "" {
			lead = "(规划未列明)"
		}
		row := []sectionCell{num(float64(i+1), 0), text(plan), text(tr.Task.Number), text(tr.Task.Title), text(lead),
			text(tr.Task.Co), text(tr.Task.Deadline), text(tr.Unit.Name)}
		if l := tr.Latest; l != nil {
			st := text(schema.LabelOf(schema.ProgressStatuses, string(l.Progress.Status)))
			st.Status = progressStatus[l.Progress.Status]
			row = append(row, st, num(float64(l.Progress.Percent), 0), text(l.Progress.Note), text(l.Progress.Date), text(l.Unit.Name))
		} else {
			row = append(row, text("未填报"), text(""), text(""), text(""), text(""))
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

func (t *Table) projectSection() section {
	s := section{Title: "三、" + sheetProjects, Sheet: sheetProjects,
		Header: []string{"序号", "所在地", "项目名称", "类型", "总投资(万元)", "中央资金(万元)", "地方资金(万元)", "新增床位", "新增托位",
			"建设期限", "组织实施单位", "项目状态", "建设进度(%)", "备注"},
		Widths: []float64{6, 14, 40, 8, 12, 12, 12, 9, 9, 11, 22, 9, 9, 30},
		Empty:  "没有项目 / no projects"}
	var total, central, local float64
	var beds, places int64
	for i, pr := range t.Projects {
		p := pr.Project
		years := ""
		if p.StartYear != 0 || p.EndYear != 0 {
			years = fmt.Sprintf("%s-%s", showYear(int(p.StartYear)), showYear(int(p.EndYear)))
		}
		st := text(schema.LabelOf(schema.ProjectStatuses, string(p.Status)))
		if p.Status == schema.ProjectBuilt || p.Status == schema.ProjectInUse {
			st.Status = StatusMet
		}
		s.Rows = append(s.Rows, []sectionCell{num(float64(i+1), 0), text(pr.Unit.Name), text(p.Name),
			text(schema.LabelOf(schema.ProjectKinds, string(p.Kind))), num(p.InvestTotal, 2), optNum(p.InvestCentral, 2),
			optNum(p.InvestLocal, 2), optNum(float64(p.Beds), 0), optNum(float64(p.Places), 0), text(years),
			text(p.Implementer), st, num(float64(p.Percent), 0), text(p.Note)})
		total, central, local = total+p.InvestTotal, central+p.InvestCentral, local+p.InvestLocal
		beds, places = beds+p.Beds, places+p.Places
	}
	if len(t.Projects) > 0 {
		sum := []sectionCell{text(""), text("合计"), text(fmt.Sprintf("%d个项目", len(t.Projects))), text(""),
			num(total, 2), num(central, 2), num(local, 2), num(float64(beds), 0), num(float64(places), 0),
			text(""), text(""), text(""), text(""), text("")}
		for i := range sum {
			sum[i].Bold = true
		}
		s.Rows = append(s.Rows, sum)
	}
	return s
}

// strings returns the section's rows as text, header first.
func (s section) strings() [][]string {
	out := [][]string{s.Header}
	for _, r := range s.Rows {
		line := make([]string, len(r))
		for j, c := range r {
			line[j] = c.Text
		}
		out = append(out, line)
	}
	return out
}

// writeSectionsCSV appends the sections to a CSV after a blank line
// each: the section's title on a line of its own, its header, its rows.
// Every line has as many fields as the indicator part's header, so the
// file stays one rectangular table for readers that insist on it.
func (t *Table) writeSectionsCSV(cw *csv.Writer) {
	line := func(cells ...string) {
		for len(cells) < len(csvHeader) {
			cells = append(cells, "")
		}
		cw.Write(cells)
	}
	for _, s := range t.sections() {
		line()
		line(s.Title)
		if len(s.Rows) == 0 {
			line(s.Empty)
			continue
		}
		for _, r := range s.strings() {
			line(r...)
		}
	}
}

// textClip is the widest a text cell of the tasks and projects parts is
// in the terminal table: a task's departments run to a hundred
// characters, which the XLSX, CSV and HTML show whole.
const textClip = 28

// writeSectionsText appends the sections to the terminal table.
func (t *Table) writeSectionsText(w io.Writer) {
	for _, s := range t.sections() {
		fmt.Fprintln(w)
		fmt.Fprintln(w, s.Title)
		if len(s.Rows) == 0 {
			fmt.Fprintln(w, "  "+s.Empty)
			continue
		}
		rows := s.strings()
		for _, r := range rows[1:] {
			for j := range r {
				r[j] = clip(r[j], textClip)
			}
		}
		writeAligned(w, rows, "  ")
	}
}

// clip shortens s to at most w display columns, ending it with "…".
func clip(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	n := 0
	for i, r := range s {
		if n+displayWidth(string(r)) > w-1 {
			return s[:i] + "…"
		}
		n += displayWidth(string(r))
	}
	return s
}

// xlsxSections adds a sheet per section.
func (t *Table) xlsxSections(x *xlsxWriter) {
	for _, s := range t.sections() {
		_, err := x.f.NewSheet(s.Sheet)
		x.keep(err)
		h := x.headerStyle()
		for j, name := range s.Header {
			x.set(s.Sheet, j+1, 1, name, h)
		}
		if len(s.Rows) == 0 {
			x.set(s.Sheet, 1, 2, s.Empty, x.textStyle("left", false))
		}
		for i, r := range s.Rows {
			for j, c := range r {
				x.set(s.Sheet, j+1, i+2, c.value(), x.sectionStyle(c))
			}
		}
		for j, w := range s.Widths {
			x.keep(x.f.SetColWidth(s.Sheet, colName(j+1), colName(j+1), w))
		}
		x.keep(x.f.SetPanes(s.Sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
		x.printSetup(s.Sheet, quoteSheet(s.Sheet)+"!$1:$1", true)
	}
}

// value is what an XLSX cell holds: a number for figures, so sums and
// filters work in Excel.
func (c sectionCell) value() any {
	if c.IsNum {
		return c.Num
	}
	return c.Text
}

func (x *xlsxWriter) sectionStyle(c sectionCell) int {
	switch {
	case c.IsNum:
		return x.numberStyle(c.Decimals, c.Bold)
	case c.Status != StatusNone:
		return x.statusStyle(c.Status, c.Bold)
	}
	return x.textStyle("left", c.Bold)
}

// htmlWrapAt is how long a text cell of the tasks and projects parts
// gets before the HTML lets it wrap.
const htmlWrapAt = 16

// htmlSection is a section as the HTML template shows it.
type htmlSection struct {
	Title, Empty string
	Header       []string
	Rows         [][]htmlCell
}

// htmlSections returns the sections for the HTML page.
func (t *Table) htmlSections() []htmlSection {
	var out []htmlSection
	for _, s := range t.sections() {
		hs := htmlSection{Title: s.Title, Empty: s.Empty, Header: s.Header}
		for _, r := range s.Rows {
			var row []htmlCell
			for _, c := range r {
				var hc htmlCell
				switch {
				case c.IsNum:
					hc.Class = "num"
				case c.Status != StatusNone:
					hc.Class = statusClass(c.Status)
				case utf8.RuneCountInString(c.Text) > htmlWrapAt:
					hc.Class = "wrap" // departments and notes wrap instead of widening the page
				}
				hc.Text = c.Text
				row = append(row, hc)
			}
			hs.Rows = append(hs.Rows, row)
		}
		out = append(out, hs)
	}
	return out
}
