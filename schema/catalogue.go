package schema

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
)

// The indicator catalogue is data, not code: indicators.csv holds every
// target the five plans state, in their tables or in running text (one row
// per plan, indicator and target year, so a plan's 2022 milestone and its
// 2025 target are two rows), with the departments and attribute the plan
// gives; concepts.csv ties the plans' rows to one concept each; both began
// as shared/data/indicators and grew from the plan texts, which
// testdata/plans holds and catalogue_plans_test.go reads back. formulas.csv
// is the project's reading of each computed concept as measures, one row
// per concept:
//
//	concept,numerator,denominator,scale,scope_note
//
// numerator and denominator name Measures (denominator empty for a count),
// scale is 100 for %, 1000 for per thousand and 1 for counts and plain
// ratios, scope_note says what is counted. Embedding the files means every
// binary agrees on the catalogue without a file to deploy.
//
//go:embed indicators/concepts.csv indicators/indicators.csv indicators/formulas.csv
var indicatorFiles embed.FS

// How an indicator's value is obtained.
const (
	HowComputed = "computed" // from collected records, by its formula
	HowReported = "reported" // entered by a department as a Reported record
)

// Which way is better.
const (
	DirectionUp   = "up"   // higher is better
	DirectionDown = "down" // lower is better
)

// Indicator is one concept of the catalogue: what the plans measure, in
// which unit, and for computed ones the formula the engine evaluates.
type Indicator struct {
	ID        string // concept id, e.g. nursing_bed_share
	Name      string // Chinese name as the plans write it
	Domain    Domain
	Unit      string // as written: %, 个, 张/千名老年人, …
	How       string // HowComputed or HowReported
	Direction string // DirectionUp or DirectionDown
	// Numerator and Denominator are the measures of a computed indicator;
	// Denominator is empty for a plain count.
	Numerator   Measure
	Denominator Measure
	// Scale multiplies the ratio: 100 for %, 1000 for per thousand, 1 for
	// counts and plain ratios. Zero for reported indicators.
	Scale float64
	// Formula is the plain-words formula from concepts.csv, for people.
	Formula string
	// ScopeNote says precisely what the formula counts in a scope, from
	// formulas.csv, for report footnotes.
	ScopeNote string
}

// Computed reports whether the engine computes the indicator from records.
func (i Indicator) Computed() bool { return i.How == HowComputed }

// IsRate reports whether the indicator is a ratio rather than a count. A
// rate of a county is not the sum of its townships' rates, so reports must
// recompute it from the summed measures instead of adding values.
func (i Indicator) IsRate() bool {
	return i.Denominator != "" || i.Unit == "%" || strings.Contains(i.Unit, "千")
}

// PlanIndicator is one target of a source plan, kept as written so
// reports can print the plan's own wording beside computed values. A plan
// that sets a milestone (2022) and a final target (2025) for one
// indicator has one PlanIndicator per year.
type PlanIndicator struct {
	Source       string // plan code: 000 雅安市, 001 黔江区, 002 钢城区, 003 柳州市, 004 昆明市
	Jurisdiction string
	Domain       Domain
	Seq          int // position in the plan's table; 0 when the plan states it in text
	Name, Unit   string
	BaselineYear int
	BaselineText string // as written: "90.5", ">95", "-", ""
	TargetYear   int
	TargetText   string    // as written: "95", "≥60", "应建尽建"
	Attribute    Attribute // 约束性, 预期性 or unstated
	// Responsible is the lead department(s) (牵头), or the plan's 责任单位
	// where it names no lead; Cooperating the co-departments (配合). Both
	// as the plan writes them, joined by 、; empty where the plan names
	// none for this target.
	Responsible string
	Cooperating string
	// Scope is ScopeEachBelow for "每个县(区)至少N" rules.
	Scope   TargetScope
	Concept string // catalogue id
	Notes   string
}

// Baseline returns the baseline as a number with its comparator (see
// ParseTargetText).
func (p PlanIndicator) Baseline() (value float64, cmp string, ok bool) {
	return ParseTargetText(p.BaselineText)
}

// Target returns the target as a number with its comparator (see
// ParseTargetText).
func (p PlanIndicator) Target() (value float64, cmp string, ok bool) {
	return ParseTargetText(p.TargetText)
}

var (
	catalogue    []Indicator
	catalogueIdx map[string]int
	planRows     []PlanIndicator
)

func init() {
	catalogue, planRows = mustLoadIndicators(indicatorFiles)
	catalogueIdx = make(map[string]int, len(catalogue))
	for i, ind := range catalogue {
		catalogueIdx[ind.ID] = i
	}
}

// mustLoadIndicators loads the catalogue and the plan rows from fsys (the
// embedded files) and panics when they do not fit together. The files are
// embedded, so this can only fail in development, and refusing to start
// beats reports that silently skip an indicator.
func mustLoadIndicators(fsys fs.FS) ([]Indicator, []PlanIndicator) {
	cat, plans, err := loadIndicators(fsys)
	if err != nil {
		panic(fmt.Sprintf("indicator catalogue: %v", err))
	}
	return cat, plans
}

func loadIndicators(fsys fs.FS) ([]Indicator, []PlanIndicator, error) {
	var files [3][]byte
	for i, name := range []string{"concepts.csv", "formulas.csv", "indicators.csv"} {
		b, err := fs.ReadFile(fsys, "indicators/"+name)
		if err != nil {
			return nil, nil, err
		}
		files[i] = b
	}
	cat, err := loadCatalogue(files[0], files[1])
	if err != nil {
		return nil, nil, err
	}
	known := make(map[string]int, len(cat))
	for i, ind := range cat {
		known[ind.ID] = i
	}
	plans, err := loadPlanIndicators(files[2], known)
	if err != nil {
		return nil, nil, err
	}
	return cat, plans, nil
}

// Catalogue returns every indicator in the order of concepts.csv. The
// slice is a copy; changing it changes nothing else.
func Catalogue() []Indicator { return append([]Indicator(nil), catalogue...) }

// IndicatorByID returns the indicator with concept id id.
func IndicatorByID(id string) (Indicator, bool) {
	i, ok := catalogueIdx[id]
	if !ok {
		return Indicator{}, false
	}
	return catalogue[i], true
}

// PlanIndicators returns the rows of one source plan in file order ("000"
// is 雅安市), or of every plan when source is empty.
func PlanIndicators(source string) []PlanIndicator {
	var out []PlanIndicator
	for _, p := range planRows {
		if source == "" || p.Source == source {
			out = append(out, p)
		}
	}
	return out
}

// csvTable reads a CSV with a header row into maps keyed by column name,
// checking the header has the columns the caller needs. Each row also gets
// its line number under the key "#line" so errors point at the file.
func csvTable(data []byte, need ...string) ([]map[string]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	for _, n := range need {
		found := false
		for _, h := range header {
			found = found || h == n
		}
		if !found {
			return nil, fmt.Errorf("header lacks column %q", n)
		}
	}
	var rows []map[string]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		row := map[string]string{"#line": strconv.Itoa(line)}
		for i, h := range header {
			row[h] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row)
	}
}

// loadCatalogue joins concepts with formulas and checks they fit: every
// computed concept has exactly one formula, every formula belongs to a
// computed concept and names known measures and a positive scale.
func loadCatalogue(concepts, formulas []byte) ([]Indicator, error) {
	crows, err := csvTable(concepts, "concept", "name", "domain", "unit", "how", "formula", "direction")
	if err != nil {
		return nil, fmt.Errorf("concepts.csv: %w", err)
	}
	frows, err := csvTable(formulas, "concept", "numerator", "denominator", "scale", "scope_note")
	if err != nil {
		return nil, fmt.Errorf("formulas.csv: %w", err)
	}
	type formula struct {
		num, den Measure
		scale    float64
		note     string
		line     string
		used     bool
	}
	fs := map[string]*formula{}
	for _, r := range frows {
		where := "formulas.csv line " + r["#line"]
		id := r["concept"]
		if _, dup := fs[id]; dup {
			return nil, fmt.Errorf("%s: second formula for %q", where, id)
		}
		f := &formula{num: Measure(r["numerator"]), den: Measure(r["denominator"]), note: r["scope_note"], line: r["#line"]}
		if !f.num.Known() {
			return nil, fmt.Errorf("%s: %s: unknown numerator measure %q", where, id, f.num)
		}
		if f.den != "" && !f.den.Known() {
			return nil, fmt.Errorf("%s: %s: unknown denominator measure %q", where, id, f.den)
		}
		f.scale, err = strconv.ParseFloat(r["scale"], 64)
		if err != nil || !(f.scale > 0) || math.IsInf(f.scale, 0) {
			return nil, fmt.Errorf("%s: %s: scale %q: want a positive number", where, id, r["scale"])
		}
		if f.den == "" && f.scale != 1 {
			return nil, fmt.Errorf("%s: %s: a count (no denominator) must have scale 1, got %v", where, id, f.scale)
		}
		fs[id] = f
	}
	var out []Indicator
	seen := map[string]bool{}
	for _, r := range crows {
		where := "concepts.csv line " + r["#line"]
		ind := Indicator{ID: r["concept"], Name: r["name"], Domain: Domain(r["domain"]), Unit: r["unit"],
			How: r["how"], Direction: r["direction"], Formula: r["formula"]}
		if ind.ID == "" || ind.Name == "" {
			return nil, fmt.Errorf("%s: concept id and name are required", where)
		}
		if seen[ind.ID] {
			return nil, fmt.Errorf("%s: concept %q listed twice", where, ind.ID)
		}
		seen[ind.ID] = true
		if ind.Domain != DomainElderly && ind.Domain != DomainChildcare {
			return nil, fmt.Errorf("%s: %s: unknown domain %q", where, ind.ID, ind.Domain)
		}
		if ind.Direction != DirectionUp && ind.Direction != DirectionDown {
			return nil, fmt.Errorf("%s: %s: direction %q: want up or down", where, ind.ID, ind.Direction)
		}
		f := fs[ind.ID]
		switch ind.How {
		case HowComputed:
			if f == nil {
				return nil, fmt.Errorf("%s: computed concept %q has no formula in formulas.csv", where, ind.ID)
			}
			ind.Numerator, ind.Denominator, ind.Scale, ind.ScopeNote = f.num, f.den, f.scale, f.note
			f.used = true
		case HowReported:
			if f != nil {
				return nil, fmt.Errorf("formulas.csv line %s: %q is a reported concept and cannot have a formula", f.line, ind.ID)
			}
		default:
			return nil, fmt.Errorf("%s: %s: how %q: want computed or reported", where, ind.ID, ind.How)
		}
		out = append(out, ind)
	}
	for id, f := range fs {
		if !f.used {
			return nil, fmt.Errorf("formulas.csv line %s: formula for unknown concept %q", f.line, id)
		}
	}
	return out, nil
}

// loadPlanIndicators reads indicators.csv, refusing rows whose concept is
// not in the catalogue, so a plan row can always be joined to its formula.
func loadPlanIndicators(data []byte, known map[string]int) ([]PlanIndicator, error) {
	rows, err := csvTable(data, "source", "jurisdiction", "domain", "seq", "name", "unit", "baseline_year",
		"baseline", "target_year", "target", "attribute", "responsible", "cooperating", "scope", "concept", "notes")
	if err != nil {
		return nil, fmt.Errorf("indicators.csv: %w", err)
	}
	atoi := func(s string) (int, error) {
		if s == "" {
			return 0, nil
		}
		return strconv.Atoi(s)
	}
	out := make([]PlanIndicator, 0, len(rows))
	for _, r := range rows {
		where := "indicators.csv line " + r["#line"]
		p := PlanIndicator{Source: r["source"], Jurisdiction: r["jurisdiction"], Domain: Domain(r["domain"]),
			Name: r["name"], Unit: r["unit"], BaselineText: r["baseline"], TargetText: r["target"],
			Responsible: r["responsible"], Cooperating: r["cooperating"], Scope: TargetScope(r["scope"]),
			Concept: r["concept"], Notes: r["notes"]}
		var e1, e2, e3 error
		p.Seq, e1 = atoi(r["seq"])
		p.BaselineYear, e2 = atoi(r["baseline_year"])
		p.TargetYear, e3 = atoi(r["target_year"])
		if err := errors.Join(e1, e2, e3); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		switch p.Attribute = Attribute(r["attribute"]); p.Attribute {
		case AttrBinding, AttrExpected, AttrUnstated:
		default:
			return nil, fmt.Errorf("%s: attribute %q: want 约束性, 预期性 or empty", where, r["attribute"])
		}
		switch p.Scope {
		case ScopeTotal, ScopeEachBelow, ScopeWhole:
		default:
			return nil, fmt.Errorf("%s: scope %q: want each, whole or empty", where, p.Scope)
		}
		if _, ok := known[p.Concept]; !ok {
			return nil, fmt.Errorf("%s: unknown concept %q", where, p.Concept)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseTargetText reads a baseline or target as the plans write it: a
// number with an optional comparator in front (">95", "≥60", "7.60"; ">="
// and "<=" and full-width signs are read as ≥ and ≤) and an optional % at
// the end. A range "50-100" reads as its lower bound with "≥", since
// reaching the lower bound is what meets it. ok is false when there is no
// number: "", "-", "应建尽建". cmp is one of "", ">", "≥", "<", "≤".
func ParseTargetText(s string) (value float64, cmp string, ok bool) {
	s = strings.TrimSpace(s)
	for _, p := range []struct{ prefix, cmp string }{
		{">=", "≥"}, {"<=", "≤"}, {"≥", "≥"}, {"≤", "≤"}, {"＞", ">"}, {"＜", "<"},
		{"不低于", "≥"}, {"不少于", "≥"}, {"不高于", "≤"}, {"超过", ">"}, {"高于", ">"}, {"低于", "<"},
		{">", ">"}, {"<", "<"},
	} {
		if rest, found := strings.CutPrefix(s, p.prefix); found {
			s, cmp = strings.TrimSpace(rest), p.cmp
			break
		}
	}
	s = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "%")), "％")
	if lo, hi, isRange := strings.Cut(s, "-"); isRange && lo != "" && cmp == "" {
		l, okLo := plainNumber(lo)
		h, okHi := plainNumber(hi)
		if !okLo || !okHi || h < l {
			return 0, "", false
		}
		return l, "≥", true
	}
	v, ok := plainNumber(s)
	if !ok {
		return 0, "", false
	}
	return v, cmp, true
}

// plainNumber parses a decimal number as plans write it, refusing the
// forms strconv also accepts but no plan means (hex, Inf, NaN, exponents).
func plainNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && !(i == 0 && (c == '-' || c == '+')) {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}
