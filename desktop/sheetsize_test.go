package desktop

import (
	"fmt"
	"strings"
	"testing"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// TestCapacitySheetIsOneTransaction: a month's capacity sheet of 2,500
// facilities, every row a new report with all its figures, saves as one
// transaction on a store opened as the app opens it. SaveBatch commits
// the rows with one PutBatch and fails rather than split them, so the
// save going through is the promise kept.
func TestCapacitySheetIsOneTransaction(t *testing.T) {
	const rows = 2500
	st, err := agent.Open(t.TempDir(), storeOptions("", quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetScope(caoba); err != nil {
		t.Fatal(err)
	}
	var facs []string
	for len(facs) < rows {
		var items []agent.Item
		for i := len(facs); i < min(rows, len(facs)+250); i++ {
			f := schema.Facility{Name: fmt.Sprintf("第%d号日间照料中心", i), Kind: schema.FKDayCare, Ownership: schema.OwnPublic,
				Filing: schema.FilingFiled, Opened: "2023-05-01", Status: schema.StatusOperating, Address: fmt.Sprintf("草坝镇幸福路%d号", i)}
			items = append(items, agent.Item{Kind: schema.KindFacility, ID: schema.NewID(), Unit: caoba, Value: f})
		}
		if _, err := st.PutBatch(items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			facs = append(facs, it.ID)
		}
	}
	sheet := make([]agent.Item, rows)
	for i, f := range facs {
		sheet[i] = agent.Item{Kind: schema.KindCapacity, Unit: caoba, Value: schema.Capacity{Facility: f, Period: "2025-06",
			BedsTotal: 1200, BedsNursing: 800, BedsOccupied: 950, PlacesTotal: 300, PlacesInclusive: 200,
			ChildrenEnrolled: 250, CareStaff: 120, CertifiedStaff: 90}}
	}
	before, err := st.Status()
	if err != nil {
		t.Fatal(err)
	}
	probs, err := township.SaveBatch(st, sheet)
	if err != nil || len(probs) > 0 {
		t.Fatalf("save of a %d-row sheet: %v, problems %v", rows, err, probs)
	}
	after, err := st.Status()
	if err != nil {
		t.Fatal(err)
	}
	if after.LastSeq != before.LastSeq+rows {
		t.Fatalf("sequence went %d → %d, want %d more", before.LastSeq, after.LastSeq, rows)
	}
}

// TestFormSaveIsOneTransaction: a form saves its record with one Put,
// one transaction, whatever the length of what was typed: a record from
// just below the store's inline limit to far above it (stored in the
// value log) saves on a store opened as the app opens it.
func TestFormSaveIsOneTransaction(t *testing.T) {
	st, err := agent.Open(t.TempDir(), storeOptions("", quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, n := range []int{0, 100, 200, 400, 20000} {
		p := schema.Person{Name: "王秀兰", BirthDate: "1940-03-02", Categories: []schema.PersonCategory{schema.CatAlone},
			Note: strings.Repeat("独", n)}
		before, err := st.Status()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(schema.KindPerson, "", caoba, p); err != nil {
			t.Fatalf("save of a person with a note of %d characters: %v", n, err)
		}
		if after, err := st.Status(); err != nil || after.LastSeq != before.LastSeq+1 {
			t.Fatalf("sequence after the save: %+v, %v", after, err)
		}
	}
}
