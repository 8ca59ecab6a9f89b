package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// Format is an output format of the breakdown table.
type Format string

// The formats.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
	FormatHTML Format = "html"
	FormatText Format = "text"
)

// Formats lists every format.
var Formats = []Format{FormatXLSX, FormatCSV, FormatHTML, FormatText}

// ParseFormat reads a format name; "txt" is text.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatXLSX, FormatCSV, FormatHTML, FormatText:
		return f, nil
	case "txt":
		return FormatText, nil
	}
	return "", fmt.Errorf("format %q: want xlsx, csv, html or text", s)
}

// FormatOf guesses the format from a file name's extension.
func FormatOf(name string) (Format, bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	f, err := ParseFormat(name[i+1:])
	return f, err == nil
}

// ContentType is the format's MIME type.
func (f Format) ContentType() string {
	switch f {
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// Ext is the file extension of the format, without the dot.
func (f Format) Ext() string {
	if f == FormatText {
		return "txt"
	}
	return string(f)
}

// Write renders the table in format f.
func (t *Table) Write(w io.Writer, f Format) error {
	var err error
	switch f {
	case FormatXLSX:
		err = t.WriteXLSX(w)
	case FormatCSV:
		err = t.WriteCSV(w)
	case FormatHTML:
		err = t.WriteHTML(w)
	case FormatText:
		err = t.WriteText(w)
	default:
		return fmt.Errorf("render breakdown: unknown format %q", f)
	}
	if err != nil {
		return fmt.Errorf("render breakdown as %s: %w", f, err)
	}
	return nil
}

// The renderers format every figure through the functions below, so the
// four formats show the same numbers; XLSX stores numbers with a number
// format that displays them the same way.

// dash marks a figure that is absent.
const dash = "—"

// number formats a value with the column's decimals, without thousands
// separators, so the CSV reads back as numbers anywhere.
func number(v float64, decimals int) string {
	return strconv.FormatFloat(round(v, decimals), 'f', decimals, 64)
}

// show formats a baseline, target or current value.
func (c Column) show(n Num) string {
	switch {
	case n.Text != "":
		return n.Text
	case !n.OK:
		return dash
	}
	return number(n.V, c.Decimals)
}

// percentDecimals is how precisely completion is shown.
const percentDecimals = 1

// completionValue is the completion fraction rounded as it is shown;
// XLSX stores exactly this under a percent format, so a value on a
// rounding edge cannot show differently in two formats.
func completionValue(n Num) float64 { return round(n.V, percentDecimals+2) }

// showCompletion formats a completion fraction as a percentage.
func showCompletion(n Num) string {
	if !n.OK {
		return dash
	}
	return number(completionValue(n)*100, percentDecimals) + "%"
}

// showStatus names a status, with a dash for none.
func showStatus(s Status) string {
	if s == StatusNone {
		return dash
	}
	return string(s)
}

// header is the indicator's column title: its name with its unit.
func (c Column) header() string {
	if c.Indicator.Unit == "" {
		return c.Indicator.Name
	}
	return c.Indicator.Name + "(" + c.Indicator.Unit + ")"
}

// attribute is 约束性 or 预期性, or says the plan states neither.
func (c Column) attribute() string {
	if c.Attribute == schema.AttrUnstated {
		return "属性未注明"
	}
	return string(c.Attribute)
}

// departments names the lead and co-departments, "" when the plan names
// none.
func (c Column) departments() string {
	switch {
	case c.Lead != "" && c.Cooperating != "":
		return "牵头:" + c.Lead + ";配合:" + c.Cooperating
	case c.Lead != "":
		return "牵头:" + c.Lead
	case c.Cooperating != "":
		return "配合:" + c.Cooperating
	}
	return ""
}

// years says the baseline and target years and the milestones, for the
// indicator's heading: "基期2020年 · 目标2025年 · 阶段目标2022年≥55".
func (c Column) years() string {
	var parts []string
	if c.BaselineYear != 0 {
		parts = append(parts, fmt.Sprintf("基期%d年", c.BaselineYear))
	}
	parts = append(parts, fmt.Sprintf("目标%d年", c.TargetYear))
	if m := c.milestones(); m != "" {
		parts = append(parts, "阶段目标"+m)
	}
	if c.Scope == schema.ScopeEachBelow {
		parts = append(parts, "每个下级单位均须达到")
	}
	return strings.Join(parts, " · ")
}

// milestones writes the other years' targets: "2022年≥55、2023年100".
func (c Column) milestones() string {
	var parts []string
	for _, m := range c.Milestones {
		parts = append(parts, fmt.Sprintf("%d年%s", m.Year, m.Text))
	}
	return strings.Join(parts, "、")
}

// subHeaders are the six figures of each indicator.
var subHeaders = []string{"基期值", "目标值", "当前值", "较基期变化", "完成率", "状态"}

// figCount is how many figures each indicator shows.
var figCount = len(subHeaders)

// showChange formats the change since the baseline with its sign.
func (c Column) showChange(n Num) string {
	if !n.OK {
		return dash
	}
	v := round(n.V, c.Decimals)
	if v > 0 {
		return "+" + number(v, c.Decimals)
	}
	return number(v, c.Decimals)
}

// figures are a cell's six figures as every format shows them.
func (c Column) figures(cl Cell) []string {
	return []string{c.show(cl.Baseline), c.show(cl.Target), c.show(cl.Current), c.showChange(cl.Change),
		showCompletion(cl.Completion), showStatus(cl.Status)}
}

// showYear formats a year, or a dash.
func showYear(y int) string {
	if y == 0 {
		return dash
	}
	return strconv.Itoa(y)
}

// showTime formats a sync time in China time, or "从未同步".
func showTime(t time.Time) string {
	if t.IsZero() {
		return "从未同步"
	}
	return t.In(schema.ChinaTime).Format("2006-01-02 15:04")
}

// syncState names a township's sync state.
func syncState(tr TownshipRow) string {
	switch {
	case tr.LastSync.IsZero():
		return "从未同步"
	case tr.Stale:
		return "超过30天未同步"
	case tr.Behind:
		return "待处理:修改超过7天未上传或退回未处理"
	}
	return "正常"
}

// title is the table's title line: the unit, the target year and what
// the figures are as of.
func (t *Table) title() string {
	return fmt.Sprintf("%s“一老一小”任务分解表(%d年目标,数据截至%s)", t.Unit.Name, t.Year, periodZh(t.Period))
}

// periodZh writes a period the Chinese way: 2025年, 2025年6月.
func periodZh(p indicators.Period) string {
	if p.IsYear() {
		return fmt.Sprintf("%d年", p.Year)
	}
	return fmt.Sprintf("%d年%d月", p.Year, p.Month)
}

// subtitle says what the figures are as of and when they were made.
func (t *Table) subtitle() string {
	s := fmt.Sprintf("数据截至 %s · 生成于 %s", t.Period, t.Generated.In(schema.ChinaTime).Format("2006-01-02 15:04"))
	if n := t.staleCount(); n > 0 {
		s += fmt.Sprintf(" · %d个乡镇(街道)超过30天未同步或从未同步", n)
	}
	return s
}

// syncHeader titles the column of SyncSummary.
const syncHeader = "乡镇同步"

// short is the summary as a cell shows it: townships synced recently out
// of all, "10/13".
func (s SyncSummary) short() string { return fmt.Sprintf("%d/%d", s.Current, s.Townships) }

// long spells the summary out.
func (s SyncSummary) long() string {
	return fmt.Sprintf("%d个乡镇(街道): 正常 %d, 超过30天未同步 %d, 从未同步 %d", s.Townships, s.Current, s.Stale, s.Never)
}

// rowName is a row's unit name; the total row says it is the total.
func (r Row) rowName() string {
	if r.Total {
		return r.Unit.Name + "(合计)"
	}
	return r.Unit.Name
}

// completionRule is the one definition of completion, as an indicator's
// direction applies it.
func completionRule(c Column) string {
	if c.Indicator.Direction == schema.DirectionDown {
		return "目标值÷当前值(越低越好)"
	}
	return "当前值÷目标值"
}

// tableNotes are the table's notes: the one completion rule and what the
// other columns mean, printed under the indicator part in every format
// that has room for notes (XLSX, HTML, text).
func tableNotes() []string {
	return []string{
		"完成率 = 当前值 ÷ 目标值;越低越好的指标(如价格比)为 目标值 ÷ 当前值。每一行都按此计算,不含基期。",
		"较基期变化 = 当前值 − 基期值(比率指标为百分点),单列显示,不计入完成率。",
		"状态:达标 = 当前值达到目标;进度滞后 = 目标年份未到,低于从基期到目标的线性进度;进度正常 = 未达标但不低于线性进度;未达标 = 目标年份已过仍未达到。",
		"下级单位的基期值未由目标给出时,由该单位基期年年底的记录计算;无当时记录的留空。",
		"“每个县(区)至少N”类指标不按权重分解:各下级单位均以N为目标,合计行的当前值为达到的单位数,目标值为单位总数。",
		"属性、牵头和配合单位取自本级规划;规划未写明的留空或标“属性未注明”,不借用其他地区规划的部门。",
	}
}

// shortNote keeps the Chinese part of a "中文 / English" reason, for the
// formats offices read; CSV keeps both.
func shortNote(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "; ") {
		zh, _, _ := strings.Cut(p, " / ")
		parts = append(parts, zh)
	}
	return strings.Join(parts, ";")
}
