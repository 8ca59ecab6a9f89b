package realwindow

import (
	"os/exec"
	"path/filepath"
	"testing"

	"laoxiao/agent"
	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/synth"
)

// demoFolder makes the realistic demo township's data folder.
func demoFolder(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	out, err := exec.Command(desktopBinary(t), "--make-demo", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, out)
	}
	return dir
}

// openStore opens the data folder the way the agent does, after the app
// closed it.
func openStore(t testing.TB, dir string) *agent.Store {
	t.Helper()
	st, err := agent.Open(dir, agent.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestFacilityRegisteredByClicksAndTyping is the crash users met: every
// dropdown on the facilities tab opened with a click and an option
// chosen, a facility registered with Chinese typed through key events,
// then found in the store.
func TestFacilityRegisteredByClicksAndTyping(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "facilities")
	a.find("显示 17 个 / 共 17 个机构", false)
	a.shot("facilities")

	// The list filters: each opens, and the choice filters the list.
	a.choose("全部类型", "托育机构")
	a.find("显示 1 个 / 共 17 个机构", false)
	a.choose("托育机构", "全部类型")
	a.choose("全部村(社区)", "草坝社区居委会")
	a.choose("全部状态", "运营中")
	a.choose("运营中", "全部状态")
	a.choose("草坝社区居委会", "全部村(社区)")

	// Saving an empty form shows the problems beside the fields.
	a.click("保存 (Ctrl+S)")
	a.find("机构名称不能为空", false)
	a.shot("problems")

	a.fill("机构名称", "草坝镇夕阳红养老院")
	a.choose("请选择机构类型", "养老机构")
	a.choose("请选择举办性质", "民办")
	a.choose("草坝镇(本级)", "草坝社区居委会")
	a.click("普惠")
	a.click("医养结合")
	a.choose("请选择备案状态", "已备案")
	a.fill("开业日期", "2023-05-01")
	a.fill("地址", "草坝场镇福寿街18号")
	a.shot("filled")
	a.key("ctrl+s")
	a.find("显示 18 个 / 共 18 个机构", false)
	a.find("编辑机构：草坝镇夕阳红养老院", false)
	a.shot("saved")

	// The entry's context menu (right click) is a pop-up too.
	x, y := a.inputRightOf("地址", "*desktop.entry").center()
	a.clickAt(x, y, 3)
	a.find("复制", true)
	a.shot("context-menu")
	a.key("Escape")

	a.quit()
	st := openStore(t, dir)
	all, err := township.LoadFacilities(st, synth.DefaultTownship)
	if err != nil {
		t.Fatal(err)
	}
	var got *township.Facility
	for i := range all {
		if all[i].Name == "草坝镇夕阳红养老院" {
			got = &all[i]
		}
	}
	if got == nil {
		t.Fatalf("the facility typed in is not in the store (%d facilities)", len(all))
	}
	want := schema.Facility{Name: "草坝镇夕阳红养老院", Address: "草坝场镇福寿街18号", Opened: "2023-05-01",
		Inclusive: true, Medical: true}
	if got.Address != want.Address || got.Opened != want.Opened || got.Inclusive != want.Inclusive || got.Medical != want.Medical {
		t.Errorf("stored %+v, want name/address/opened/flags of %+v", got.Facility, want)
	}
	if got.Kind.Label() != "养老机构" || schema.LabelOf(schema.Ownerships, string(got.Ownership)) != "民办" ||
		schema.LabelOf(schema.Filings, string(got.Filing)) != "已备案" {
		t.Errorf("stored kind %q ownership %q filing %q", got.Kind, got.Ownership, got.Filing)
	}
	if got.Unit == synth.DefaultTownship || len(got.Unit) != 12 {
		t.Errorf("stored unit %q, want the village chosen", got.Unit)
	}
}
