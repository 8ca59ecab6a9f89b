package indicators

import (
	"testing"

	"laoxiao/schema"
)

// TestEngineLeftPersons holds the engine to schema.LeftBefore: a person
// who died before the report month is not in its visit rate; one who died
// during it is, and so is everyone in an earlier month.
func TestEngineLeftPersons(t *testing.T) {
	const town schema.Code = "990201002"
	const village schema.Code = "990201002001"
	f := newFixture(t)
	alone := []schema.PersonCategory{schema.CatAlone}
	f.put("A", village, schema.Person{Name: "王秀兰", Categories: alone})
	f.put("B", village, schema.Person{Name: "李德明", Categories: alone, Status: schema.PersonDied, LeftOn: "2025-05-20"})
	f.put("C", village, schema.Person{Name: "赵桂芳", Categories: alone, Status: schema.PersonMoved, LeftOn: "2025-06-10"})
	f.put("v1", village, schema.Visit{Person: "A", Date: "2025-06-03", Kind: schema.VisitMonthly})
	f.commit()
	divs := testDivisions(t)

	wantValue(t, evaluate(t, f.st, divs, town, "2025-06"), town, "visit_rate_special", 50) // A visited, C not; B gone
	wantValue(t, evaluate(t, f.st, divs, town, "2025-05"), town, "visit_rate_special", 0)  // all three, none visited in May
}
