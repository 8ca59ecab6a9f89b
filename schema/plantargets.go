package schema

// planUnits is the unit each plan was written for, by source code. The
// plans name themselves in full (重庆市黔江区) where the registry names the
// unit alone (黔江区), so units are matched by code.
var planUnits = map[string]Code{"000": "5118", "001": "500114", "002": "370117", "003": "4502", "004": "5301"}

// PlanOf returns the targets of the plan written for a unit (雅安市's plan
// for 5118), in file order; nil when no plan was written for it.
func PlanOf(u Unit) []PlanIndicator {
	var out []PlanIndicator
	for _, p := range planRows {
		if c, ok := planUnits[p.Source]; (ok && c == u.Code) || (!ok && p.Jurisdiction == u.Name) {
			out = append(out, p)
		}
	}
	return out
}

// PlanTarget returns the plan row of concept for year in plan, if the plan
// sets one.
func PlanTarget(plan []PlanIndicator, concept string, year int) (PlanIndicator, bool) {
	for _, p := range plan {
		if p.Concept == concept && p.TargetYear == year {
			return p, true
		}
	}
	return PlanIndicator{}, false
}

// TargetRecord is the row as a Target record for the plan's own unit:
// the figures parsed (the text kept as written), the attribute,
// departments and scope as the plan gives them.
func (p PlanIndicator) TargetRecord() Target {
	t := Target{Indicator: p.Concept, Year: int64(p.TargetYear), ValueText: PlanText(p.TargetText)}
	t.FromPlan(p)
	t.Value, _, _ = ParseTargetText(p.TargetText)
	if v, _, ok := ParseTargetText(p.BaselineText); ok {
		t.Baseline, t.HasBaseline = v, true
	}
	if t.HasBaseline || PlanText(p.BaselineText) != "" {
		t.BaselineYear, t.BaselineText = int64(p.BaselineYear), PlanText(p.BaselineText)
	}
	return t
}

// FromPlan sets what the plan states about the target beside its
// figures: the attribute, the lead and co-departments and the scope.
func (t *Target) FromPlan(p PlanIndicator) {
	t.Attribute, t.Lead, t.Cooperating, t.Scope = p.Attribute, p.Responsible, p.Cooperating, p.Scope
}

// PlanText is a baseline or target as the plan writes it, with the
// plans' "-" (no figure given) as empty.
func PlanText(s string) string {
	if s == "-" {
		return ""
	}
	return s
}
