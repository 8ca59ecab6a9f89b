package report

import (
	"encoding/csv"
	"fmt"
	"io"
)

// utf8BOM starts the CSV so Excel on a Chinese Windows reads it as UTF-8
// instead of GBK.
const utf8BOM = "\ufeff"

// csvHeader is the CSV's header: one line per unit and indicator, the
// long form that loads into any tool without unmerging headers.
var csvHeader = []string{"单位代码", "单位", "合计行", syncHeader + "(正常/总数)", "指标代码", "指标", "计量单位", "属性", "牵头单位", "配合单位",
	"基期年份", "基期值", "目标年份", "目标值", "阶段目标", "当前值", "较基期变化", "完成率", "状态", "记录数", "说明"}

// WriteCSV renders the table as CSV in UTF-8 with a BOM.
func (t *Table) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, r := range t.Rows {
		total := ""
		if r.Total {
			total = "是"
		}
		for i, col := range t.Columns {
			c := r.Cells[i]
			cw.Write([]string{string(r.Unit.Code), r.Unit.Name, total, r.Sync.short(), col.Indicator.ID, col.Indicator.Name,
				col.Indicator.Unit, col.attribute(), col.Lead, col.Cooperating,
				showYear(c.BaselineYear), col.show(c.Baseline), showYear(c.TargetYear), col.show(c.Target), col.milestones(),
				col.show(c.Current), col.showChange(c.Change), showCompletion(c.Completion), showStatus(c.Status), fmt.Sprint(c.Records), c.Note})
		}
	}
	t.writeSectionsCSV(cw)
	cw.Flush()
	return cw.Error()
}
