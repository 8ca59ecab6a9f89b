package township

import (
	"fmt"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Merged duplicates on the device (schema/merged.go). A merge comes down
// like any edit: the duplicate gets a pointer to its survivor. The device
// then counts the duplicate's visits and reports for the survivor, as the
// server does, and the lists show the duplicate as 已合并到 … with the way
// to the survivor, rather than hiding a record staff may be looking for.

// resolveVisits returns the visits with their Person resolved through
// merged (the slice is modified in place).
func resolveVisits(vs []Visit, merged schema.Redirects) []Visit {
	if len(merged) == 0 {
		return vs
	}
	for i := range vs {
		vs[i].Person = merged.Resolve(vs[i].Person)
	}
	return vs
}

// mergedPersons returns the merges among persons.
func mergedPersons(ps []Person) schema.Redirects {
	rd := schema.Redirects{}
	for _, p := range ps {
		if p.MergedInto != "" {
			rd[p.ID] = p.MergedInto
		}
	}
	return rd
}

// MergedTarget is the record a merged duplicate now lives on, for the
// desktop's "已合并到 …" line.
type MergedTarget struct {
	ID   string
	Unit schema.Code
	Name string
}

// MergedPersonTarget follows a merged person's pointer (through chains)
// to the survivor; ok is false when the person was not merged or the
// survivor is not on this device.
func MergedPersonTarget(st *agent.Store, p Person) (MergedTarget, bool) {
	return mergedTarget(st, schema.KindPerson, p.MergedInto)
}

// MergedFacilityTarget is MergedPersonTarget for a facility.
func MergedFacilityTarget(st *agent.Store, f Facility) (MergedTarget, bool) {
	return mergedTarget(st, schema.KindFacility, f.MergedInto)
}

func mergedTarget(st *agent.Store, kind schema.Kind, to string) (MergedTarget, bool) {
	for hops := 0; to != "" && hops < 8; hops++ {
		r, err := st.Get(kind, to)
		if err != nil || r == nil || r.IsDeleted() {
			return MergedTarget{}, false
		}
		if next := schema.MergedInto(r); next != "" {
			to = next
			continue
		}
		var named struct {
			Name string `cbor:"name"`
		}
		if err := r.Decode(&named); err != nil {
			return MergedTarget{}, false
		}
		return MergedTarget{ID: r.ID, Unit: r.Unit, Name: named.Name}, true
	}
	return MergedTarget{}, false
}

// visitsWithMerged returns the visits to a person and to the duplicates
// merged into them, which count for them, and those duplicates mapped to
// the person (so a merged duplicate's own history is left as it is).
func visitsWithMerged(st *agent.Store, personID string) ([]*schema.Record, schema.Redirects, error) {
	all := schema.Redirects{}
	err := st.List(schema.KindPerson, "", func(r *schema.Record) error {
		all.Add(r)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("persons merged into %s: %w", personID, err)
	}
	recs, err := st.VisitsOf(personID)
	if err != nil {
		return nil, nil, err
	}
	into := schema.Redirects{}
	for dup := range all {
		if dup == personID || all.Resolve(dup) != personID {
			continue
		}
		into[dup] = personID
		more, err := st.VisitsOf(dup)
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, more...)
	}
	return recs, into, nil
}
