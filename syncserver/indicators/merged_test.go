package indicators

import (
	"testing"

	"laoxiao/schema"
)

// TestEngineMergedDuplicates holds the engine to the merge rule
// (schema/merged.go): a merged duplicate person or facility is not
// counted, its visits and capacity reports count for the survivor (a
// person visited on both records once), the survivor's own report wins a
// month both reported, and clearing the pointer restores the figures.
func TestEngineMergedDuplicates(t *testing.T) {
	const town schema.Code = "990201002"
	const village schema.Code = "990201002001"
	f := newFixture(t)
	elder := schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}}
	f.put("S", village, elder)
	f.put("D", village, elder)
	f.put("X", village, schema.Person{Name: "王秀兰", Categories: []schema.PersonCategory{schema.CatAlone}})
	monthly := func(person, date string) schema.Visit {
		return schema.Visit{Person: person, Date: date, Kind: schema.VisitMonthly}
	}
	f.put("v1", village, monthly("D", "2025-06-03"))
	f.put("v2", village, monthly("S", "2025-06-20"))
	home := schema.Facility{Name: "一村幸福院", Kind: schema.FKRuralHappiness, Ownership: schema.OwnPublic, Status: schema.StatusOperating}
	f.put("FS", village, home)
	f.put("FD", village, home)
	report := func(fac, period string, beds int64) {
		f.put(schema.CapacityID(fac, period), village, schema.Capacity{Facility: fac, Period: period, BedsTotal: beds})
	}
	report("FS", "2025-05", 30)
	report("FD", "2025-05", 99)
	report("FD", "2025-06", 35)
	f.commit()
	divs := testDivisions(t)

	r := evaluate(t, f.st, divs, town, "2025-06")
	wantValue(t, r, town, "visit_rate_special", 200.0/3) // S and D visited, X not
	wantValue(t, r, town, "beds_total", 30+35)

	setPointer := func(kind schema.Kind, id, to string) {
		f.change(&schema.Change{Kind: kind, ID: id, Unit: village, Set: schema.Fields{"merged_into": schema.MustMarshal(to)}})
		f.order = append(f.order, schema.Key{Kind: kind, ID: id}) // commit writes an edit too
		f.commit()
	}
	setPointer(schema.KindPerson, "D", "S")
	setPointer(schema.KindFacility, "FD", "FS")
	r = evaluate(t, f.st, divs, town, "2025-06")
	wantValue(t, r, town, "visit_rate_special", 50) // S (visited twice, counted once) and X
	wantValue(t, r, town, "beds_total", 35)         // FD's June report is FS's latest
	r = evaluate(t, f.st, divs, town, "2025-05")
	wantValue(t, r, town, "beds_total", 30) // both reported May: the survivor's own wins

	setPointer(schema.KindPerson, "D", "")
	setPointer(schema.KindFacility, "FD", "")
	r = evaluate(t, f.st, divs, town, "2025-06")
	wantValue(t, r, town, "visit_rate_special", 200.0/3)
	wantValue(t, r, town, "beds_total", 30+35)
}
