package desktop

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// indicatorsTab shows the township's own indicators (本乡镇指标),
// computed from the records on this laptop, beside the targets the county
// sent down.
type indicatorsTab struct {
	u      *UI
	month  *widget.Select
	period string
	table  *widget.Table
	rows   []township.Result
	snap   *township.Snapshot
	info   *widget.Label

	// The 填报值 form: a department's value for an indicator nobody can
	// compute from records, entered for the township itself. Two forms
	// side by side keep it low enough to leave the table room.
	reportable    []schema.Indicator // the catalogue's reported indicators, in the select's order
	rind          *widget.Select
	rperiod       *entry
	rvalue, rdept *entry
	rleft, rright *form
	rsave         *widget.Button
	rnote         *widget.Label
}

var indicatorHeads = []string{"指标", "本乡镇", "目标", "对照目标", "计算依据"}

func (t *indicatorsTab) build() fyne.CanvasObject {
	t.period = township.ThisMonth(township.Now(t.u.st))
	t.month = widget.NewSelect(township.RecentMonths(t.period, 36), nil)
	t.month.SetSelected(t.period)
	t.month.OnChanged = func(m string) {
		if m != t.period {
			t.period = m
			t.evaluate()
		}
	}
	t.info = hint("")
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(indicatorHeads) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		t.updateCell)
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(indicatorHeads[id.Col])
		}
	}
	for i, w := range []float32{370, 150, 150, 110, 440} {
		t.table.SetColumnWidth(i, w)
	}
	refresh := widget.NewButton("重新计算", t.reload)
	top := container.NewVBox(container.NewHBox(widget.NewLabel("统计月份"), t.month, refresh), t.info)
	return container.NewBorder(top, t.buildReported(), nil, nil, t.table)
}

// buildReported makes the 填报值 form under the table.
func (t *indicatorsTab) buildReported() fyne.CanvasObject {
	var labels []string
	for _, ind := range schema.Catalogue() {
		if ind.How == schema.HowReported {
			t.reportable = append(t.reportable, ind)
			label := ind.Name
			if ind.Unit != "" {
				label += "（" + ind.Unit + "）"
			}
			labels = append(labels, label)
		}
	}
	t.rind = widget.NewSelect(labels, nil)
	t.rind.PlaceHolder = "请选择由部门填报的指标"
	t.rperiod = newEntry(t.u, "YYYY，如 2025")
	t.rperiod.SetText(strconv.Itoa(township.Now(t.u.st).Year()))
	t.rvalue = newEntry(t.u, "数值")
	t.rdept = newEntry(t.u, "如：民政办、卫健办")
	for _, e := range []*entry{t.rperiod, t.rvalue, t.rdept} {
		e.OnSubmitted = func(string) { t.save() }
	}
	t.rleft, t.rright = newForm(), newForm()
	t.rleft.field("indicator", "指标", t.rind)
	t.rleft.field("period", "填报期", t.rperiod)
	t.rright.field("value", "填报值", t.rvalue)
	t.rright.field("department", "填报部门", t.rdept)
	t.rsave = widget.NewButton("保存填报值 (Ctrl+S)", t.save)
	t.rsave.Importance = widget.HighImportance
	t.rnote = hint("不能由记录计算的指标，由相关部门提供数值后在此录入本乡镇(街道)的值；同一指标同一期再次保存即修改。")
	head := container.NewBorder(nil, nil, bold("填报部门数据"), t.rsave, t.rnote)
	return container.NewVBox(widget.NewSeparator(), head, container.NewGridWithColumns(2, t.rleft.object(), t.rright.object()))
}

// reportedValue reads the 填报值 form. A value that is not a number is a
// problem of the form itself: the schema only sees numbers.
func (t *indicatorsTab) reportedValue() (schema.Reported, schema.Problems) {
	r := schema.Reported{Period: strings.TrimSpace(halfWidth(t.rperiod.Text)), Department: strings.TrimSpace(t.rdept.Text)}
	if i := t.rind.SelectedIndex(); i >= 0 && i < len(t.reportable) {
		r.Indicator = t.reportable[i].ID
	}
	text := strings.TrimSpace(strings.ReplaceAll(halfWidth(t.rvalue.Text), "．", "."))
	if text == "" {
		return r, schema.Problems{{Field: "reported.value", Zh: "填报值不能为空"}}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return r, schema.Problems{{Field: "reported.value", Zh: "填报值“" + t.rvalue.Text + "”不是数字"}}
	}
	r.Value = v
	return r, nil
}

// showReportedProblems puts each problem beside its input in whichever
// half of the form has it.
func (t *indicatorsTab) showReportedProblems(ps schema.Problems) {
	var left, right schema.Problems
	for _, p := range ps {
		if t.rright.has(township.FieldOf(p)) {
			right = append(right, p)
		} else {
			left = append(left, p)
		}
	}
	t.rleft.show(left)
	t.rright.show(right)
}

// save writes the 填报值 form for the township (Ctrl+S on this tab): the
// schema checks it (a percentage above 100, a future period) and the
// store keys it by township, indicator and period, so saving the same
// period again replaces the value.
func (t *indicatorsTab) save() {
	r, ps := t.reportedValue()
	if len(ps) > 0 {
		t.showReportedProblems(ps)
		return
	}
	st, unit := t.u.st, t.u.area.Code
	name := t.rind.Selected
	t.rsave.Disable()
	t.u.bg(func() func() {
		id, ps, err := township.Save(st, schema.KindReported, "", unit, r)
		return func() {
			t.rsave.Enable()
			if err != nil {
				t.u.failed("保存填报值", err)
				return
			}
			t.showReportedProblems(ps)
			if len(ps) > 0 {
				return
			}
			t.u.savedOK(fmt.Sprintf("填报值 %s %s：%s", r.Period, name, strconv.FormatFloat(r.Value, 'f', -1, 64)))
			t.u.unparkAfterFix(schema.KindReported, id)
			t.rvalue.SetText("")
			t.reload()
			t.u.changed(t)
		}
	})
}

// release drops the snapshot of every record, tens of megabytes in a
// large township, kept only so that switching months needs no new read.
func (t *indicatorsTab) release() { t.snap = nil }

func (t *indicatorsTab) reload() {
	st, area := t.u.st, t.u.area
	t.info.SetText("正在计算…")
	t.u.bg(func() func() {
		snap, err := township.LoadSnapshot(st, area)
		return func() {
			if err != nil {
				t.u.failed("计算本乡镇指标", err)
				return
			}
			t.snap = snap
			t.evaluate()
		}
	})
}

// evaluate computes the indicators of the chosen month from the snapshot
// already read.
func (t *indicatorsTab) evaluate() {
	if t.snap == nil {
		return
	}
	snap, period := t.snap, t.period
	t.u.bg(func() func() {
		rows := snap.Indicators(period)
		return func() {
			if period != t.period {
				return
			}
			t.rows = rows
			met, targets := 0, 0
			for _, r := range rows {
				if ok, cmp := r.Met(); cmp {
					targets++
					if ok {
						met++
					}
				}
			}
			t.info.SetText(fmt.Sprintf("按本机已录入的数据计算（%s），供本乡镇掌握进度；正式数字以区县汇总为准。"+
				"目标由区县下达，随同步更新：有目标的%d项中已达到%d项。", period, targets, met))
			t.table.Refresh()
		}
	})
}

func (t *indicatorsTab) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(t.rows) {
		return
	}
	r := t.rows[id.Row]
	l.Importance = widget.MediumImportance
	switch id.Col {
	case 0:
		l.SetText(r.Indicator.Name)
	case 1:
		l.SetText(formatResult(r))
	case 2:
		l.SetText(formatTarget(r))
	case 3:
		met, ok := r.Met()
		switch {
		case !ok:
			l.Importance = widget.LowImportance
			l.SetText("—")
		case met:
			l.Importance = widget.SuccessImportance
			l.SetText("✓ 已达到")
		default:
			l.Importance = widget.DangerImportance
			l.SetText("✗ 未达到")
		}
	case 4:
		l.Importance = widget.LowImportance
		l.SetText(basis(r))
	}
}

// formatResult writes a value with its unit: rates to one decimal,
// counts whole.
func formatResult(r township.Result) string {
	if !r.Defined {
		if r.Indicator.Computed() {
			return "—（无基数）"
		}
		return "—（由部门填报）"
	}
	return number(r.Value, r.Indicator) + unitSuffix(r.Indicator.Unit)
}

func number(v float64, ind schema.Indicator) string {
	if ind.IsRate() {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func unitSuffix(u string) string {
	if u == "%" || u == "" {
		return u
	}
	return " " + u
}

func formatTarget(r township.Result) string {
	if !r.HasTarget {
		return "未下达"
	}
	t := r.Target.ValueText
	if t == "" {
		t = number(r.Target.Value, r.Indicator)
	}
	if r.Indicator.Unit == "%" && t[len(t)-1] >= '0' && t[len(t)-1] <= '9' {
		t += "%"
	}
	return fmt.Sprintf("%s（%d年）", t, r.Target.Year)
}

// basis says what the value was computed from, in the catalogue's
// measures, so staff can check it against their own tally.
func basis(r township.Result) string {
	ind := r.Indicator
	if !ind.Computed() {
		if r.Reported {
			s := "部门填报值（" + r.Entry.Period
			if len(r.Entry.Period) == 4 {
				s += "年"
			}
			if r.Entry.Department != "" {
				s += " · " + r.Entry.Department
			}
			return s + "）"
		}
		return "不能由记录计算，由部门填报"
	}
	num := fmt.Sprintf("%s %s", measureLabel(ind.Numerator), strconv.FormatFloat(r.Num, 'f', -1, 64))
	if ind.Denominator == "" {
		return num
	}
	s := fmt.Sprintf("%s ÷ %s %s", num, measureLabel(ind.Denominator), strconv.FormatFloat(r.Den, 'f', -1, 64))
	if ind.Scale != 1 {
		s += " × " + strconv.FormatFloat(ind.Scale, 'f', -1, 64)
	}
	return s
}

var measureLabels = map[schema.Measure]string{
	schema.MeasureBedsTotal:                           "养老床位",
	schema.MeasureBedsNursing:                         "护理型床位",
	schema.MeasureBedsInstitution:                     "养老机构床位",
	schema.MeasureBedsInstitutionNursing:              "养老机构护理型床位",
	schema.MeasureBedsSocialized:                      "社会化运营床位",
	schema.MeasureBedsInclusive:                       "普惠机构床位",
	schema.MeasureBedsSafetyNet:                       "兜底和普惠床位",
	schema.MeasureElderlyCareStaff:                    "养老护理人员",
	schema.MeasureChildcarePlaces:                     "托位",
	schema.MeasureChildcarePlacesInclusive:            "普惠托位",
	schema.MeasureChildcareCareStaff:                  "保育人员",
	schema.MeasureChildcareCertifiedStaff:             "持证保育人员",
	schema.MeasurePopResident:                         "常住人口",
	schema.MeasurePopAged60:                           "60岁及以上人口",
	schema.MeasureVillages:                            "村(社区)",
	schema.MeasureVillagesWithCommunityCare:           "有社区照料机构的村(社区)",
	schema.MeasureVillagesWithChildcare:               "有托育设施的村(社区)",
	schema.MeasureTownships:                           "乡镇(街道)",
	schema.MeasureTownshipsWithCenter:                 "有区域养老服务中心的乡镇",
	schema.MeasureTownshipsWithInclusiveChildcare:     "有普惠托育点的乡镇",
	schema.MeasureTownshipsWithDemoInclusiveChildcare: "有示范普惠托育机构的乡镇",
	schema.MeasureStreets:                             "街道",
	schema.MeasureStreetsWithCenter:                   "有为老服务中心的街道",
	schema.MeasureStreetsWithChildcare:                "有托育服务的街道",
	schema.MeasureTowns:                               "乡镇",
	schema.MeasureTownsWithCenter:                     "有区域养老服务中心的乡镇",
	schema.MeasureCommunities:                         "社区",
	schema.MeasureCommunitiesWithDayCare:              "有日间照料中心的社区",
	schema.MeasureRuralVillages:                       "行政村",
	schema.MeasureRuralVillagesWithHomeCare:           "有居家养老服务站的行政村",
	schema.MeasurePopBirths:                           "当年出生人口",
	schema.MeasureChildcareFiled:                      "已备案托育机构",
	schema.MeasureChildcareDemo:                       "示范托育机构",
	schema.MeasureChildcareGuidanceCenters:            "托育服务指导中心",
	schema.MeasureCountyChildcareCenters:              "县级综合托育中心",
	schema.MeasureCountyElderlyCenters:                "县级区域性养老中心",
	schema.MeasurePersonsSpecial:                      "特殊困难老年人",
	schema.MeasurePersonsSpecialVisitedMonth:          "当月已探访",
	schema.MeasurePersonsDisabledTekun:                "失能特困人员",
	schema.MeasurePersonsDisabledTekunVisitedMonth:    "当月已探访",
	schema.MeasurePersonsDisabledTekunCentralized:     "集中供养",
	schema.MeasurePersonsDisabled:                     "失能老人",
	schema.MeasurePersonsDisabledSupported:            "已帮扶",
	schema.MeasureNewborns:                            "新生儿",
	schema.MeasureNewbornsVisited:                     "当年已访视",
	schema.MeasurePersonsWantingCentralized:           "有集中供养意愿的特困人员",
	schema.MeasurePersonsWantingCentralizedServed:     "已集中供养",
}

func measureLabel(m schema.Measure) string {
	if l, ok := measureLabels[m]; ok {
		return l
	}
	return string(m)
}
