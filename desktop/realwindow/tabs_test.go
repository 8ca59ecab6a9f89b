package realwindow

import (
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/synth"
)

// TestIndicatorsAndSyncTabs visits the two tabs the other tests do not
// edit on: the indicators' month dropdown, recalculation and a
// department-reported value; sync now (the demo server is not running),
// the refused change opened and the discard confirmation cancelled.
func TestIndicatorsAndSyncTabs(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "indicators")
	month := time.Now().Format("2006-01")
	a.find("每千名老年人养老床位数", false)
	a.shot("indicators")
	prev := time.Now().AddDate(0, -1, 0).Format("2006-01")
	a.choose(month, prev)
	a.choose(prev, month)
	a.click("重新计算")

	// A reported value: the first indicator the dropdown offers.
	a.click("请选择由部门填报的指标")
	a.shot("dropdown-reported")
	var first item
	for _, it := range a.snapshot().Items {
		if it.Overlay && it.Type == "*canvas.Text" && it.Text != "" && inWindow(it) && (first.Type == "" || it.Y < first.Y) {
			first = it
		}
	}
	if first.Type == "" {
		t.Fatal("the reported-indicator dropdown shows no option")
	}
	x, y := first.center()
	a.clickAt(x, y, 1)
	a.find(first.Text, false)
	a.fill("填报值", "96.5")
	a.fill("填报部门", "县医保局")
	a.click("保存填报值 (Ctrl+S)")
	a.showing("已保存到本机")
	a.shot("reported-saved")

	a.click("同步")
	a.find("立即同步", false)
	a.shot("sync")
	a.click("立即同步")
	a.showing("上次同步失败")
	a.click("床位/托位 · 草坝镇敬老院 " + month)
	a.click("放弃这条修改")
	a.find("取消", true)
	a.shot("discard-confirm")
	x, y = a.find("取消", true).center()
	a.clickAt(x, y, 1)
	a.click("打开修改")
	a.find("填报月份", false)
	a.shot("parked-opened")
	a.quit()

	// The reported value is in the store under its deterministic id.
	st := openStore(t, dir)
	n := 0
	err := st.List(schema.KindReported, synth.DefaultTownship, func(r *schema.Record) error {
		_, v, err := st.GetTyped(schema.KindReported, r.ID)
		if err != nil {
			return err
		}
		if rv := v.(*schema.Reported); rv.Department == "县医保局" && rv.Value == 96.5 {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("found %d reported values of 96.5 from 县医保局, want 1", n)
	}
}
