package desktop

import (
	"fmt"
	"strconv"

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
	return container.NewBorder(top, nil, nil, nil, t.table)
}

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
			return "部门填报值"
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
	schema.MeasureNewbornsVisited:                     "已访视",
	schema.MeasurePersonsWantingCentralized:           "有集中供养意愿的特困人员",
	schema.MeasurePersonsWantingCentralizedServed:     "已集中供养",
}

func measureLabel(m schema.Measure) string {
	if l, ok := measureLabels[m]; ok {
		return l
	}
	return string(m)
}

func (t *indicatorsTab) save() {}
