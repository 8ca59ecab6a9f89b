package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText renders the table for a terminal: one aligned block per
// indicator (rows are units, columns the five figures), because a city's
// indicators side by side are far wider than any terminal. Columns align
// by display width, so Chinese names line up.
func (t *Table) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, t.title())
	fmt.Fprintln(bw, t.subtitle())
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, syncHeader)
	var sync [][]string
	for _, r := range t.Rows {
		sync = append(sync, []string{r.rowName(), r.Sync.long()})
	}
	writeAligned(bw, sync, "  ")
	for i, col := range t.Columns {
		fmt.Fprintln(bw)
		head := fmt.Sprintf("%d. %s  [%s]  %s", i+1, col.header(), col.attribute(), col.years())
		if d := col.departments(); d != "" {
			head += "  " + d
		}
		fmt.Fprintln(bw, head)
		lines := [][]string{append([]string{"单位"}, append(subHeaders, "说明")...)}
		for _, r := range t.Rows {
			c := r.Cells[i]
			lines = append(lines, append(append([]string{r.rowName()}, col.figures(c)...), shortNote(c.Note)))
		}
		writeAligned(bw, lines, "  ")
	}
	if len(t.Columns) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "说明")
		for _, n := range tableNotes() {
			fmt.Fprintln(bw, "  "+n)
		}
	}
	t.writeSectionsText(bw)
	if len(t.Townships) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "乡镇(街道)同步情况")
		lines := [][]string{{"区县", "乡镇(街道)", "代码", "最近同步", "状态", "记录数"}}
		for _, tr := range t.Townships {
			lines = append(lines, []string{tr.County.Name, tr.Township.Name, string(tr.Township.Code),
				showTime(tr.LastSync), syncState(tr), fmt.Sprint(tr.total())})
		}
		writeAligned(bw, lines, "  ")
	}
	return bw.Flush()
}

// writeAligned writes rows as columns padded to their widest cell; the
// first column and the last (notes) are left-aligned text, the figures
// in between right-aligned. The last column is not padded, so lines
// carry no trailing blanks.
func writeAligned(w io.Writer, rows [][]string, indent string) {
	widths := map[int]int{}
	for _, r := range rows {
		for j, s := range r {
			widths[j] = max(widths[j], displayWidth(s))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for j, s := range r {
			if j > 0 {
				b.WriteString("  ")
			}
			last := j == len(r)-1
			right := j > 0 && !last && !isTextColumn(rows[0][j])
			if last {
				b.WriteString(s)
				continue
			}
			b.WriteString(pad(s, widths[j], right))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// isTextColumn reports whether a column holds words rather than figures.
func isTextColumn(header string) bool {
	switch header {
	case "状态", "乡镇(街道)", "代码", "最近同步", "区县", "单位":
		return true
	case "规划", "任务序号", "任务", "牵头单位", "配合单位", "完成时限", "分解到", "进展状态", "进展说明", "填报日期", "填报单位",
		"所在地", "项目名称", "类型", "建设期限", "组织实施单位", "项目状态", "备注":
		return true // the tasks and projects parts (render_plan.go)
	}
	return false
}
