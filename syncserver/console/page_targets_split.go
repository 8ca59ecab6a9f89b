package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/targets"
)

// splitData is the split form of the 目标 page: what was typed, the
// problems by field, and the preview or the split saved.
type splitData struct {
	Indicator, Year, Value, Weight, Scope string
	SplitRates                            bool
	Fields                                map[string]string // field → problem
	Problem                               string
	Preview                               *targets.SplitResult
	Saved                                 bool
	Indicators                            []schema.Indicator
	Weights                               []choice
	Scopes                                []choice
}

// choice is an option of a select.
type choice struct{ Value, Label string }

var splitWeights = []choice{{string(targets.WeightPop60), "60岁以上人口"}, {string(targets.WeightPop), "常住人口"},
	{string(targets.WeightPop0to3), "0-3岁婴幼儿"}, {string(targets.WeightEqual), "平均分配"}}

var splitScopes = []choice{{"", "按本级规划"}, {string(schema.ScopeEachBelow), "每个下级单位均须达到(不分解)"},
	{string(schema.ScopeWhole), "本级整体目标(不分解)"}}

// splitIndicators are the indicators a target can be set for.
func splitIndicators() []schema.Indicator { return schema.Catalogue() }

// splitDefaults is the split form as the page opens: the plans' final
// year, weighted by the population aged 60+.
func splitDefaults() splitData {
	return splitData{Year: strconv.Itoa(defaultYear), Weight: string(targets.WeightPop60), Weights: splitWeights, Scopes: splitScopes}
}

// targetsSplit previews a split (action=preview) or saves it
// (action=save): the city's target and every county's in one write. The
// rules (per-county minimums never divided, whole targets refused) are
// the targets package's; this shows its answer.
func (c *Console) targetsSplit(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	d := targetsData{Target: unit, Split: splitData{Indicator: r.FormValue("indicator"), Year: strings.TrimSpace(r.FormValue("year")),
		Value: strings.TrimSpace(r.FormValue("value")), Weight: r.FormValue("weight"), Scope: r.FormValue("scope"),
		SplitRates: r.FormValue("split_rates") != "", Weights: splitWeights, Scopes: splitScopes}}
	req, fields := splitRequest(unit, &d.Split)
	if len(fields) > 0 {
		d.Split.Fields = fields
		c.showTargets(w, r, http.StatusBadRequest, v, d)
		return
	}
	var err error
	if r.FormValue("action") == "save" {
		d.Split.Preview, err = targets.Split(r.Context(), c.srv.Engine(), c.srv.Ingest(), req)
		d.Split.Saved = err == nil
	} else {
		d.Split.Preview, err = targets.PlanSplit(r.Context(), c.srv.Engine(), req)
	}
	if err != nil {
		d.Split.Preview, d.Split.Problem = nil, splitProblem(err)
		c.showTargets(w, r, http.StatusBadRequest, v, d)
		return
	}
	if d.Split.Saved {
		c.log.Info("target split in the console", "account", v.Account.Name, "unit", unit.Code, "indicator", req.Indicator, "year", req.Year)
	}
	c.showTargets(w, r, http.StatusOK, v, d)
}

// splitRequest checks the split form field by field, in Chinese, and
// builds the request.
func splitRequest(unit schema.Unit, s *splitData) (targets.SplitRequest, map[string]string) {
	bad := map[string]string{}
	req := targets.SplitRequest{Unit: unit.Code, Indicator: s.Indicator, Value: s.Value, Weight: targets.Weight(s.Weight),
		SplitRates: s.SplitRates, Scope: schema.TargetScope(s.Scope)}
	if l := unit.Code.Level(); l != schema.LevelCity && l != schema.LevelCounty {
		bad["unit"] = "只有市或区县的目标可以分解到下级单位:" + unit.Name
	}
	if _, ok := schema.IndicatorByID(s.Indicator); !ok {
		bad["indicator"] = "请选择指标"
	}
	y, err := strconv.Atoi(s.Year)
	if err != nil || y < 1949 || y > 2100 {
		bad["year"] = "目标年份应为1949至2100之间的年份,如 2025"
	}
	req.Year = y
	if _, _, ok := schema.ParseTargetText(s.Value); !ok {
		bad["value"] = "目标值应为数字,如 12000、≥60 或 4.5;文字目标(如“应建尽建”)不能分解"
	}
	if _, err := targets.ParseWeight(s.Weight); err != nil {
		bad["weight"] = "请选择分解依据"
	}
	switch req.Scope {
	case schema.ScopeTotal, schema.ScopeEachBelow, schema.ScopeWhole:
	default:
		bad["scope"] = "目标口径不正确"
	}
	return req, bad
}

// splitProblem says in Chinese why a split cannot be made.
func splitProblem(err error) string {
	if errors.Is(err, targets.ErrWholeTarget) {
		return "该目标为本级整体目标(如地市级托育服务指导中心),只能由本级完成,不分解到下级单位。"
	}
	return "无法分解:" + zhPart(err)
}

// zhPart is the Chinese half of a bilingual error ("English / 中文"), or
// the whole text when it has none.
func zhPart(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, " / "); i >= 0 {
		return s[i+3:]
	}
	return s
}
