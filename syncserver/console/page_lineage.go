package console

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/report"
)

// lineageData is the drill-down of one figure of the 任务分解表: for a
// county or city, the townships that make it up; for a township, the
// records counted (lineage_records.go).
type lineageData struct {
	*view
	Target    schema.Unit
	Year      int
	Period    string
	Indicator schema.Indicator
	Value     figure
	Up        string // the lineage one level up, or the table
	Townships []lineageTown
	Parts     []lineagePart
}

// figure is a value as the page shows it, with its measures.
type figure struct {
	Present                   bool
	Text, Num, Den, Reason    string
	NumLabel, DenLabel        string
	Records, Missing, Contrib int
}

// lineageTown is one township's part in a figure.
type lineageTown struct {
	Unit     schema.Unit
	Value    figure
	LastSync time.Time
	Href     string
}

// lineageLink is the address of a unit's lineage of an indicator.
func lineageLink(unit schema.Code, indicator string, year int, period indicators.Period) string {
	q := url.Values{"unit": {string(unit)}, "indicator": {indicator}, "year": {strconv.Itoa(year)}, "period": {period.String()}}
	return "/breakdown/lineage?" + q.Encode()
}

// showFigure formats a value: counts whole, rates to two places.
func showFigure(ind schema.Indicator, v indicators.Value) figure {
	f := figure{Present: v.Present, Reason: v.Reason, Records: v.Lineage.Records, Missing: len(v.Lineage.Missing),
		Contrib: len(v.Lineage.Contributors)}
	f.NumLabel, _ = indicators.MeasureLabel(ind.Numerator)
	f.Num = strconv.FormatFloat(v.Numerator, 'f', -1, 64)
	if ind.Denominator != "" {
		f.DenLabel, _ = indicators.MeasureLabel(ind.Denominator)
		f.Den = strconv.FormatFloat(v.Denominator, 'f', -1, 64)
	}
	if v.Present {
		f.Text = strconv.FormatFloat(v.Value, 'f', -1, 64)
		if ind.IsRate() {
			f.Text = strconv.FormatFloat(v.Value, 'f', 2, 64)
		}
	}
	return f
}

// lineageTarget reads unit, indicator, year and period; it answers the
// request itself and returns false when one is wrong or the unit is
// outside the account.
func (c *Console) lineageTarget(w http.ResponseWriter, r *http.Request, v *view) (lineageData, indicators.Period, bool) {
	o, unit, ok := c.breakdownOptions(w, r, v)
	if !ok {
		return lineageData{}, indicators.Period{}, false
	}
	ind, ok := schema.IndicatorByID(r.FormValue("indicator"))
	if !ok || !ind.Computed() {
		c.fail(w, r, v, http.StatusBadRequest, "指标不正确或不是由记录计算的指标:"+r.FormValue("indicator"))
		return lineageData{}, indicators.Period{}, false
	}
	if unit.Code.Level() > schema.LevelTownship {
		c.fail(w, r, v, http.StatusBadRequest, "来源追溯到乡镇(街道)为止,请选择区县、市或乡镇(街道):"+string(unit.Code))
		return lineageData{}, indicators.Period{}, false
	}
	p := o.Period
	if p.Year == 0 {
		p = report.DefaultPeriod(o.Year, c.now())
	}
	return lineageData{Target: unit, Year: o.Year, Period: p.String(), Indicator: ind}, p, true
}

// lineagePage shows where a figure came from.
func (c *Console) lineagePage(w http.ResponseWriter, r *http.Request, v *view) {
	d, p, ok := c.lineageTarget(w, r, v)
	if !ok {
		return
	}
	res, err := c.srv.Engine().Evaluate(r.Context(), d.Target.Code, p)
	if err != nil {
		c.internal(w, r, v, "计算指标", err)
		return
	}
	val, _ := res.Value(d.Target.Code, d.Indicator.ID)
	d.Value = showFigure(d.Indicator, val)
	d.Up = "/breakdown?" + url.Values{"unit": {string(d.Target.Code)}, "year": {strconv.Itoa(d.Year)}, "period": {d.Period}}.Encode()
	if parent := d.Target.Code.Parent(); d.Target.Code.Level() == schema.LevelTownship && parent.Within(v.Account.Unit) {
		d.Up = lineageLink(parent, d.Indicator.ID, d.Year, p)
	}
	if d.Target.Code.Level() == schema.LevelTownship {
		if d.Parts, err = c.lineageParts(r, d.Target.Code, d.Indicator, p); err != nil {
			c.internal(w, r, v, "列出计入的记录", err)
			return
		}
	} else {
		d.Townships = lineageTowns(res, d.Target.Code, d.Indicator, d.Year, p)
	}
	v.Menu, v.Title = "breakdown", "来源 · "+d.Indicator.Name
	d.view = v
	c.render(w, http.StatusOK, "lineage", d)
}

// lineageTowns lists the townships of unit with their value of ind.
func lineageTowns(res *indicators.Result, unit schema.Code, ind schema.Indicator, year int, p indicators.Period) []lineageTown {
	ur := res.Units[unit]
	if ur == nil {
		return nil
	}
	var out []lineageTown
	for _, t := range ur.Townships {
		tu := res.Units[t]
		if tu == nil {
			continue
		}
		val, _ := tu.Value(ind.ID)
		lt := lineageTown{Unit: tu.Unit, Value: showFigure(ind, val), Href: lineageLink(t, ind.ID, year, p)}
		if s := res.Townships[t]; s != nil {
			lt.LastSync = s.LastSync
		}
		out = append(out, lt)
	}
	return out
}
