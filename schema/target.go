package schema

// Attribute is an indicator's attribute in a plan: binding (约束性) or
// expected (预期性). Plans that state targets in running text often state
// neither; the empty Attribute says so rather than guessing 预期性.
type Attribute string

// The attributes.
const (
	AttrUnstated Attribute = ""
	AttrBinding  Attribute = "约束性"
	AttrExpected Attribute = "预期性"
)

// Attributes lists the attributes a record may carry, with labels.
var Attributes = []Choice{{string(AttrBinding), "约束性"}, {string(AttrExpected), "预期性"}}

// Binding reports whether the attribute is 约束性.
func (a Attribute) Binding() bool { return a == AttrBinding }

// TargetScope says how a target set for a unit applies to the units below
// it, which is what target splitting must respect.
type TargetScope string

// The scopes.
const (
	// ScopeTotal is a figure for the unit as a whole (全市养老床位12000张):
	// splitting divides it over the units below by a weight.
	ScopeTotal TargetScope = ""
	// ScopeEachBelow is a per-unit minimum (每个县(区)至少1所老年大学): every
	// unit directly below must reach Value on its own. Splitting never
	// divides it: each unit below gets Value.
	ScopeEachBelow TargetScope = "each"
	// ScopeWhole is a target only the unit itself can meet (地市级托育服务指导中心
	// 1个): there is nothing to split, and the units below get no share.
	ScopeWhole TargetScope = "whole"
)

// TargetScopes lists the scopes a record may carry, with labels.
var TargetScopes = []Choice{{string(ScopeEachBelow), "每个下级单位均须达到"}, {string(ScopeWhole), "本级整体目标,不分解"}}

// Label names the scope in Chinese ("" for a total, which is the usual
// case and needs no word).
func (s TargetScope) Label() string {
	if s == ScopeTotal {
		return ""
	}
	return LabelOf(TargetScopes, string(s))
}

// Binding reports whether the target's plan calls it 约束性.
func (t Target) Binding() bool { return t.Attribute.Binding() }

// targetExtra checks the fields a target gained after the first release.
func (c *checker) targetExtra(t *Target) {
	c.enum("attribute", string(t.Attribute), Attributes, false)
	c.enum("scope", string(t.Scope), TargetScopes, false)
}
