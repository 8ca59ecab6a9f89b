package report

import (
	"slices"
	"strconv"

	"laoxiao/schema"
)

// describe fills what the column says about its indicator for the table's
// unit: attribute, departments, scope and years from the unit's target
// record for the year, what it leaves empty from the unit's own plan, and
// the unit's targets for other years (from records and from its plan) as
// milestones. Nothing comes from another unit's plan.
func (c *Column) describe(year int, own map[string]schema.Target, plan []schema.PlanIndicator, others []schema.Target) {
	id := c.Indicator.ID
	c.TargetYear = year
	if tg, ok := own[id]; ok {
		c.Attribute, c.Lead, c.Cooperating, c.Scope = tg.Attribute, tg.Lead, tg.Cooperating, tg.Scope
		c.BaselineYear = int(tg.BaselineYear)
	}
	if p, ok := planRow(plan, id, year); ok {
		if c.Attribute == schema.AttrUnstated {
			c.Attribute = p.Attribute
		}
		if c.Lead == "" && c.Cooperating == "" {
			c.Lead, c.Cooperating = p.Responsible, p.Cooperating
		}
		if c.Scope == schema.ScopeTotal {
			c.Scope = p.Scope
		}
		if c.BaselineYear == 0 {
			c.BaselineYear = p.BaselineYear
		}
	}
	seen := map[int]bool{}
	for _, tg := range others {
		if tg.Indicator == id && !seen[int(tg.Year)] {
			seen[int(tg.Year)] = true
			text := tg.ValueText
			if text == "" {
				text = strconv.FormatFloat(tg.Value, 'f', -1, 64)
			}
			c.Milestones = append(c.Milestones, Milestone{Year: int(tg.Year), Text: text})
		}
	}
	for _, p := range plan {
		if p.Concept == id && p.TargetYear != year && !seen[p.TargetYear] {
			seen[p.TargetYear] = true
			c.Milestones = append(c.Milestones, Milestone{Year: p.TargetYear, Text: p.TargetText})
		}
	}
	slices.SortFunc(c.Milestones, func(a, b Milestone) int { return a.Year - b.Year })
}

// planRow is the plan's row of the indicator for the year, or, where the
// plan sets it only for another year (雅安's 2022 敬老院 in every county),
// its latest row: the attribute, departments and scope are the plan's
// either way.
func planRow(plan []schema.PlanIndicator, id string, year int) (schema.PlanIndicator, bool) {
	if p, ok := schema.PlanTarget(plan, id, year); ok {
		return p, true
	}
	var last schema.PlanIndicator
	found := false
	for _, p := range plan {
		if p.Concept == id && (!found || p.TargetYear > last.TargetYear) {
			last, found = p, true
		}
	}
	return last, found
}
