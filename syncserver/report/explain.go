package report

import (
	"strconv"

	"laoxiao/syncserver/indicators"
)

// formula explains how an indicator's current value is obtained, for the
// formula sheet: offices must be able to check a figure by hand.
type formula struct {
	how  string // 由记录计算 or 部门填报
	calc string // the formula in the measures' words
}

func formulaOf(c Column) formula {
	ind := c.Indicator
	if !ind.Computed() {
		return formula{how: "部门填报", calc: "责任部门填报的数值(取报告期内最近一期;未填报的计数指标由下级合计)"}
	}
	num, _ := indicators.MeasureLabel(ind.Numerator)
	if ind.Denominator == "" {
		return formula{how: "由记录计算", calc: num + "(计数)"}
	}
	den, _ := indicators.MeasureLabel(ind.Denominator)
	calc := num + " ÷ " + den
	if ind.Scale != 1 {
		calc += " × " + strconv.FormatFloat(ind.Scale, 'f', -1, 64)
	}
	return formula{how: "由记录计算", calc: calc}
}
