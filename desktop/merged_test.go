package desktop

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// TestMergedPersonSaysWhere: the district office merged one demo person
// into another; once the device has the merge, opening the old record
// says "已合并到 …" with the survivor's name and village, the list marks
// it, and the button opens the survivor.
func TestMergedPersonSaysWhere(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(2)
	h.drain()
	p := u.per
	if len(p.all) < 2 {
		t.Fatal("the demo has fewer than two persons")
	}
	dup, surv := p.all[0], p.all[1]
	ch := schema.Change{Kind: schema.KindPerson, ID: dup.ID, Unit: dup.Unit,
		Set:   schema.Fields{"merged_into": schema.MustMarshal(surv.ID), "merged_by": schema.MustMarshal("雨城区民政局")},
		Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: "server", Seq: 1}
	if _, err := u.st.ApplyRemote([]schema.LogEntry{{Seq: 1, Change: ch}}, 1); err != nil {
		t.Fatal(err)
	}
	p.reload()
	h.drain()
	p.open(dup.ID)
	h.drain()
	if p.sel < 0 || p.all[p.sel].ID != dup.ID {
		t.Fatal("the merged record cannot be opened")
	}
	want := "已合并到 " + surv.Name + "（" + u.area.UnitLabel(surv.Unit) + "）"
	if !p.merged.box.Visible() || !strings.Contains(p.merged.label.Text, want) {
		t.Fatalf("banner %q (shown %v), want it to say %q", p.merged.label.Text, p.merged.box.Visible(), want)
	}
	if p.all[p.sel].Due {
		t.Error("the merged record is still listed as due for a visit")
	}
	test.Tap(p.merged.btn)
	h.drain()
	if p.sel < 0 || p.all[p.sel].ID != surv.ID {
		t.Fatalf("the button did not open the survivor %s", surv.Name)
	}
	if p.merged.box.Visible() {
		t.Error("the survivor's card says it was merged")
	}
}

// TestSecondRegistrationWarned: typing an ID number already registered in
// the township says whose it is; saving a new person with it asks first
// and saves only on 仍然登记; the warning's button opens the person
// registered.
func TestSecondRegistrationWarned(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(2)
	h.drain()
	p := u.per
	var first township.Person
	for _, x := range p.all {
		if x.IDNumber != "" {
			first = x
			break
		}
	}
	if first.ID == "" {
		t.Fatal("no demo person has an ID number")
	}
	before := count(t, u.st, schema.KindPerson)
	test.Tap(p.pnew)
	test.Type(p.name, "张 桂英")
	test.Type(p.idnum, strings.ToLower(first.IDNumber))
	test.Tap(p.cats[1])
	p.unit.SetSelected(u.area.UnitLabel(first.Unit))
	want := "此身份证号已登记为 " + first.Name
	if !p.idWarn.box.Visible() || !strings.Contains(p.idWarn.label.Text, want) {
		t.Fatalf("warning %q (shown %v), want %q", p.idWarn.label.Text, p.idWarn.box.Visible(), want)
	}
	test.Tap(p.psave)
	h.drain()
	if n := count(t, u.st, schema.KindPerson); n != before {
		t.Fatal("a second registration was saved without asking")
	}
	yes := findButton(u.win.Canvas().Overlays().Top(), "仍然登记")
	if yes == nil {
		t.Fatal("no confirmation asked")
	}
	test.Tap(yes)
	h.drain()
	if n := count(t, u.st, schema.KindPerson); n != before+1 {
		t.Fatalf("persons %d after 仍然登记, want %d", n, before+1)
	}
	test.Tap(p.pnew)
	test.Type(p.idnum, first.IDNumber)
	test.Tap(p.idWarn.btn)
	h.drain()
	if p.sel < 0 || p.all[p.sel].ID != first.ID && p.all[p.sel].IDNumber != first.IDNumber {
		t.Fatalf("the warning's button did not open a person registered with the number")
	}
}

// findButton returns the button labelled text under o, or nil.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == text {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		for _, c := range r.Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}
