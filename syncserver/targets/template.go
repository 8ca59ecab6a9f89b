package targets

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"laoxiao/schema"
)

// templateHeader is the template's header: the six columns import reads,
// with the unit's and indicator's names beside their codes for people
// (import ignores those).
var templateHeader = []string{ColUnit.Header(), "单位名称(unit name)", ColIndicator.Header(), "指标名称(indicator name)",
	"计量单位(measure unit)", ColBaselineYear.Header(), ColBaseline.Header(), ColTargetYear.Header(), ColTarget.Header()}

// TemplateRows are the rows a template for unit holds: for the unit and
// each unit directly below it, one row per target of the unit's own plan
// (an indicator with a 2022 milestone and a 2025 target has two; every
// computed indicator once, for 2025, when the unit has no plan). The unit's own rows
// carry its plan's baselines and targets as written; the others carry
// the target year, for the office to fill in. No unit: no rows.
func TemplateRows(divs *schema.Divisions, unit schema.Code) ([][]string, error) {
	if unit == "" {
		return nil, nil
	}
	u, ok := divs.Lookup(unit)
	if !ok {
		return nil, fmt.Errorf("template: unit %s does not exist", unit)
	}
	plan := schema.PlanOf(u)
	if len(plan) == 0 {
		for _, ind := range schema.Catalogue() {
			if ind.Computed() {
				plan = append(plan, schema.PlanIndicator{Concept: ind.ID, TargetYear: 2025})
			}
		}
	}
	units := append([]schema.Code{unit}, divs.Children(unit)...)
	var rows [][]string
	for _, c := range units {
		for _, p := range plan {
			ind, _ := schema.IndicatorByID(p.Concept)
			row := []string{string(c), divs.Name(c), ind.ID, ind.Name, ind.Unit, "", "", year(p.TargetYear), ""}
			if c == unit {
				row[5], row[6], row[8] = year(p.BaselineYear), schema.PlanText(p.BaselineText), schema.PlanText(p.TargetText)
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func year(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// WriteTemplateCSV writes the template as CSV in UTF-8 with a BOM.
func WriteTemplateCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(templateHeader)
	cw.WriteAll(rows)
	return cw.Error()
}

// WriteTemplateXLSX writes the template as a workbook: the sheet to fill
// in (codes formatted as text, so a spreadsheet cannot turn a village
// code into 5.11802E+11) and a sheet of instructions and indicator ids.
func WriteTemplateXLSX(w io.Writer, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	const s, help = "目标", "填写说明"
	keep(f.SetSheetName("Sheet1", s))
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}})
	keep(err)
	textFmt, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	keep(err)
	keep(f.SetColStyle(s, "A", textFmt))
	keep(f.SetColStyle(s, "C", textFmt))
	keep(f.SetColStyle(s, "G", textFmt))
	keep(f.SetColStyle(s, "I", textFmt))
	for j, h := range templateHeader {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		keep(f.SetCellStr(s, cell, h))
		keep(f.SetCellStyle(s, cell, cell, head))
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			keep(f.SetCellStr(s, cell, v))
			if j == 0 || j == 2 || j == 6 || j == 8 {
				keep(f.SetCellStyle(s, cell, cell, textFmt))
			}
		}
	}
	keep(f.SetColWidth(s, "A", "A", 14))
	keep(f.SetColWidth(s, "B", "B", 14))
	keep(f.SetColWidth(s, "C", "C", 30))
	keep(f.SetColWidth(s, "D", "D", 36))
	keep(f.SetColWidth(s, "E", "I", 13))
	keep(f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))

	_, err = f.NewSheet(help)
	keep(err)
	lines := []string{
		"每行一个目标: 单位代码、指标(代码或名称)、基期年份、基期值、目标年份、目标值。",
		"数值可带比较符或百分号: 95、>95、≥60、50%；无数字的目标可写文字，如“应建尽建”，原文照录。",
		"基期值和目标值都空着的行不导入；其余任何一行有错，整张表都不导入，并列出每处错误的行和列。",
		"单位名称、指标名称和计量单位只供查看，导入时不读取。",
		"One target per row. Rows with neither a baseline nor a target value are skipped; any error stops the whole import.",
		"",
	}
	for i, l := range lines {
		keep(f.SetCellStr(help, fmt.Sprintf("A%d", i+1), l))
	}
	at := len(lines) + 1
	for j, h := range []string{"指标代码", "指标名称", "计量单位", "领域", "取得方式"} {
		cell, _ := excelize.CoordinatesToCellName(j+1, at)
		keep(f.SetCellStr(help, cell, h))
		keep(f.SetCellStyle(help, cell, cell, head))
	}
	for i, ind := range schema.Catalogue() {
		how := "由记录计算"
		if !ind.Computed() {
			how = "部门填报"
		}
		for j, v := range []string{ind.ID, ind.Name, ind.Unit, string(ind.Domain), how} {
			cell, _ := excelize.CoordinatesToCellName(j+1, at+1+i)
			keep(f.SetCellStr(help, cell, v))
		}
	}
	keep(f.SetColWidth(help, "A", "A", 36))
	keep(f.SetColWidth(help, "B", "B", 50))
	if firstErr != nil {
		return fmt.Errorf("write template: %w", firstErr)
	}
	return f.Write(w)
}
