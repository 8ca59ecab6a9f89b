package realwindow

import (
	"testing"
	"time"

	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/synth"
)

// TestCapacityGridByKeyboard enters a month's beds the way staff do:
// click the first cell, type, Tab to the right, Enter down, Ctrl+S.
func TestCapacityGridByKeyboard(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "capacity")
	month := time.Now().Format("2006-01")
	a.find(month, false)
	a.shot("capacity")

	// The month dropdown opens and loads another month, then back.
	prev := time.Now().AddDate(0, -1, 0).Format("2006-01")
	a.choose(month, prev)
	a.choose(prev, month)

	const row = "草坝镇区域养老服务中心"
	first := a.cell(row, "床位总数")
	x, y := first.center()
	a.clickAt(x, y, 1)
	a.typeText("40")
	a.key("Tab")
	if f := a.focused(); f.X <= first.X || f.Y != first.Y {
		t.Fatalf("Tab moved the focus to %+v, want the cell right of %+v", f, first)
	}
	a.typeText("20")
	a.key("Tab")
	a.typeText("30")
	a.key("Return")
	if f := a.focused(); f.Y <= first.Y {
		t.Fatalf("Enter moved the focus to %+v, want the row below %+v", f, first)
	}
	a.shot("typed")
	a.showing("未保存")
	a.key("ctrl+s")
	a.gone("未保存")
	a.shot("saved")
	a.click("未填报的机构沿用上月数据")
	a.shot("copied")
	a.quit()

	st := openStore(t, dir)
	facs, err := township.LoadFacilities(st, synth.DefaultTownship)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, f := range facs {
		if f.Name == row {
			id = f.ID
		}
	}
	_, v, err := st.GetTyped(schema.KindCapacity, schema.CapacityID(id, month))
	if err != nil {
		t.Fatalf("the report typed in is not in the store: %v", err)
	}
	c := v.(*schema.Capacity)
	if c.BedsTotal != 40 || c.BedsNursing != 20 || c.BedsOccupied != 30 {
		t.Errorf("stored beds %d/%d/%d, want 40/20/30", c.BedsTotal, c.BedsNursing, c.BedsOccupied)
	}
}

// TestPopulationGridByKeyboard enters a village's population for the year.
func TestPopulationGridByKeyboard(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "population")
	year := time.Now().Format("2006")
	a.find(year, false)
	prev := time.Now().AddDate(-1, 0, 0).Format("2006")
	a.choose(year, prev)
	a.choose(prev, year)

	const row = "草坝镇(本级)"
	first := a.cell(row, "常住人口")
	x, y := first.center()
	a.clickAt(x, y, 1)
	for _, n := range []string{"21000", "5600", "4300", "510"} {
		a.typeText(n)
		a.key("Tab")
	}
	a.typeText("120")
	a.showing("未保存")
	a.shot("typed")
	a.key("ctrl+s")
	a.gone("未保存")
	a.shot("saved")
	a.quit()

	st := openStore(t, dir)
	y4 := time.Now().Year()
	_, v, err := st.GetTyped(schema.KindPopulation, schema.PopulationID(synth.DefaultTownship, int64(y4)))
	if err != nil {
		t.Fatalf("the population typed in is not in the store: %v", err)
	}
	p := v.(*schema.Population)
	if p.Resident != 21000 || p.Aged60 != 5600 || p.Aged65 != 4300 || p.Aged0to3 != 510 || p.Births != 120 {
		t.Errorf("stored %+v, want 21000/5600/4300/510/120", *p)
	}
}
