package report

import (
	"html/template"
	"io"

	"laoxiao/schema"
)

// htmlCell is one rendered cell of the HTML table.
type htmlCell struct {
	Text  string
	Class string // num, status class
	Title string // tooltip: why a figure is missing
	Href  string // the figure's lineage, when the page links it
}

type htmlRow struct {
	Name, Code string
	Sync, Long string
	Total      bool
	Cells      []htmlCell
}

type htmlColumn struct {
	Header, Attribute, Departments, Years string
	Binding                               bool
}

type htmlFormula struct {
	N                                                               int
	ID, Name, Unit, Domain, Attribute, Lead, Cooperating, How, Calc string
	Note, Completion                                                string
}

type htmlPage struct {
	Title, Subtitle string
	SubHeaders      []string
	FigCount        int
	Notes           []string
	Columns         []htmlColumn
	Rows            []htmlRow
	Townships       []htmlTownship
	Formulas        []htmlFormula
	Sections        []htmlSection // tasks and projects (render_plan.go)
}

type htmlTownship struct {
	County, Name, Code, LastSync, State string
	Stale                               bool
	Devices                             int
	Counts                              []int
	Total                               int
}

// statusClass names the CSS class that colours a status.
func statusClass(s Status) string {
	switch s {
	case StatusMet:
		return "met"
	case StatusOnTrack:
		return "ontrack"
	case StatusBehind:
		return "behind"
	case StatusNotMet:
		return "notmet"
	}
	return "none"
}

// WriteHTML renders the table as a standalone page: no scripts, no
// external styles, so it can be mailed or opened from a USB stick.
func (t *Table) WriteHTML(w io.Writer) error { return t.WriteHTMLLinked(w, nil) }

// LineageLink is the address of the lineage of a unit's current value of
// an indicator; "" leaves the figure unlinked.
type LineageLink func(unit schema.Code, indicator string) string

// WriteHTMLLinked renders the page as WriteHTML does, each current value
// a link to link's address (the office console's drill-down).
func (t *Table) WriteHTMLLinked(w io.Writer, link LineageLink) error {
	p := htmlPage{Title: t.title(), Subtitle: t.subtitle(), SubHeaders: subHeaders, FigCount: figCount, Notes: tableNotes()}
	for _, c := range t.Columns {
		p.Columns = append(p.Columns, htmlColumn{Header: c.header(), Attribute: c.attribute(), Departments: c.departments(),
			Years: c.years(), Binding: c.Attribute.Binding()})
	}
	for _, r := range t.Rows {
		hr := htmlRow{Name: r.rowName(), Code: string(r.Unit.Code), Sync: r.Sync.short(), Long: r.Sync.long(), Total: r.Total}
		for i, col := range t.Columns {
			c := r.Cells[i]
			figs := col.figures(c)
			for j, f := range figs[:len(figs)-1] {
				hc := htmlCell{Text: f, Class: "num"}
				if j == 2 {
					hc.Title = c.Note // beside the current value: why it is missing
					if link != nil && col.Indicator.Computed() {
						hc.Href = link(r.Unit.Code, col.Indicator.ID)
					}
				}
				hr.Cells = append(hr.Cells, hc)
			}
			hr.Cells = append(hr.Cells, htmlCell{Text: figs[len(figs)-1], Class: "status " + statusClass(c.Status)})
		}
		p.Rows = append(p.Rows, hr)
	}
	for _, tr := range t.Townships {
		ht := htmlTownship{County: tr.County.Name, Name: tr.Township.Name, Code: string(tr.Township.Code),
			LastSync: showTime(tr.LastSync), State: syncState(tr), Stale: tr.Stale, Devices: tr.Devices, Total: tr.total()}
		for _, k := range sortedKinds {
			ht.Counts = append(ht.Counts, tr.Records[k])
		}
		p.Townships = append(p.Townships, ht)
	}
	for i, c := range t.Columns {
		f := formulaOf(c)
		p.Formulas = append(p.Formulas, htmlFormula{N: i + 1, ID: c.Indicator.ID, Name: c.Indicator.Name, Unit: c.Indicator.Unit,
			Domain: string(c.Indicator.Domain), Attribute: c.attribute(), Lead: c.Lead, Cooperating: c.Cooperating, How: f.how,
			Calc: f.calc, Note: c.Indicator.ScopeNote, Completion: completionRule(c)})
	}
	p.Sections = t.htmlSections()
	return pageTemplate.Execute(w, p)
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"kindLabels": func() []string {
		var out []string
		for _, k := range sortedKinds {
			out = append(out, k.Label())
		}
		return out
	},
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 2em; }
p.sub { color: #555; margin-top: 0; }
ul.notes { color: #444; font-size: 12px; padding-left: 1.4em; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 6px; white-space: nowrap; }
thead th { background: #eef2f7; position: sticky; top: 0; }
th.ind { white-space: normal; min-width: 14em; }
th .attr { font-weight: normal; font-size: 11px; color: #555; display: block; }
th.binding .attr { color: #a00; font-weight: bold; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.wrap { white-space: normal; min-width: 12em; max-width: 30em; }
td.status { text-align: center; }
.met { background: #c6efce; color: #006100; }
.ontrack { background: #ddebf7; color: #1f4e79; }
.behind { background: #ffeb9c; color: #9c5700; }
.notmet { background: #ffc7ce; color: #9c0006; }
tr.total td, tr.total th { font-weight: bold; background: #f6f6f6; }
tr.stale td { background: #fff4e5; }
td[title]:not([title=""]) { text-decoration: underline dotted; cursor: help; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="sub">{{.Subtitle}}</p>
<div class="wrap">
<table>
<thead>
<tr><th rowspan="2">单位</th><th rowspan="2">代码</th><th rowspan="2">乡镇同步</th>{{range .Columns}}<th colspan="{{$.FigCount}}" class="ind{{if .Binding}} binding{{end}}">{{.Header}}<span class="attr">{{.Attribute}} · {{.Years}}</span>{{if .Departments}}<span class="attr">{{.Departments}}</span>{{end}}</th>{{end}}</tr>
<tr>{{range .Columns}}{{range $.SubHeaders}}<th>{{.}}</th>{{end}}{{end}}</tr>
</thead>
<tbody>
{{range .Rows}}<tr{{if .Total}} class="total"{{end}}><th>{{.Name}}</th><td>{{.Code}}</td><td class="num" title="{{.Long}}">{{.Sync}}</td>{{range .Cells}}<td class="{{.Class}}"{{if .Title}} title="{{.Title}}"{{end}}>{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</div>
{{if .Columns}}<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{range .Sections}}<h2>{{.Title}}</h2>
{{if .Rows}}<div class="wrap">
<table>
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td class="{{.Class}}">{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</div>{{else}}<p class="sub">{{.Empty}}</p>{{end}}
{{end}}<h2>乡镇(街道)同步情况</h2>
<div class="wrap">
<table>
<thead><tr><th>区县</th><th>乡镇(街道)</th><th>代码</th><th>最近同步时间</th><th>同步状态</th><th>设备数</th>{{range kindLabels}}<th>{{.}}</th>{{end}}<th>合计</th></tr></thead>
<tbody>
{{range .Townships}}<tr{{if .Stale}} class="stale"{{end}}><td>{{.County}}</td><td>{{.Name}}</td><td>{{.Code}}</td><td>{{.LastSync}}</td><td>{{.State}}</td><td class="num">{{.Devices}}</td>{{range .Counts}}<td class="num">{{.}}</td>{{end}}<td class="num">{{.Total}}</td></tr>
{{end}}</tbody>
</table>
</div>
<h2>指标说明</h2>
<div class="wrap">
<table>
<thead><tr><th>序号</th><th>指标代码</th><th>指标</th><th>计量单位</th><th>领域</th><th>属性</th><th>牵头单位</th><th>配合单位</th><th>取得方式</th><th>计算公式</th><th>口径说明</th><th>完成率算法</th></tr></thead>
<tbody>
{{range .Formulas}}<tr><td class="num">{{.N}}</td><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.Unit}}</td><td>{{.Domain}}</td><td>{{.Attribute}}</td><td>{{.Lead}}</td><td style="white-space: normal; min-width: 12em">{{.Cooperating}}</td><td>{{.How}}</td><td>{{.Calc}}</td><td style="white-space: normal; min-width: 20em">{{.Note}}</td><td>{{.Completion}}</td></tr>
{{end}}</tbody>
</table>
</div>
</body>
</html>
`))
