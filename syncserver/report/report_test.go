package report

import (
	"bytes"
	"context"
	"encoding/csv"
	stdhtml "html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/store/badgerstore"
	"laoxiao/synth/benchcity"
)

// smallCity is the benchmark's city at a size tests can afford.
var smallCity = benchcity.City{Counties: 3, TownshipsPerCounty: 4, VillagesPerTownship: 3,
	Facilities: 240, CapacityPerFacility: 3, Persons: 300, Visits: 3000}

var reportNow = time.Date(2026, 3, 10, 9, 0, 0, 0, schema.ChinaTime)

type cityFixture struct {
	st   *badgerstore.DB
	divs *schema.Divisions
	eng  *indicators.Engine
}

func newCity(t *testing.T) *cityFixture {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := smallCity.Write(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	divs := smallCity.Divisions()
	return &cityFixture{st: st, divs: divs, eng: &indicators.Engine{Store: st,
		Divisions: func() *schema.Divisions { return divs }, Now: func() time.Time { return reportNow }}}
}

func (c *cityFixture) table(t *testing.T) *Table {
	t.Helper()
	tb, err := Build(context.Background(), c.eng, Options{Unit: benchcity.Code, Year: benchcity.Year})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func render(t *testing.T, tb *Table, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tb.Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBuildTable(t *testing.T) {
	c := newCity(t)
	tb := c.table(t)
	if tb.Period.String() != "2025" {
		t.Errorf("a table for 2025 made in 2026 is as of %s, want the whole of 2025", tb.Period)
	}
	if len(tb.Rows) != 4 || !tb.Rows[3].Total || tb.Rows[3].Unit.Code != benchcity.Code {
		t.Fatalf("rows %v, want three counties and the city total", tb.Rows)
	}
	if len(tb.Columns) != 8 || tb.Columns[0].Indicator.ID != "community_care_coverage" {
		t.Errorf("columns: %d, first %s; want the 8 indicators with targets in catalogue order", len(tb.Columns), tb.Columns[0].Indicator.ID)
	}
	if len(tb.Townships) != 12 {
		t.Errorf("%d townships on the sync sheet, want 12", len(tb.Townships))
	}
	// The city total is the city's own value, not a sum of county rates.
	var beds int
	for i, col := range tb.Columns {
		if col.Indicator.ID != "beds_total" {
			continue
		}
		beds = i
		sum := 0.0
		for _, r := range tb.Rows[:3] {
			sum += r.Cells[i].Current.V
		}
		if total := tb.Rows[3].Cells[i]; total.Current.V != sum || total.Target.V != 75000 || total.Baseline.V != 60000 {
			t.Errorf("city beds %+v, want current %v (sum of counties), target 75000, baseline 60000", total, sum)
		}
	}
	if s := tb.Rows[3].Cells[beds].Status; s != StatusNotMet {
		t.Errorf("city beds status %q: far below 75000 after 2025, want 未达标", s)
	}
}

// csvCells reads the CSV back: by unit code and indicator, the five
// figures as shown.
func csvCells(t *testing.T, b []byte) map[[2]string][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(utf8BOM)) {
		t.Fatal("CSV lacks the UTF-8 BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[len(utf8BOM):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("CSV header %v", recs[0])
	}
	out := map[[2]string][]string{}
	for _, r := range recs[1:] {
		if r[0] == "" {
			break // the tasks and projects sections follow a blank line
		}
		out[[2]string{r[0], r[4]}] = []string{r[11], r[13], r[15], r[16], r[17], r[18]}
	}
	return out
}

// sheetCells reads the first sheet's figures as a spreadsheet shows them
// (rows of strings), keyed like csvCells.
func sheetCells(t *testing.T, rows [][]string, tb *Table) map[[2]string][]string {
	t.Helper()
	out := map[[2]string][]string{}
	for _, r := range rows[rowFirstData-1:] {
		if len(r) < 2 || r[1] == "" {
			continue
		}
		for i, col := range tb.Columns {
			at := firstValCol - 1 + figCount*i
			figs := make([]string, figCount)
			for j := range figCount {
				if at+j < len(r) {
					figs[j] = r[at+j]
				}
			}
			out[[2]string{r[1], col.Indicator.ID}] = figs
		}
	}
	return out
}

func compareCells(t *testing.T, what string, got, want map[[2]string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s has %d cells, CSV %d", what, len(got), len(want))
	}
	for k, w := range want {
		if g := got[k]; strings.Join(g, "|") != strings.Join(w, "|") {
			t.Errorf("%s %v: %v, CSV says %v", what, k, g, w)
		}
	}
}

func TestXLSXReadBack(t *testing.T) {
	c := newCity(t)
	tb := c.table(t)
	b := render(t, tb, FormatXLSX)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != sheetTable+","+sheetTasks+","+sheetProjects+","+sheetTownships+","+sheetFormulas {
		t.Errorf("sheets %v", got)
	}
	get := func(sheet, cell string) string {
		v, err := f.GetCellValue(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := get(sheetTable, "A1"); got != "基准市“一老一小”任务分解表(2025年目标,数据截至2025年)" {
		t.Errorf("title %q", got)
	}
	// The bench city has no plan of its own: no attribute, no
	// department, rather than another city's.
	if got := get(sheetTable, cell(firstValCol, rowHeader)); got != "社区照料机构覆盖率(%)\n属性未注明 · 基期2020年 · 目标2025年" {
		t.Errorf("first indicator header %q", got)
	}
	for j, h := range subHeaders {
		if got := get(sheetTable, cell(firstValCol+j, rowSubHeader)); got != h {
			t.Errorf("sub-header %d: %q, want %q", j, got, h)
		}
	}
	// A value cell: the first county's current coverage, a
	// number with the column's format.
	cur := tb.Rows[0].Cells[0].Current
	if got := get(sheetTable, cell(firstValCol+2, rowFirstData)); got != number(cur.V, 1) {
		t.Errorf("current value shows %q, want %q", got, number(cur.V, 1))
	}
	raw, _ := f.GetCellValue(sheetTable, cell(firstValCol+2, rowFirstData), excelize.Options{RawCellValue: true})
	if typ, _ := f.GetCellType(sheetTable, cell(firstValCol+2, rowFirstData)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("current value cell has type %v (%q), want a number", typ, raw)
	}
	if got := get(sheetTownships, "B2"); got != tb.Townships[0].Township.Name {
		t.Errorf("township sheet B2 %q, want %q", got, tb.Townships[0].Township.Name)
	}
	if got := get(sheetFormulas, "K2"); got != "有社区照料机构的村(社区) ÷ 村(社区) × 100" {
		t.Errorf("formula sheet K2 %q", got)
	}
	panes, err := f.GetPanes(sheetTable)
	if err != nil || !panes.Freeze || panes.XSplit != syncCol || panes.YSplit != rowSubHeader {
		t.Errorf("panes %+v (%v), want the header and unit columns frozen", panes, err)
	}
	rows, err := f.GetRows(sheetTable)
	if err != nil {
		t.Fatal(err)
	}
	compareCells(t, "XLSX", sheetCells(t, rows, tb), csvCells(t, render(t, tb, FormatCSV)))
}

func TestFormatsShowTheSameNumbers(t *testing.T) {
	c := newCity(t)
	tb := c.table(t)
	want := csvCells(t, render(t, tb, FormatCSV))
	html := string(render(t, tb, FormatHTML))
	text := string(render(t, tb, FormatText))
	if !strings.HasPrefix(html, "<!DOCTYPE html>") || !strings.Contains(html, "</html>") {
		t.Error("HTML is not a standalone page")
	}
	htmlLines := strings.Split(stdhtml.UnescapeString(html), "\n")
	for _, r := range tb.Rows {
		line := ""
		for _, l := range htmlLines {
			if strings.Contains(l, "<th>"+r.rowName()+"</th><td>"+string(r.Unit.Code)+"</td>") && strings.Contains(l, ">"+r.Sync.short()+"</td>") {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("HTML has no row for %s", r.Unit.Code)
		}
		at := 0
		for i, col := range tb.Columns {
			figs := want[[2]string{string(r.Unit.Code), col.Indicator.ID}]
			cl := r.Cells[i]
			model := col.figures(cl)
			if strings.Join(figs, "|") != strings.Join(model, "|") {
				t.Errorf("%s %s: CSV %v, model %v", r.Unit.Code, col.Indicator.ID, figs, model)
			}
			// HTML: the five figures are the row's next five cells.
			for _, fig := range figs {
				j := strings.Index(line[at:], ">"+fig+"</td>")
				if j < 0 {
					t.Errorf("HTML row %s lacks %s's %q in order", r.Unit.Code, col.Indicator.ID, fig)
					break
				}
				at += j + len(fig) + 6
			}
			// Text: the unit's line in the indicator's block holds them.
			norm := strings.Join(strings.Fields(textBlock(text, i)), " ")
			if !strings.Contains(norm, fields(r.rowName(), figs)) {
				t.Errorf("text lacks %s %s: %v", r.Unit.Code, col.Indicator.ID, figs)
			}
		}
	}
}

// textBlock returns the n-th indicator block of the text rendering,
// after the title and the sync summary.
func textBlock(text string, n int) string {
	blocks := strings.Split(text, "\n\n")
	if n+2 < len(blocks) {
		return blocks[n+2]
	}
	return ""
}

// fields joins a unit's name and figures the way a text line separates
// them: by runs of spaces.
func fields(name string, figs []string) string {
	return strings.Join(append([]string{name}, figs...), " ")
}

func TestTextAligned(t *testing.T) {
	c := newCity(t)
	tb := c.table(t)
	text := string(render(t, tb, FormatText))
	block := textBlock(text, 0)
	lines := strings.Split(strings.TrimSpace(block), "\n")[1:]
	// The header's 状态 column and every row's status start at the same
	// display column, whatever the width of the names before it.
	col := -1
	for _, l := range lines {
		var at int
		found := false
		for _, s := range []string{"状态", string(StatusMet), string(StatusOnTrack), string(StatusBehind), string(StatusNotMet), dash + "  "} {
			if i := strings.Index(l, s); i >= 0 && (!found || i < at) {
				at, found = i, true
			}
		}
		if !found {
			t.Fatalf("no status in %q", l)
		}
		w := displayWidth(l[:at])
		if col < 0 {
			col = w
		}
		if w != col {
			t.Errorf("status at display column %d, header at %d:\n%s", w, col, block)
		}
	}
	if strings.Contains(text, " \n") {
		t.Error("text lines end in blanks")
	}
	// Collapsing the padding gives the figures separated by one space.
	norm := strings.Join(strings.Fields(block), " ")
	r := tb.Rows[0]
	figs := []string{tb.Columns[0].show(r.Cells[0].Baseline), tb.Columns[0].show(r.Cells[0].Target)}
	if !strings.Contains(norm, fields(r.rowName(), figs)) {
		t.Errorf("text block lacks %v:\n%s", figs, block)
	}
}

// TestLibreOfficeOpensXLSX converts the workbook with LibreOffice, which
// is what many offices open it with, and compares its figures with the
// CSV format's. scripts/install-deps.sh installs LibreOffice Calc, so a
// missing soffice is a broken machine and fails the test instead of
// skipping it.
func TestLibreOfficeOpensXLSX(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal("soffice (LibreOffice) is not on PATH; run scripts/install-deps.sh (it installs libreoffice-calc-nogui)")
	}
	c := newCity(t)
	tb := c.table(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "breakdown.xlsx")
	if err := os.WriteFile(in, render(t, tb, FormatXLSX), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// UTF-8 (76), comma-separated, the first sheet; a private profile so a
	// running LibreOffice does not swallow the conversion.
	cmd := exec.CommandContext(ctx, soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "breakdown.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte(utf8BOM)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		// LibreOffice drops trailing empty cells; sheetCells pads.
		rows[i] = append(rows[i], make([]string, 5)...)
	}
	compareCells(t, "LibreOffice", sheetCells(t, rows, tb), csvCells(t, render(t, tb, FormatCSV)))
}
