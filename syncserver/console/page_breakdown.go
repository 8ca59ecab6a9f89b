package console

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/report"
)

// defaultYear is the target year the page opens with: the 十四五 plans'
// final year.
const defaultYear = 2025

// breakdownData is the 任务分解表 page.
type breakdownData struct {
	*view
	Target       schema.Unit
	Year         int
	Period       string
	Table        template.HTML
	CSV, XLSX    string // download links of exactly this table
	Years        []int
	CannotRender string
}

// breakdownOptions reads unit, year and period; it answers the request
// itself and returns false when they are wrong or outside the account.
func (c *Console) breakdownOptions(w http.ResponseWriter, r *http.Request, v *view) (report.Options, schema.Unit, bool) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return report.Options{}, schema.Unit{}, false
	}
	o := report.Options{Unit: unit.Code, Year: defaultYear}
	if s := r.FormValue("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || y < 2000 || y > 2100 {
			c.fail(w, r, v, http.StatusBadRequest, "目标年份不正确:"+s)
			return report.Options{}, schema.Unit{}, false
		}
		o.Year = y
	}
	if s := r.FormValue("period"); s != "" {
		p, err := indicators.ParsePeriod(s)
		if err != nil {
			c.fail(w, r, v, http.StatusBadRequest, "数据截至期间不正确(应为 2025 或 2025-06):"+s)
			return report.Options{}, schema.Unit{}, false
		}
		o.Period = p
	}
	return o, unit, true
}

func (c *Console) breakdownPage(w http.ResponseWriter, r *http.Request, v *view) {
	o, unit, ok := c.breakdownOptions(w, r, v)
	if !ok {
		return
	}
	v.Menu, v.Title = "breakdown", "任务分解表"
	d := breakdownData{view: v, Target: unit, Year: o.Year, Period: r.FormValue("period"),
		Years: []int{2022, 2023, 2024, 2025}}
	t, err := c.breakdownTable(r.Context(), o)
	if err != nil {
		c.internal(w, r, v, "生成任务分解表", err)
		return
	}
	var buf bytes.Buffer
	// Every computed figure links to its lineage, as of the table's own
	// period (the default one resolved), so the drill-down shows the same
	// numbers.
	link := func(u schema.Code, ind string) string { return lineageLink(u, ind, o.Year, t.Period) }
	if err := t.WriteHTMLLinked(&buf, link); err != nil {
		c.internal(w, r, v, "生成任务分解表", err)
		return
	}
	body, err := reportBody(buf.Bytes())
	if err != nil {
		c.internal(w, r, v, "生成任务分解表", err)
		return
	}
	// The report's HTML comes from its own html/template, which escaped
	// every name and note in it; it is inserted as is.
	d.Table = template.HTML(body)
	q := url.Values{"unit": {string(unit.Code)}, "year": {strconv.Itoa(o.Year)}}
	if d.Period != "" {
		q.Set("period", d.Period)
	}
	q.Set("format", "csv")
	d.CSV = "/breakdown/download?" + q.Encode()
	q.Set("format", "xlsx")
	d.XLSX = "/breakdown/download?" + q.Encode()
	c.render(w, http.StatusOK, "breakdown", d)
}

// reportBody takes the body out of the report's standalone page; its
// styles are replaced by the console's (scoped under .report).
func reportBody(page []byte) ([]byte, error) {
	_, rest, ok := bytes.Cut(page, []byte("<body>"))
	if !ok {
		return nil, errors.New("report HTML has no <body>")
	}
	body, _, ok := bytes.Cut(rest, []byte("</body>"))
	if !ok {
		return nil, errors.New("report HTML has no </body>")
	}
	return body, nil
}

// breakdownDownload sends the table in CSV or XLSX, built from the same
// options as the page, so the file holds what the page showed.
func (c *Console) breakdownDownload(w http.ResponseWriter, r *http.Request, v *view) {
	o, unit, ok := c.breakdownOptions(w, r, v)
	if !ok {
		return
	}
	f, err := report.ParseFormat(r.FormValue("format"))
	if err != nil || (f != report.FormatCSV && f != report.FormatXLSX) {
		c.fail(w, r, v, http.StatusBadRequest, "下载格式应为 csv 或 xlsx")
		return
	}
	t, err := c.breakdownTable(r.Context(), o)
	if err != nil {
		c.internal(w, r, v, "生成任务分解表", err)
		return
	}
	var buf bytes.Buffer
	if err := t.Write(&buf, f); err != nil {
		c.internal(w, r, v, "生成任务分解表", err)
		return
	}
	c.log.Info("breakdown downloaded", "account", v.Account.Name, "unit", unit.Code, "year", o.Year, "format", f)
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, report.FileName(unit.Code, o.Year, f)))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}
