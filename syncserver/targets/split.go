package targets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// Weight is what a city target is split in proportion to.
type Weight string

// The weights: population aged 60+, resident population, children aged
// 0–3 (population figures as the indicator engine defines them, latest
// not after the target year), or equal shares.
const (
	WeightPop60   Weight = "pop60"
	WeightPop     Weight = "pop"
	WeightPop0to3 Weight = "pop0_3"
	WeightEqual   Weight = "equal"
)

// ParseWeight reads a weight name.
func ParseWeight(s string) (Weight, error) {
	switch w := Weight(s); w {
	case WeightPop60, WeightPop, WeightPop0to3, WeightEqual:
		return w, nil
	}
	return "", fmt.Errorf("weight %q: want pop60, pop, pop0_3 or equal", s)
}

// label names the weight in Chinese.
func (w Weight) label() string {
	switch w {
	case WeightPop60:
		return "60岁以上人口"
	case WeightPop:
		return "常住人口"
	case WeightPop0to3:
		return "0-3岁婴幼儿"
	}
	return "平均分配"
}

// SplitRequest asks for a city target to be split over its counties.
type SplitRequest struct {
	Unit      schema.Code `json:"unit"`
	Indicator string      `json:"indicator"`
	Year      int         `json:"year"`
	// Value is the city target as written: "75000", "≥60", "4.5".
	Value  string `json:"value"`
	Weight Weight `json:"weight"`
	// SplitRates splits a rate like a count (to 0.1) instead of giving
	// every county the city's rate.
	SplitRates bool `json:"split_rates"`
	// Scope is how the target applies below the unit. Empty takes the
	// scope the unit's own plan states for the indicator and year (a
	// total where it states none): a per-county minimum (每个县(区)至少N)
	// gives every county N and is never divided, and a target only the
	// unit itself can meet is not split at all (ErrWholeTarget).
	Scope schema.TargetScope `json:"scope,omitempty"`
}

// ErrWholeTarget is returned for a target the unit holds as a whole (雅安's
// single 地市级托育服务指导中心): there is nothing to give the counties.
var ErrWholeTarget = errors.New("the target is the unit's own as a whole and is not split over the units below it / 该目标为本级整体目标,不分解到下级单位")

// Allocation is one county's share.
type Allocation struct {
	Unit   schema.Unit `json:"unit"`
	Weight int64       `json:"weight"`
	// Exact is the unrounded proportional share; Value what the county
	// gets, Text how its target is written.
	Exact float64 `json:"exact"`
	Value float64 `json:"value"`
	Text  string  `json:"text"`
}

// SplitResult is a planned or written split.
type SplitResult struct {
	Request   SplitRequest     `json:"request"`
	Indicator schema.Indicator `json:"-"`
	Total     float64          `json:"total"`
	// Proportional is false when every county gets the city's rate, or
	// the city's figure because it is a per-county minimum.
	Proportional bool `json:"proportional"`
	// Scope is the scope the split applied (see SplitRequest.Scope).
	Scope schema.TargetScope `json:"scope,omitempty"`
	// RoundingUnit is the step county targets are rounded to (1 for
	// counts); the rounding keeps their sum exactly the city target.
	RoundingUnit float64      `json:"rounding_unit"`
	Allocations  []Allocation `json:"allocations"`
}

// PlanSplit computes a split without writing it. Population weights come
// from the indicator engine's figures for the target year; a county
// without the figure stops the split (it would silently get nothing).
func PlanSplit(ctx context.Context, eng *indicators.Engine, req SplitRequest) (*SplitResult, error) {
	ind, ok := schema.IndicatorByID(req.Indicator)
	if !ok {
		return nil, fmt.Errorf("split: unknown indicator %q", req.Indicator)
	}
	if req.Year < 1949 || req.Year > 2100 {
		return nil, fmt.Errorf("split: year %d: want a target year such as 2025", req.Year)
	}
	if _, err := ParseWeight(string(req.Weight)); err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	total, cmp, ok := schema.ParseTargetText(req.Value)
	if !ok {
		return nil, fmt.Errorf("split: value %q is not a number; a target in words cannot be split", req.Value)
	}
	if req.Unit.Level() == schema.LevelInvalid || req.Unit.Level() > schema.LevelCounty {
		return nil, fmt.Errorf("split: %q is not a city or county: there is nothing below it to split over", req.Unit)
	}
	res, err := eng.Evaluate(ctx, req.Unit, indicators.Period{Year: req.Year})
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	kids := res.Children(req.Unit)
	if len(kids) == 0 {
		return nil, fmt.Errorf("split: %s has no units below it", req.Unit)
	}
	scope := req.Scope
	if scope == schema.ScopeTotal {
		scope = planScope(res.Units[req.Unit], req.Indicator, req.Year)
	}
	out := &SplitResult{Request: req, Indicator: ind, Total: total, Scope: scope}
	switch scope {
	case schema.ScopeWhole:
		return nil, fmt.Errorf("split %s %s: %w", req.Unit, req.Indicator, ErrWholeTarget)
	case schema.ScopeEachBelow:
		// 每个县(区)至少N: each county must reach N on its own, so each
		// gets N, whatever its population.
		text := req.Value
		if cmp == "" {
			text = "≥" + req.Value
		}
		return out.same(kids, total, text), nil
	}
	if ind.IsRate() && !req.SplitRates {
		// A county's share of a rate is the rate: 95% of the city means
		// 95% in every county. No weight enters, so none is needed.
		return out.same(kids, total, req.Value), nil
	}
	weights := make([]int64, len(kids))
	var missing []string
	for i, k := range kids {
		p := k.Population
		switch req.Weight {
		case WeightPop60:
			weights[i] = p.Aged60
		case WeightPop:
			weights[i] = p.Resident
		case WeightPop0to3:
			weights[i] = p.Aged0to3
		case WeightEqual:
			weights[i] = 1
		}
		if weights[i] <= 0 {
			missing = append(missing, fmt.Sprintf("%s(%s)", k.Unit.Name, k.Unit.Code))
		}
		out.Allocations = append(out.Allocations, Allocation{Unit: k.Unit, Weight: weights[i]})
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("split: no %s figure for %s in %d; enter their population or use --weight equal / 以下单位缺少%s数据: %s",
			req.Weight, strings.Join(missing, ", "), req.Year, req.Weight.label(), strings.Join(missing, "、"))
	}
	out.Proportional = true
	out.RoundingUnit = 1
	if ind.IsRate() {
		out.RoundingUnit = 0.1
	}
	units := total / out.RoundingUnit
	n := math.Round(units)
	if math.Abs(units-n) > 1e-9*math.Max(1, math.Abs(units)) || n < 0 {
		return nil, fmt.Errorf("split: %s must be a non-negative multiple of the rounding unit %v to split exactly", req.Value, out.RoundingUnit)
	}
	shares, err := LargestRemainder(int64(n), weights)
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	dec := 0
	if out.RoundingUnit < 1 {
		dec = 1
	}
	for i := range out.Allocations {
		a := &out.Allocations[i]
		a.Exact = total * float64(weights[i]) / float64(sum)
		a.Value = round(float64(shares[i])*out.RoundingUnit, dec)
		a.Text = cmp + strconv.FormatFloat(a.Value, 'f', dec, 64)
	}
	return out, nil
}

// same gives every unit below the same figure: a rate, or a per-unit
// minimum.
func (r *SplitResult) same(kids []*indicators.UnitResult, v float64, text string) *SplitResult {
	for _, k := range kids {
		r.Allocations = append(r.Allocations, Allocation{Unit: k.Unit, Exact: v, Value: v, Text: text})
	}
	return r
}

func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}

// LargestRemainder splits total whole units in proportion to weights so
// that the shares add up to total exactly: every unit gets the floor of
// its exact share, and the units left over go to the largest remainders
// (ties to the larger weight, then the earlier unit). Each share is then
// within one unit of the exact proportional share. The arithmetic is
// exact: no float rounding can lose or invent a unit.
func LargestRemainder(total int64, weights []int64) ([]int64, error) {
	if total < 0 {
		return nil, fmt.Errorf("cannot split a negative total %d", total)
	}
	sum := new(big.Int)
	for i, w := range weights {
		if w < 0 {
			return nil, fmt.Errorf("weight %d is negative (%d)", i, w)
		}
		sum.Add(sum, big.NewInt(w))
	}
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("the weights add up to zero")
	}
	shares := make([]int64, len(weights))
	rems := make([]*big.Int, len(weights))
	left := total
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(total), big.NewInt(w)), sum, new(big.Int))
		shares[i], rems[i] = q.Int64(), r
		left -= shares[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if c := rems[i].Cmp(rems[j]); c != 0 {
			return c > 0
		}
		return weights[i] > weights[j]
	})
	for k := int64(0); k < left; k++ {
		shares[order[k]]++
	}
	return shares, nil
}

// planScope is the scope the unit's own plan states for an indicator and
// year, ScopeTotal where it states none (or the unit has no plan).
func planScope(u *indicators.UnitResult, indicator string, year int) schema.TargetScope {
	if u == nil {
		return schema.ScopeTotal
	}
	if p, ok := schema.PlanTarget(schema.PlanOf(u.Unit), indicator, year); ok {
		return p.Scope
	}
	return schema.ScopeTotal
}

// Split plans a split and writes the city target and every county's in
// one submission. It sets only the year, value and its text (and the
// city's scope), so baselines and departments an import set stay.
func Split(ctx context.Context, eng *indicators.Engine, sub Submitter, req SplitRequest) (*SplitResult, error) {
	out, err := PlanSplit(ctx, eng, req)
	if err != nil {
		return nil, err
	}
	fields := []string{"indicator", "year", "value", "value_text"}
	city := schema.Target{Indicator: req.Indicator, Year: int64(req.Year), Value: out.Total, ValueText: req.Value,
		Scope: out.Scope}
	ch, err := targetChange(req.Unit, city, append(fields, "scope"))
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	changes := []schema.Change{ch}
	for _, a := range out.Allocations {
		t := schema.Target{Indicator: req.Indicator, Year: int64(req.Year), Value: a.Value, ValueText: a.Text}
		ch, err := targetChange(a.Unit.Code, t, fields)
		if err != nil {
			return nil, fmt.Errorf("split: %w", err)
		}
		changes = append(changes, ch)
	}
	if err := submit(ctx, sub, changes); err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	return out, nil
}

// Describe writes a split as a short table for the command line,
// stating the rounding unit.
func (r *SplitResult) Describe() string {
	var b strings.Builder
	ind := r.Indicator
	fmt.Fprintf(&b, "%s %s %d年目标 %s%s, 按%s分解到%d个下级单位\n", r.Request.Unit, ind.Name, r.Request.Year,
		r.Request.Value, ind.Unit, r.Request.Weight.label(), len(r.Allocations))
	switch {
	case r.Scope == schema.ScopeEachBelow:
		b.WriteString("每个下级单位均须达到该目标,不按权重分解 (a per-unit minimum: every unit below gets the whole figure)\n")
	case !r.Proportional:
		b.WriteString("比率指标: 各单位目标与上级相同 (rate: every unit gets the city's rate; --split-rates to split it)\n")
	default:
		fmt.Fprintf(&b, "取整单位 rounding unit: %v %s (最大余数法, largest remainder: the shares add up exactly)\n", r.RoundingUnit, ind.Unit)
	}
	var sum float64
	for _, a := range r.Allocations {
		fmt.Fprintf(&b, "  %-8s %s\t权重 %d\t按比例 %.3f\t目标 %s\n", a.Unit.Code, a.Unit.Name, a.Weight, a.Exact, a.Text)
		sum += a.Value
	}
	if r.Proportional {
		fmt.Fprintf(&b, "  合计 total %s\n", strconv.FormatFloat(sum, 'f', -1, 64))
	}
	return b.String()
}
