package targets

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"laoxiao/schema"
)

// Problem is one thing wrong with one cell of an import sheet.
type Problem struct {
	Row    int    // the row as the office sees it
	Column string // spreadsheet letter: "D"
	Field  Column
	Zh, En string
}

// Error formats the problem with its place, in both languages.
func (p Problem) Error() string {
	c := columns[p.Field]
	return fmt.Sprintf("row %d, column %s (%s / %s): %s / %s", p.Row, p.Column, c.zh, c.en, p.En, p.Zh)
}

// ImportError is every problem of a sheet. When Import returns one,
// nothing of the sheet was written.
type ImportError struct {
	Problems []Problem
}

// Error lists every problem, one per line, each with its row and column.
func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the sheet, nothing imported / 表格有%d处错误，未导入任何数据:", len(e.Problems), len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Entry is one valid target of a sheet.
type Entry struct {
	Row    int
	Unit   schema.Code
	Target schema.Target
}

// Submitter writes server-made changes: the ingester's SubmitServer.
type Submitter interface {
	SubmitServer(ctx context.Context, changes []schema.Change) (*schema.Ack, error)
}

// Summary is what an import did.
type Summary struct {
	Imported int `json:"imported"`
	// Skipped counts template rows left unfilled: neither a baseline nor
	// a target value.
	Skipped int `json:"skipped"`
}

// Import reads a target sheet (XLSX or CSV, told apart by content),
// checks every row, and only if all are valid writes them in one
// submission: one commit, so a sheet is imported whole or not at all.
// Problems come back as an *ImportError naming row and column.
func Import(ctx context.Context, data []byte, divs *schema.Divisions, sub Submitter, now time.Time) (Summary, error) {
	entries, skipped, err := Parse(data, divs, now)
	if err != nil {
		return Summary{}, err
	}
	if len(entries) == 0 {
		return Summary{Skipped: skipped}, fmt.Errorf("import targets: the sheet has no filled-in target / 表格中没有填写任何目标")
	}
	changes := make([]schema.Change, 0, len(entries))
	for _, e := range entries {
		ch, err := targetChange(e.Unit, e.Target, nil)
		if err != nil {
			return Summary{}, fmt.Errorf("import targets: row %d: %w", e.Row, err)
		}
		changes = append(changes, ch)
	}
	if err := submit(ctx, sub, changes); err != nil {
		return Summary{}, fmt.Errorf("import targets: %w", err)
	}
	return Summary{Imported: len(entries), Skipped: skipped}, nil
}

// submit writes changes in one batch and fails if any was refused. The
// rows were validated as the writer validates, so a refusal means the
// server disagrees with this package; say so loudly.
func submit(ctx context.Context, sub Submitter, changes []schema.Change) error {
	ack, err := sub.SubmitServer(ctx, changes)
	if err != nil {
		return fmt.Errorf("write %d targets: %w", len(changes), err)
	}
	if len(ack.Rejected) > 0 {
		var msgs []string
		for _, r := range ack.Rejected {
			msgs = append(msgs, r.Reason)
		}
		return fmt.Errorf("the server refused %d of %d targets after they passed validation (the others were written): %s",
			len(ack.Rejected), len(changes), strings.Join(msgs, "; "))
	}
	return nil
}

// targetChange is the change that sets target t of unit. fields limits
// it to those fields (nil: all), so a split that sets only values keeps
// the baseline an earlier import set.
func targetChange(unit schema.Code, t schema.Target, fields []string) (schema.Change, error) {
	set, err := schema.EncodeFields(t)
	if err != nil {
		return schema.Change{}, err
	}
	if fields != nil {
		keep := schema.Fields{}
		for _, f := range fields {
			keep[f] = set[f]
		}
		set = keep
	}
	return schema.Change{Kind: schema.KindTarget, ID: schema.TargetID(unit, t.Indicator, t.Year), Unit: unit, Set: set}, nil
}

// Parse reads and checks a sheet without writing anything: every problem
// of every row, or the valid entries and how many blank template rows
// were skipped.
func Parse(data []byte, divs *schema.Divisions, now time.Time) ([]Entry, int, error) {
	s, err := readSheet(data)
	if err != nil {
		return nil, 0, fmt.Errorf("import targets: %w", err)
	}
	var probs []Problem
	var entries []Entry
	skipped := 0
	seen := map[string]int{}
	for _, r := range s.rows {
		if r.Cells[ColBaseline] == "" && r.Cells[ColTarget] == "" {
			skipped++ // a template row nobody filled in (its years may be prefilled)
			continue
		}
		e, ps := parseRow(s, r, divs, now)
		probs = append(probs, ps...)
		if len(ps) > 0 {
			continue
		}
		key := schema.TargetID(e.Unit, e.Target.Indicator, e.Target.Year)
		if first, dup := seen[key]; dup {
			probs = append(probs, s.problem(r, ColIndicator, fmt.Sprintf("与第%d行重复(同一单位、指标和目标年份)", first),
				fmt.Sprintf("repeats row %d (same unit, indicator and target year)", first)))
			continue
		}
		seen[key] = r.Line
		fromPlan(&e, divs)
		entries = append(entries, e)
	}
	if len(probs) > 0 {
		return nil, 0, &ImportError{Problems: probs}
	}
	return entries, skipped, nil
}

// fromPlan gives an entry the attribute, departments and scope its unit's
// own plan states for the indicator and year (the sheet has no columns
// for them: they are the plan's, not the office's to type).
func fromPlan(e *Entry, divs *schema.Divisions) {
	u, ok := divs.Lookup(e.Unit)
	if !ok {
		return
	}
	if p, ok := schema.PlanTarget(schema.PlanOf(u), e.Target.Indicator, int(e.Target.Year)); ok {
		e.Target.FromPlan(p)
	}
}

func (s *sheet) problem(r Row, c Column, zh, en string) Problem {
	return Problem{Row: r.Line, Column: s.letter(c), Field: c, Zh: zh, En: en}
}

// parseRow checks one row: every problem at once, each at its cell.
func parseRow(s *sheet, r Row, divs *schema.Divisions, now time.Time) (Entry, []Problem) {
	var ps []Problem
	bad := func(c Column, zh, en string) { ps = append(ps, s.problem(r, c, zh, en)) }
	e := Entry{Row: r.Line}

	unit := r.Cells[ColUnit]
	switch code, err := schema.ParseCode(unit); {
	case unit == "":
		bad(ColUnit, "单位代码不能为空", "the unit code is required")
	case strings.ContainsAny(unit, "Ee+") || strings.Contains(unit, "."):
		bad(ColUnit, fmt.Sprintf("单位代码“%s”被表格软件转成了数字，请把该列设为文本后重新填写", unit),
			fmt.Sprintf("unit code %q was turned into a number by the spreadsheet; format the column as text and enter it again", unit))
	case err != nil:
		bad(ColUnit, fmt.Sprintf("单位代码“%s”应为2、4、6、9或12位数字", unit), err.Error())
	default:
		if _, ok := divs.Lookup(code); !ok {
			bad(ColUnit, fmt.Sprintf("单位代码%s不存在", code), fmt.Sprintf("unit %s does not exist", code))
		}
		e.Unit = code
	}

	ind, ok := lookupIndicator(r.Cells[ColIndicator])
	switch {
	case r.Cells[ColIndicator] == "":
		bad(ColIndicator, "指标不能为空", "the indicator is required")
	case !ok:
		bad(ColIndicator, fmt.Sprintf("指标“%s”不在指标目录中(填指标代码或指标名称)", r.Cells[ColIndicator]),
			fmt.Sprintf("unknown indicator %q (give its id or its Chinese name)", r.Cells[ColIndicator]))
	}
	e.Target.Indicator = ind.ID

	year := func(c Column, required bool) int64 {
		v := r.Cells[c]
		if v == "" {
			if required {
				bad(c, columns[c].zh+"不能为空", "the "+columns[c].en+" is required")
			}
			return 0
		}
		y, err := strconv.ParseInt(strings.TrimSuffix(v, "年"), 10, 64)
		if err != nil || y < 1949 || y > 2100 {
			bad(c, fmt.Sprintf("%s“%s”应为1949至2100之间的年份", columns[c].zh, v),
				fmt.Sprintf("%s %q: want a year between 1949 and 2100", columns[c].en, v))
			return 0
		}
		return y
	}
	e.Target.Year = year(ColTargetYear, true)
	e.Target.BaselineYear = year(ColBaselineYear, false)

	value := func(c Column) (v float64, text string, ok bool) {
		text = r.Cells[c]
		if text == "" || text == "-" || text == "—" {
			return 0, "", false
		}
		v, _, ok = schema.ParseTargetText(text)
		if !ok && strings.ContainsAny(text, "0123456789") {
			// Words ("应建尽建") are a target as written; digits that do not
			// read as a number are a typo.
			bad(c, fmt.Sprintf("%s“%s”不是有效数字(可写 95、>95、≥60、50%%，或文字如“应建尽建”)", columns[c].zh, text),
				fmt.Sprintf("%s %q is not a number (write 95, >95, ≥60, 50%%, or words such as 应建尽建)", columns[c].en, text))
		}
		return v, text, ok
	}
	e.Target.Value, e.Target.ValueText, _ = value(ColTarget)
	if r.Cells[ColTarget] == "" {
		bad(ColTarget, "目标值不能为空", "the target value is required")
	}
	e.Target.Baseline, e.Target.BaselineText, e.Target.HasBaseline = value(ColBaseline)
	// The rules targets share with every other writer (percentages at most
	// 100, baseline year not after the target year), mapped to cells; a
	// cell already found wrong above is not reported twice.
	flagged := map[Column]bool{}
	for _, p := range ps {
		flagged[p.Field] = true
	}
	for _, p := range schema.ValidateRecord(schema.KindTarget, e.Unit, &e.Target, schema.ValidationContext{Divisions: divs, Now: now}) {
		if c := fieldColumn(p.Field); !flagged[c] {
			bad(c, p.Zh, p.En)
			flagged[c] = true
		}
	}
	return e, ps
}

// fieldColumn is the sheet column a validation problem's field is in.
func fieldColumn(field string) Column {
	switch strings.TrimPrefix(field, "target.") {
	case "unit":
		return ColUnit
	case "indicator":
		return ColIndicator
	case "year":
		return ColTargetYear
	case "baseline_year":
		return ColBaselineYear
	case "baseline", "baseline_text", "has_baseline":
		return ColBaseline
	}
	return ColTarget
}

// lookupIndicator finds an indicator by id or by its Chinese name.
func lookupIndicator(s string) (schema.Indicator, bool) {
	if ind, ok := schema.IndicatorByID(s); ok {
		return ind, true
	}
	for _, ind := range schema.Catalogue() {
		if ind.Name == s {
			return ind, true
		}
	}
	return schema.Indicator{}, false
}
