// Package targets sets the goals (schema.Target records) that breakdown
// tables measure against: importing them from a sheet offices fill in,
// writing that sheet's template, and splitting a city target over its
// counties by a weight. Targets are written through the server's single
// writer, so they flow down to the sites by sync, read-only there.
package targets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Column is one of the six columns of a target sheet.
type Column int

// The columns, in the template's order.
const (
	ColUnit Column = iota
	ColIndicator
	ColBaselineYear
	ColBaseline
	ColTargetYear
	ColTarget
	numColumns
)

// columnInfo names a column in both languages and lists the header
// spellings accepted for it.
type columnInfo struct {
	zh, en  string
	aliases []string
}

var columns = [numColumns]columnInfo{
	ColUnit:         {"单位代码", "unit", []string{"unit", "单位代码", "区划代码", "单位", "code"}},
	ColIndicator:    {"指标", "indicator", []string{"indicator", "指标", "指标代码", "indicatorid"}},
	ColBaselineYear: {"基期年份", "baseline year", []string{"baselineyear", "基期年份", "基期年"}},
	ColBaseline:     {"基期值", "baseline value", []string{"baselinevalue", "baseline", "基期值"}},
	ColTargetYear:   {"目标年份", "target year", []string{"targetyear", "目标年份", "目标年"}},
	ColTarget:       {"目标值", "target value", []string{"targetvalue", "target", "目标值"}},
}

// Header is the column's title as the template writes it: "单位代码(unit)".
func (c Column) Header() string { return columns[c].zh + "(" + columns[c].en + ")" }

// Row is one data row of a sheet, as written.
type Row struct {
	// Line is the row's number as the office sees it: the spreadsheet
	// row, or the CSV line, counting the header.
	Line  int
	Cells [numColumns]string
}

// blank reports whether every cell of the row is empty.
func (r Row) blank() bool {
	for _, c := range r.Cells {
		if c != "" {
			return false
		}
	}
	return true
}

// sheet is a read sheet: its rows and where each column was found.
type sheet struct {
	rows []Row
	// at is the 0-based position of each column in the file.
	at [numColumns]int
}

// letter names a column as a spreadsheet does (A, B, …, AA).
func (s *sheet) letter(c Column) string {
	name, err := excelize.ColumnNumberToName(s.at[c] + 1)
	if err != nil {
		return fmt.Sprint(s.at[c] + 1)
	}
	return name
}

// isXLSX reports whether data is a zip archive, which an XLSX file is.
func isXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// maxRows bounds an import: all of it goes into one commit, and the
// biggest city's counties times the catalogue is far below this.
const maxRows = 5000

// readSheet reads an XLSX (its first sheet) or a CSV (UTF-8, with or
// without a BOM) and finds the columns by their headers.
func readSheet(data []byte) (*sheet, error) {
	var raw [][]string
	var lines []int
	if isXLSX(data) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("read XLSX: %w", err)
		}
		defer f.Close()
		rows, err := f.Rows(f.GetSheetName(0))
		if err != nil {
			return nil, fmt.Errorf("read XLSX: %w", err)
		}
		defer rows.Close()
		for n := 1; rows.Next(); n++ {
			cols, err := rows.Columns()
			if err != nil {
				return nil, fmt.Errorf("read XLSX row %d: %w", n, err)
			}
			raw, lines = append(raw, cols), append(lines, n)
		}
	} else {
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
		cr.FieldsPerRecord = -1
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("read CSV: %w", err)
			}
			line, _ := cr.FieldPos(0)
			raw, lines = append(raw, rec), append(lines, line)
		}
	}
	return findColumns(raw, lines)
}

// findColumns takes the first non-empty row as the header and maps the
// six columns; other columns (unit and indicator names the template adds
// for people) are ignored.
func findColumns(raw [][]string, lines []int) (*sheet, error) {
	h := 0
	for h < len(raw) && strings.TrimSpace(strings.Join(raw[h], "")) == "" {
		h++
	}
	if h == len(raw) {
		return nil, fmt.Errorf("the sheet is empty / 表格为空")
	}
	s := &sheet{}
	for c := range numColumns {
		s.at[c] = -1
	}
	for i, cell := range raw[h] {
		if c, ok := matchHeader(cell); ok && s.at[c] < 0 {
			s.at[c] = i
		}
	}
	var missing []string
	for c := range numColumns {
		if s.at[c] < 0 {
			missing = append(missing, c.Header())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("row %d (header): no column %s / 表头缺少列: %s", lines[h],
			strings.Join(missing, ", "), strings.Join(missing, "、"))
	}
	for i := h + 1; i < len(raw); i++ {
		r := Row{Line: lines[i]}
		for c := range numColumns {
			if at := s.at[c]; at < len(raw[i]) {
				r.Cells[c] = strings.TrimSpace(raw[i][at])
			}
		}
		if r.blank() {
			continue
		}
		s.rows = append(s.rows, r)
	}
	if len(s.rows) > maxRows {
		return nil, fmt.Errorf("%d rows: at most %d targets can be imported at once / 一次最多导入%d行", len(s.rows), maxRows, maxRows)
	}
	return s, nil
}

// matchHeader recognises a header cell by any of its words: "单位代码(unit)",
// "unit", "Target value" and "目标值" all name their column.
func matchHeader(cell string) (Column, bool) {
	words := strings.FieldsFunc(strings.ToLower(cell), func(r rune) bool {
		return strings.ContainsRune("()（）[]【】/|,，", r)
	})
	for _, w := range words {
		w = strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.TrimSpace(w))
		for c := range numColumns {
			for _, a := range columns[c].aliases {
				if w == a {
					return c, true
				}
			}
		}
	}
	return 0, false
}
