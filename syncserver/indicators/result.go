package indicators

import (
	"sort"
	"time"

	"laoxiao/schema"
)

// Result is every indicator of the catalogue evaluated for a scope and
// each county and township below it, as of a period.
type Result struct {
	Scope  schema.Code
	Period Period
	// Now is when the evaluation ran; staleness is measured from it.
	Now time.Time
	// Units holds the scope and every unit below it down to township
	// level, by code.
	Units map[schema.Code]*UnitResult
	// Townships is the sync state of every township in scope.
	Townships map[schema.Code]*TownshipStatus
	// Targets are the live target records found in scope (any year).
	Targets []UnitTarget
	// Scanned counts the records read from the store, deleted ones
	// included: the work the evaluation did.
	Scanned int
	// Indicators is the catalogue the values follow, in order.
	Indicators []schema.Indicator
}

// UnitResult is one unit's values.
type UnitResult struct {
	Unit schema.Unit
	// Values follow Result.Indicators, one per indicator.
	Values []Value
	// Population is the unit's population figures (see schema.Measure).
	Population Population
	// Records counts the live records (targets aside) in the unit and
	// below; zero means nothing was ever synced for it.
	Records int
	// Townships are the registry townships in the unit, sorted.
	Townships []schema.Code
}

// Value is one indicator's value for one unit.
type Value struct {
	Indicator string
	// Present is false when there is no value; Reason then says why.
	Present bool
	Value   float64
	Reason  string // "中文 / English"
	// Numerator and Denominator are the measures a computed value came
	// from (Denominator is 0 for counts).
	Numerator, Denominator float64
	// Period and Department describe a reported value: the period of the
	// figure used and who entered it.
	Period, Department string
	Lineage            Lineage
}

// Lineage says where a value came from, so an office can see what is
// missing or stale before trusting it.
type Lineage struct {
	// Records is how many records went into the value. Records both
	// sides of a ratio read (the facilities behind nursing and total beds)
	// count once.
	Records int
	// Contributors are the units whose records went in: townships, or
	// the unit itself for figures entered at county or city level.
	Contributors []Contribution
	// Missing are the registry townships in the unit that contributed
	// nothing.
	Missing []schema.Code
}

// Contribution is one unit's part in a value.
type Contribution struct {
	Unit    schema.Code
	Records int
	// LastSync is the latest sync of the township's devices; zero when
	// none ever synced, or for figures entered at county or city level.
	LastSync time.Time
}

// Population is a unit's population figures: its own latest record not
// after the report year, or else the sum over its child units.
type Population struct {
	Present                                    bool
	Resident, Aged60, Aged65, Aged0to3, Births int64
	// Records is how many population records the figures add up.
	Records int
}

// TownshipStatus is how current a township's data is.
type TownshipStatus struct {
	Unit schema.Unit
	// LastSync is the latest sync of any device enrolled in the township
	// or one of its villages; zero when none ever synced.
	LastSync time.Time
	Devices  int
	// Stale is true when no device synced within the engine's StaleAfter.
	Stale bool
	// Behind is true when a device of the township said, in its last
	// hello, that a change had waited more than store.MaxWait or that it
	// carries refusals nobody fixed (store.Health.Behind).
	Behind bool
	// Records counts live records by kind, in the order of schema.Kinds.
	Records map[schema.Kind]int
}

// Value returns the value of indicator id for unit, if both are known.
func (r *Result) Value(unit schema.Code, id string) (Value, bool) {
	u := r.Units[unit]
	if u == nil {
		return Value{}, false
	}
	return u.Value(id)
}

// Value returns the unit's value of indicator id.
func (u *UnitResult) Value(id string) (Value, bool) {
	for _, v := range u.Values {
		if v.Indicator == id {
			return v, true
		}
	}
	return Value{}, false
}

// Children returns the units of the result directly below unit, by code.
func (r *Result) Children(unit schema.Code) []*UnitResult {
	var out []*UnitResult
	for c, u := range r.Units {
		if c.Parent() == unit {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit.Code < out[j].Unit.Code })
	return out
}

// TownshipsOf returns the sync state of the townships in unit, by code.
func (r *Result) TownshipsOf(unit schema.Code) []*TownshipStatus {
	var out []*TownshipStatus
	for c, t := range r.Townships {
		if c.Within(unit) {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit.Code < out[j].Unit.Code })
	return out
}
