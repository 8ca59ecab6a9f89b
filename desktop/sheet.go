package desktop

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// A sheet is the spreadsheet-like grid the capacity and population tabs
// use: one row per facility or village, one column per figure, entered
// with the keyboard. Tab moves right (and on to the next row), Shift+Tab
// left, Enter and the arrow keys down and up, and focusing a cell selects
// its text so typing replaces it. The table virtualises its rows, so a
// township with thousands of facilities scrolls as smoothly as one with
// ten. Each figure shows the comparison value (last month, last year) in
// grey beside it, and a cell with a problem turns red.

// sheetCol is one figure column.
type sheetCol struct {
	title string // header, two short lines
	field string // record field, to match problems to cells
}

// sheetRow is one line of the sheet. The UI goroutine owns it.
type sheetRow struct {
	label  string
	text   []string // what the cells hold now
	orig   []string // as loaded
	prev   []string // comparison figures, "" for none
	exists bool     // a record was loaded for the row
	saved  bool     // saved since loading
	// problems by field; other holds those without a column.
	problems map[string]string
	other    string
}

func (r *sheetRow) dirty() bool {
	for i := range r.text {
		if strings.TrimSpace(r.text[i]) != strings.TrimSpace(r.orig[i]) {
			return true
		}
	}
	return false
}

func (r *sheetRow) hasProblems() bool { return len(r.problems) > 0 || r.other != "" }

type sheet struct {
	u       *UI
	head    string // title of the label column
	cols    []sheetCol
	rows    []sheetRow
	table   *widget.Table
	parts   map[fyne.CanvasObject]*cellParts
	at      map[[2]int]*cellEntry // (row, col) -> the entry showing it
	onEdit  func()                // after any cell changed
	labelW  float32
	statusW float32
	prevW   float32 // width of the grey comparison figure
}

// cellParts are the widgets of one reusable table cell.
type cellParts struct {
	label *widget.Label
	entry *cellEntry
	prev  *widget.Label
	bg    *canvas.Rectangle
	box   *fyne.Container // entry, prev and bg
}

// newSheet makes a sheet whose figures have up to digits digits, which
// sizes the columns so the comparison figure never covers the entry.
func newSheet(u *UI, head string, cols []sheetCol, labelW float32, digits int) *sheet {
	s := &sheet{u: u, head: head, cols: cols, parts: map[fyne.CanvasObject]*cellParts{},
		at: map[[2]int]*cellEntry{}, labelW: labelW, statusW: 120}
	s.prevW = widget.NewLabel("(" + strings.Repeat("8", digits) + ")").MinSize().Width
	s.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(s.rows), len(s.cols) + 2 },
		s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		switch {
		case id.Col == 0:
			l.SetText(s.head + "\n ")
		case id.Col == len(s.cols)+1:
			l.SetText("状态\n ")
		case id.Col > 0:
			l.SetText(s.cols[id.Col-1].title)
		}
	}
	s.table.SetColumnWidth(0, labelW)
	entryW := widget.NewLabel(strings.Repeat("8", digits)).MinSize().Width + 2*theme.InnerPadding()
	for i := range cols {
		s.table.SetColumnWidth(i+1, max(100, entryW+s.prevW))
	}
	s.table.SetColumnWidth(len(cols)+1, s.statusW)
	// The header alone is two lines ("床位总数" over "本月(上月)"); the
	// table sizes data rows from the header template too, so the template
	// stays one line and the header row gets its height here.
	s.table.SetRowHeight(-1, widget.NewLabel("\n").MinSize().Height)
	return s
}

func (s *sheet) createCell() fyne.CanvasObject {
	p := &cellParts{label: widget.NewLabel(""), prev: widget.NewLabel(""), bg: canvas.NewRectangle(color.Transparent)}
	p.label.Truncation = fyne.TextTruncateEllipsis
	p.prev.Importance = widget.LowImportance
	p.prev.Alignment = fyne.TextAlignTrailing
	p.entry = newCellEntry(s)
	p.box = container.NewStack(p.bg, container.New(cellLayout{prev: s.prevW}, p.entry, p.prev))
	o := container.NewStack(p.label, p.box)
	s.parts[o] = p
	return o
}

func (s *sheet) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	p := s.parts[o]
	if id.Row < 0 || id.Row >= len(s.rows) {
		return
	}
	r := &s.rows[id.Row]
	ncols := len(s.cols)
	switch {
	case id.Col == 0:
		p.box.Hide()
		p.label.Importance = widget.MediumImportance
		p.label.TextStyle = fyne.TextStyle{}
		p.label.SetText(r.label)
		p.label.Show()
	case id.Col == ncols+1:
		p.box.Hide()
		text, imp := s.status(r)
		p.label.Importance = imp
		p.label.SetText(text)
		p.label.Show()
	default:
		c := id.Col - 1
		p.label.Hide()
		e := p.entry
		if old, ok := s.at[[2]int{e.row, e.col}]; ok && old == e {
			delete(s.at, [2]int{e.row, e.col})
		}
		e.row, e.col = id.Row, c
		s.at[[2]int{id.Row, c}] = e
		if e.Text != r.text[c] {
			e.updating = true
			e.SetText(r.text[c])
			e.updating = false
		}
		if r.prev[c] != "" {
			p.prev.SetText("(" + r.prev[c] + ")")
		} else {
			p.prev.SetText("")
		}
		if _, bad := r.problems[s.cols[c].field]; bad {
			p.bg.FillColor = problemTint()
		} else {
			p.bg.FillColor = color.Transparent
		}
		p.bg.Refresh()
		p.box.Show()
	}
}

// problemTint is the theme's error colour, faded so the figure stays
// readable on it.
func problemTint() color.Color {
	r, g, b, _ := theme.Color(theme.ColorNameError).RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x55}
}

// status is the text of a row's status cell.
func (s *sheet) status(r *sheetRow) (string, widget.Importance) {
	switch {
	case r.hasProblems():
		return "✗ 有错误", widget.DangerImportance
	case r.dirty():
		return "● 未保存", widget.WarningImportance
	case r.saved:
		return "✓ 已保存", widget.SuccessImportance
	case r.exists:
		return "已填报", widget.MediumImportance
	}
	return "未填报", widget.LowImportance
}

// setRows replaces the sheet's rows.
func (s *sheet) setRows(rows []sheetRow) {
	s.rows = rows
	s.at = map[[2]int]*cellEntry{}
	s.table.Refresh()
}

// edited records a cell's new text.
func (s *sheet) edited(row, col int, text string) {
	if row < 0 || row >= len(s.rows) {
		return
	}
	r := &s.rows[row]
	r.text[col] = text
	// The problem is the user's to fix; once they change a figure of the
	// row, the old message no longer describes it.
	if r.hasProblems() {
		r.problems, r.other = nil, ""
		s.table.Refresh()
	} else {
		s.table.RefreshItem(widget.TableCellID{Row: row, Col: len(s.cols) + 1})
	}
	if s.onEdit != nil {
		s.onEdit()
	}
}

// dirtyRows returns the indexes of rows with unsaved edits.
func (s *sheet) dirtyRows() []int {
	var out []int
	for i := range s.rows {
		if s.rows[i].dirty() {
			out = append(out, i)
		}
	}
	return out
}

// problemSummary lists the rows with problems, for the line under the
// sheet.
func (s *sheet) problemSummary() string {
	var lines []string
	n := 0
	for i := range s.rows {
		r := &s.rows[i]
		if !r.hasProblems() {
			continue
		}
		n++
		if len(lines) == 4 {
			continue
		}
		var msgs []string
		for _, c := range s.cols {
			if m, ok := r.problems[c.field]; ok {
				msgs = append(msgs, m)
			}
		}
		if r.other != "" {
			msgs = append(msgs, r.other)
		}
		lines = append(lines, fmt.Sprintf("第%d行 %s：%s", i+1, r.label, strings.Join(msgs, "；")))
	}
	if n > len(lines) {
		lines = append(lines, fmt.Sprintf("另有%d行有错误", n-len(lines)))
	}
	return strings.Join(lines, "\n")
}

// move focuses the cell dr rows and dc columns away, wrapping from the
// last column to the first column of the next row like a spreadsheet.
func (s *sheet) move(row, col, dr, dc int) {
	n := len(s.cols)
	row += dr
	col += dc
	if col >= n {
		row, col = row+1, 0
	}
	if col < 0 {
		row, col = row-1, n-1
	}
	if row < 0 || row >= len(s.rows) {
		return
	}
	s.focus(row, col)
}

// focus scrolls to a cell and puts the cursor in it with its text
// selected.
func (s *sheet) focus(row, col int) {
	id := widget.TableCellID{Row: row, Col: col + 1}
	s.table.ScrollTo(id)
	e := s.at[[2]int{row, col}]
	if e == nil {
		s.table.Refresh()
		e = s.at[[2]int{row, col}]
	}
	if e == nil {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
		c.Focus(e)
	} else {
		s.u.win.Canvas().Focus(e)
	}
	e.Entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// cellEntry is a figure cell: an entry that moves on with Tab and Enter.
type cellEntry struct {
	widget.Entry
	s        *sheet
	row, col int
	shift    bool
	updating bool // the sheet is setting the text, not the user
}

func newCellEntry(s *sheet) *cellEntry {
	e := &cellEntry{s: s, row: -1, col: -1}
	e.ExtendBaseWidget(e)
	e.OnChanged = func(text string) {
		if !e.updating {
			s.edited(e.row, e.col, text)
		}
	}
	return e
}

// AcceptsTab keeps Tab for moving between cells instead of Fyne's focus
// traversal, which would leave the table at its last visible row.
func (e *cellEntry) AcceptsTab() bool { return true }

// KeyDown tracks Shift for Shift+Tab.
func (e *cellEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks Shift for Shift+Tab.
func (e *cellEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// TypedKey moves between cells on Tab, Enter and the arrow keys.
func (e *cellEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyTab:
		if e.shift {
			e.s.move(e.row, e.col, 0, -1)
		} else {
			e.s.move(e.row, e.col, 0, 1)
		}
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyDown:
		e.s.move(e.row, e.col, 1, 0)
	case fyne.KeyUp:
		e.s.move(e.row, e.col, -1, 0)
	default:
		e.Entry.TypedKey(k)
	}
}

// TypedShortcut saves on Ctrl+S.
func (e *cellEntry) TypedShortcut(s fyne.Shortcut) {
	if isSaveShortcut(s) {
		e.s.u.saveCurrent()
		return
	}
	e.Entry.TypedShortcut(s)
}

// pending is a sheet's edited rows turned into records to save, with the
// texts they were made from: edits typed while the save runs stay unsaved.
type pending struct {
	items []agent.Item
	rows  []int
	texts [][]string
}

// collect parses the figures of every edited row and makes its record with
// item. A figure that is not a whole number is a problem on its cell and
// keeps the row out.
func (s *sheet) collect(item func(row int, figs []int64) agent.Item) pending {
	var p pending
	for _, i := range s.dirtyRows() {
		r := &s.rows[i]
		r.problems, r.other = nil, ""
		figs := make([]int64, len(s.cols))
		for j, col := range s.cols {
			n, ok := parseCount(r.text[j])
			if !ok {
				if r.problems == nil {
					r.problems = map[string]string{}
				}
				r.problems[col.field] = fmt.Sprintf("%s“%s”不是整数", strings.SplitN(col.title, "\n", 2)[0], r.text[j])
				continue
			}
			figs[j] = n
		}
		if r.hasProblems() {
			continue
		}
		p.items = append(p.items, item(i, figs))
		p.rows = append(p.rows, i)
		p.texts = append(p.texts, append([]string(nil), r.text...))
	}
	s.table.Refresh()
	return p
}

// applySaved marks the rows that were written and puts the problems of
// the refused ones on their cells; it returns the indexes of p.items that
// were written.
func (s *sheet) applySaved(p pending, probs map[int]schema.Problems) []int {
	var saved []int
	for k, i := range p.rows {
		if i >= len(s.rows) {
			continue
		}
		r := &s.rows[i]
		if ps, bad := probs[k]; bad {
			r.problems = map[string]string{}
			for _, pr := range ps {
				if f := township.FieldOf(pr); hasCol(s.cols, f) {
					r.problems[f] = joinMsg(r.problems[f], pr.Zh)
				} else {
					r.other = joinMsg(r.other, pr.Zh)
				}
			}
			continue
		}
		r.orig = p.texts[k]
		r.exists, r.saved = true, true
		saved = append(saved, k)
	}
	s.table.Refresh()
	return saved
}

func hasCol(cols []sheetCol, field string) bool {
	for _, c := range cols {
		if c.field == field {
			return true
		}
	}
	return false
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	if strings.Contains(a, b) {
		return a
	}
	return a + "；" + b
}

// cellLayout puts the figure's entry on the left and the comparison
// figure in a fixed-width column on the right, so the entries of a column
// line up whatever the comparison figures are.
type cellLayout struct{ prev float32 }

func (l cellLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	entryW := size.Width - l.prev
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(entryW, size.Height))
	objs[1].Move(fyne.NewPos(entryW, 0))
	objs[1].Resize(fyne.NewSize(l.prev, size.Height))
}

func (l cellLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	e := objs[0].MinSize()
	return fyne.NewSize(e.Width+l.prev, max(e.Height, objs[1].MinSize().Height))
}

// showProblems puts the sheet's problem summary in msg, or hides msg when
// there is none.
func (s *sheet) showProblems(msg *widget.Label) {
	if sum := s.problemSummary(); sum != "" {
		msg.SetText(sum)
		msg.Show()
	} else {
		msg.Hide()
	}
}

// save writes the collected rows in one synced batch off the UI goroutine,
// with btn disabled meanwhile. Back on the UI goroutine, unless current
// says the user has moved to another month or year, it marks the written
// rows and hands done the indexes of p.items that were written. what names
// the data in an error message.
func (s *sheet) save(btn *widget.Button, p pending, what string, current func() bool, done func(saved []int)) {
	st := s.u.st
	btn.Disable()
	s.u.bg(func() func() {
		probs, err := township.SaveBatch(st, p.items)
		return func() {
			btn.Enable()
			if err != nil {
				s.u.failed(what, err)
				return
			}
			if !current() {
				return
			}
			done(s.applySaved(p, probs))
		}
	})
}
