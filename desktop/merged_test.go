package desktop

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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
		Set: schema.Fields{"merged_into": schema.MustMarshal(surv.ID), "merged_by": schema.MustMarshal("雨城区民政局")},
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
