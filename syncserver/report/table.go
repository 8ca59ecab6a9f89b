// Package report builds the task breakdown table (任务分解表) of a city:
// one row per county and a total row, and for each indicator the
// baseline, target, current value, completion and status. The table is
// built once as an in-memory model (Table) and rendered four ways (XLSX,
// CSV, HTML, aligned text) from the same cells, so every format shows the
// same numbers.
package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
)

// Options choose what a breakdown table covers.
type Options struct {
	// Unit is the unit the table is about: a city gets a row per county;
	// any other level gets a row per unit directly below it.
	Unit schema.Code
	// Year is the target year: the targets the table measures against.
	Year int
	// Period is what current values are as of. Zero means the whole
	// target year once it is over, and the current month before.
	Period indicators.Period
	// Indicators restricts the columns to these catalogue ids, in this
	// order. Empty means: the indicators with a target for the year in
	// the unit or its rows, and those of the unit's own plan.
	Indicators []string
}

// Table is the breakdown table model every format renders.
type Table struct {
	Unit   schema.Unit
	Year   int
	Period indicators.Period
	// Generated is when the table was built.
	Generated time.Time
	// Plan names the source plan whose wording (attribute, department,
	// the city's baseline and target where no target record exists) the
	// table uses, or "" when the unit has none.
	Plan    string
	Columns []Column
	// Rows are the units below Unit in code order, then the total row.
	Rows []Row
	// Townships is the sync state of every township in the unit.
	Townships []TownshipRow
	// Scanned is how many records the evaluation read.
	Scanned int
	// Tasks and Projects are the table's second and third parts: the
	// plan's tasks decomposed to the units within Unit with their latest
	// progress, and the projects within Unit (plantasks.go).
	Tasks    []TaskRow
	Projects []ProjectRow
}

// Column is one indicator of the table. Its attribute and departments
// are the table unit's own: from the unit's target record, else from the
// plan written for the unit; never from another plan, so 雅安's rows never
// name 黔江's 区民政局. Empty where neither states them.
type Column struct {
	Indicator schema.Indicator
	Attribute schema.Attribute // 约束性, 预期性 or unstated
	// Lead and Cooperating are the lead (牵头) and co-departments (配合)
	// as the plan writes them.
	Lead, Cooperating string
	// BaselineYear and TargetYear are the unit's: the year its baseline
	// holds for and the table's target year.
	BaselineYear, TargetYear int
	// Milestones are the unit's targets for the indicator in other years
	// (a plan's 2022 milestone beside its 2025 target), earliest first.
	Milestones []Milestone
	// Scope is the unit's target scope: ScopeEachBelow makes the total
	// row count the rows that meet the figure.
	Scope schema.TargetScope
	// Decimals is how many decimals the indicator's values show with.
	Decimals int
}

// Milestone is a target for another year than the table's.
type Milestone struct {
	Year int
	Text string // as written: "≥55", "100"
}

// Row is one unit's line.
type Row struct {
	Unit  schema.Unit
	Total bool
	// Sync says how current the unit's townships are, so a figure from a
	// county whose townships have not synced for weeks is read as such.
	Sync SyncSummary
	// Cells follow Table.Columns.
	Cells []Cell
}

// SyncSummary counts a unit's townships by sync state.
type SyncSummary struct {
	Townships int // registry townships in the unit
	Current   int // synced within the staleness limit
	Stale     int // synced, but not recently
	Never     int // never synced
}

// Cell is one indicator for one unit.
type Cell struct {
	BaselineYear, TargetYear int
	Baseline, Target         Num
	Current                  Num
	// Change is the change since the baseline, current − baseline, in the
	// indicator's unit (percentage points for a rate).
	Change Num
	// Completion is a fraction: 0.875 shows as 87.5%. It has one
	// definition for every cell (see evaluate).
	Completion Num
	Status     Status
	// Note says why a figure is missing, or where the target came from.
	Note string
	// Records is how many records the current value came from.
	Records int
}

// Num is a figure that may be absent and may carry the plan's wording.
type Num struct {
	V  float64
	OK bool
	// Text is the figure as written where that says more than the
	// number (">95", "应建尽建"); empty otherwise.
	Text string
}

// TownshipRow is one township's sync state for the second sheet.
type TownshipRow struct {
	County   schema.Unit
	Township schema.Unit
	LastSync time.Time
	Stale    bool
	Behind   bool // a device waits over 7 days to send, or has refusals nobody fixed
	Devices  int
	Records  map[schema.Kind]int
}

// Build evaluates the indicators and assembles the table.
func Build(ctx context.Context, eng *indicators.Engine, o Options) (*Table, error) {
	now := time.Now()
	if eng.Now != nil {
		now = eng.Now()
	}
	if o.Year < 1949 || o.Year > 2100 {
		return nil, fmt.Errorf("breakdown: year %d: want a target year such as 2025", o.Year)
	}
	if o.Period.Year == 0 {
		o.Period = DefaultPeriod(o.Year, now)
	}
	res, err := eng.Evaluate(ctx, o.Unit, o.Period)
	if err != nil {
		return nil, fmt.Errorf("breakdown of %s for %d: %w", o.Unit, o.Year, err)
	}
	t, err := assemble(res, o, now)
	if err != nil {
		return nil, err
	}
	if err := t.baselinesFromRecords(ctx, eng); err != nil {
		return nil, fmt.Errorf("breakdown of %s for %d: %w", o.Unit, o.Year, err)
	}
	t.evaluateCells()
	divs := schema.BuiltinDivisions()
	if eng.Divisions != nil {
		divs = eng.Divisions()
	}
	if err := t.planParts(ctx, eng.Store, divs, o.Unit); err != nil {
		return nil, fmt.Errorf("breakdown of %s: tasks and projects: %w", o.Unit, err)
	}
	return t, nil
}

// DefaultPeriod is what a table for target year y is as of: the whole
// year once it is over, else the current month.
func DefaultPeriod(y int, now time.Time) indicators.Period {
	// The offices' clock: what "this month" means for a report.
	now = now.In(schema.ChinaTime)
	if now.Year() > y {
		return indicators.Period{Year: y}
	}
	return indicators.MonthOf(now)
}

// assemble builds the table from an evaluation.
func assemble(res *indicators.Result, o Options, now time.Time) (*Table, error) {
	top := res.Units[o.Unit]
	if top == nil {
		return nil, fmt.Errorf("breakdown: no result for %s", o.Unit)
	}
	t := &Table{Unit: top.Unit, Year: o.Year, Period: o.Period, Generated: now, Scanned: res.Scanned}
	plan := schema.PlanOf(top.Unit)
	if len(plan) > 0 {
		t.Plan = plan[0].Jurisdiction
	}
	targets := map[schema.Code]map[string]schema.Target{}
	var others []schema.Target // the unit's own targets for other years
	for _, ut := range res.Targets {
		if ut.Target.Year != int64(o.Year) {
			if ut.Unit == o.Unit {
				others = append(others, ut.Target)
			}
			continue
		}
		if targets[ut.Unit] == nil {
			targets[ut.Unit] = map[string]schema.Target{}
		}
		targets[ut.Unit][ut.Target.Indicator] = ut.Target
	}
	rows := res.Children(o.Unit)
	cols, err := columns(o, plan, targets)
	if err != nil {
		return nil, err
	}
	for i := range cols {
		cols[i].describe(o.Year, targets[o.Unit], plan, others)
	}
	t.Columns = cols
	for _, u := range rows {
		t.Rows = append(t.Rows, t.row(u, false, withMinimums(targets[u.Unit.Code], targets[o.Unit]), nil))
	}
	t.Rows = append(t.Rows, t.row(top, true, targets[o.Unit], plan))
	for _, s := range res.TownshipsOf(o.Unit) {
		county, _ := countyOf(res, s.Unit.Code)
		t.Townships = append(t.Townships, TownshipRow{County: county, Township: s.Unit, LastSync: s.LastSync,
			Stale: s.Stale, Behind: s.Behind, Devices: s.Devices, Records: s.Records})
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		for _, tr := range t.Townships {
			if !tr.Township.Code.Within(r.Unit.Code) {
				continue
			}
			r.Sync.Townships++
			switch {
			case tr.LastSync.IsZero():
				r.Sync.Never++
			case tr.Stale:
				r.Sync.Stale++
			default:
				r.Sync.Current++
			}
		}
	}
	return t, nil
}

func countyOf(res *indicators.Result, c schema.Code) (schema.Unit, bool) {
	if u := res.Units[c.Ancestor(schema.LevelCounty)]; u != nil {
		return u.Unit, true
	}
	return schema.Unit{Code: c.Ancestor(schema.LevelCounty), Name: string(c.Ancestor(schema.LevelCounty))}, false
}

// columns picks the indicators: those asked for; else those with a
// target in the table and those of the unit's plan, in the plan's order
// and then the catalogue's; else every computed indicator.
func columns(o Options, plan []schema.PlanIndicator, targets map[schema.Code]map[string]schema.Target) ([]Column, error) {
	var ids []string
	if len(o.Indicators) > 0 {
		for _, id := range o.Indicators {
			if _, ok := schema.IndicatorByID(id); !ok {
				return nil, fmt.Errorf("breakdown: unknown indicator %q", id)
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	} else {
		want := map[string]bool{}
		for _, byInd := range targets {
			for id := range byInd {
				want[id] = true
			}
		}
		for _, p := range plan {
			if p.TargetYear == o.Year && !slices.Contains(ids, p.Concept) {
				ids = append(ids, p.Concept)
				delete(want, p.Concept)
			}
		}
		for _, ind := range schema.Catalogue() {
			if want[ind.ID] {
				ids = append(ids, ind.ID)
			}
		}
		if len(ids) == 0 {
			for _, ind := range schema.Catalogue() {
				if ind.Computed() {
					ids = append(ids, ind.ID)
				}
			}
		}
	}
	cols := make([]Column, 0, len(ids))
	for _, id := range ids {
		ind, _ := schema.IndicatorByID(id)
		cols = append(cols, Column{Indicator: ind, Decimals: decimals(ind)})
	}
	return cols, nil
}

// decimals is how precisely an indicator is shown: as the plans write
// it, counts whole (个, 张, 所, 家, 名…), rates to one decimal, a 0–1
// share to two.
func decimals(ind schema.Indicator) int {
	switch {
	case ind.Unit == "亿元":
		return 2
	case ind.Computed() && ind.Denominator != "" && ind.Scale == 1:
		return 2
	case ind.IsRate(), ind.Unit == "岁", strings.Contains(ind.Unit, "/"):
		return 1
	}
	return 0
}

// row makes one unit's cells. plan supplies the total row's baseline and
// target where no target record exists. Completion and status come later
// (evaluateCells), once baselines from records are in.
func (t *Table) row(u *indicators.UnitResult, total bool, targets map[string]schema.Target, plan []schema.PlanIndicator) Row {
	r := Row{Unit: u.Unit, Total: total, Cells: make([]Cell, len(t.Columns))}
	for i, col := range t.Columns {
		c := &r.Cells[i]
		v, _ := u.Value(col.Indicator.ID)
		c.Records = v.Lineage.Records
		if v.Present {
			c.Current = Num{V: v.Value, OK: true}
		} else {
			c.Note = v.Reason
		}
		if tg, ok := targets[col.Indicator.ID]; ok {
			c.TargetYear = int(tg.Year)
			c.Target = targetNum(tg.Value, tg.ValueText, true)
			if tg.HasBaseline || tg.BaselineText != "" {
				c.BaselineYear = int(tg.BaselineYear)
				c.Baseline = targetNum(tg.Baseline, tg.BaselineText, tg.HasBaseline)
			}
		} else if p, ok := schema.PlanTarget(plan, col.Indicator.ID, t.Year); ok {
			c.TargetYear, c.BaselineYear = p.TargetYear, p.BaselineYear
			c.Target = planNum(p.TargetText)
			c.Baseline = planNum(p.BaselineText)
			c.Note = joinNote(c.Note, "目标取自规划原文 / target as written in the plan")
		}
	}
	return r
}

// targetNum turns a target record's value into a Num: the text is kept
// when it says more than the number does.
func targetNum(v float64, text string, ok bool) Num {
	n := Num{V: v, OK: ok}
	if text != "" {
		pv, cmp, pok := schema.ParseTargetText(text)
		switch {
		case !pok:
			n = Num{Text: text} // "应建尽建": no number to measure against
		case cmp != "" || pv != v:
			n.Text = text
		}
	}
	return n
}

// planNum reads a plan's baseline or target as written.
func planNum(text string) Num {
	text = schema.PlanText(text)
	v, cmp, ok := schema.ParseTargetText(text)
	switch {
	case !ok && text == "":
		return Num{}
	case !ok:
		return Num{Text: text}
	case cmp != "":
		return Num{V: v, OK: true, Text: text}
	}
	return Num{V: v, OK: true}
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// sortedKinds lists the record kinds the township sheet counts.
var sortedKinds = []schema.Kind{schema.KindFacility, schema.KindCapacity, schema.KindPerson, schema.KindVisit,
	schema.KindPopulation, schema.KindReported}

// total counts a township's records of the kinds the sheet shows.
func (tr TownshipRow) total() int {
	n := 0
	for _, k := range sortedKinds {
		n += tr.Records[k]
	}
	return n
}

// staleCount is how many townships are stale, for summaries.
func (t *Table) staleCount() int {
	n := 0
	for _, tr := range t.Townships {
		if tr.Stale {
			n++
		}
	}
	return n
}
