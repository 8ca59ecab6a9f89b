package console

import (
	"errors"
	"fmt"
	"net/http"

	"laoxiao/schema"
	"laoxiao/syncserver/report"
	"laoxiao/syncserver/targets"
)

// targetsData is the 目标 page: the template downloads, the upload form
// with what the last upload did or every problem of its sheet, and the
// split form with its preview.
type targetsData struct {
	*view
	Target   schema.Unit
	Imported *targets.Summary
	File     string
	Problems []sheetProblem
	Problem  string
	Split    splitData
	Targets  []targetRow // set for the unit and below, after what the form did
}

// sheetProblem is one problem of an uploaded sheet, where the office
// finds it: the row as its spreadsheet numbers it, the column letter and
// the column's name.
type sheetProblem struct {
	Row    int
	Column string
	Field  string
	Zh     string
}

func (c *Console) targetsPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	c.showTargets(w, r, http.StatusOK, v, targetsData{Target: unit, Split: splitDefaults()})
}

func (c *Console) showTargets(w http.ResponseWriter, r *http.Request, status int, v *view, d targetsData) {
	var err error
	if d.Targets, err = c.unitTargets(r.Context(), v, d.Target.Code); err != nil {
		c.internal(w, r, v, "读取目标", err)
		return
	}
	v.Menu, v.Title = "targets", "目标"
	d.view = v
	d.Split.Indicators = splitIndicators()
	c.render(w, status, "targets", d)
}

// targetsTemplate downloads the target sheet template for a unit within
// the account's: its own plan's rows and one set per unit below it.
func (c *Console) targetsTemplate(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	f := report.FormatXLSX
	if r.FormValue("format") == "csv" {
		f = report.FormatCSV
	}
	b, err := c.srv.TargetTemplate(unit.Code, f == report.FormatXLSX)
	if err != nil {
		c.internal(w, r, v, "生成目标模板", err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="targets-template-%s.%s"`, unit.Code, f.Ext()))
	w.Write(b)
}

// targetsImport takes an uploaded sheet: every row is checked and lies
// within the account's unit, or nothing is written.
func (c *Console) targetsImport(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	d := targetsData{Target: unit, Split: splitDefaults()}
	data, name, ok, err := formFile(r, "sheet")
	d.File = name
	switch {
	case err != nil:
		c.internal(w, r, v, "读取上传文件", err)
		return
	case !ok:
		d.Problem = "请选择要上传的目标表(XLSX 或 CSV 文件)。"
		c.showTargets(w, r, http.StatusBadRequest, v, d)
		return
	}
	if d.Problems, err = c.checkSheet(data, v); err == nil && len(d.Problems) == 0 {
		var sum targets.Summary
		sum, err = c.srv.ImportTargets(r.Context(), data)
		d.Imported = &sum
	}
	if err != nil {
		d.Imported, d.Problem = nil, "无法导入:"+zhPart(err)
	}
	if d.Problem != "" || len(d.Problems) > 0 {
		c.showTargets(w, r, http.StatusBadRequest, v, d)
		return
	}
	c.log.Info("targets imported in the console", "account", v.Account.Name, "file", name, "imported", d.Imported.Imported)
	c.showTargets(w, r, http.StatusOK, v, d)
}

// checkSheet parses a sheet as the import will (the rules are the
// targets package's) and adds a problem for every row whose unit lies
// outside the account's: an office sets its own targets and those below.
// err is a sheet that cannot be read at all.
func (c *Console) checkSheet(data []byte, v *view) ([]sheetProblem, error) {
	entries, _, err := targets.Parse(data, v.divs, c.now())
	var ie *targets.ImportError
	if errors.As(err, &ie) {
		var out []sheetProblem
		for _, p := range ie.Problems {
			out = append(out, sheetProblem{Row: p.Row, Column: p.Column, Field: p.Field.Header(), Zh: p.Zh})
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var out []sheetProblem
	for _, e := range entries {
		if !e.Unit.Within(v.Account.Unit) {
			out = append(out, sheetProblem{Row: e.Row, Field: targets.ColUnit.Header(),
				Zh: fmt.Sprintf("单位%s(%s)不在本账号管辖范围(%s)内,不能为其设定目标", e.Unit, v.divs.Name(e.Unit), v.Unit.Name)})
		}
	}
	return out, nil
}
