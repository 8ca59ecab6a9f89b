package realwindow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestFirstRunOnEmptyFolder walks the first-run screens as a new user:
// the data folder (with its folder dialog), the county and township
// dropdowns, the certificate file dialog, an enrolment without a code,
// then offline use.
func TestFirstRunOnEmptyFolder(t *testing.T) {
	t.Parallel()
	d := startDisplay(t)
	a := startApp(t, d)
	a.find("打开", false)
	a.shot("data-folder")
	a.click("选择…")
	a.find("取消", true)
	a.shot("folder-dialog")
	x, y := a.find("取消", true).center()
	a.clickAt(x, y, 1)
	a.click("打开")

	a.find("第一步：选择本机负责的乡镇(街道)", false)
	a.shot("township")
	a.click("先离线录入，以后再注册")
	a.find("请先选择本机负责的乡镇(街道)", false)
	a.choose("请选择区县", "雨城区")
	a.choose("请选择乡镇(街道)", "草坝镇")
	a.gone("请先选择本机负责的乡镇(街道)")
	a.click("选择证书文件…")
	a.find("取消", true)
	a.shot("certificate-dialog")
	x, y = a.find("取消", true).center()
	a.clickAt(x, y, 1)
	a.click("注册并开始同步")
	a.find("请填写服务器地址和注册码", false)
	a.shot("enrol-problem")
	a.click("先离线录入，以后再注册")
	a.find("服务对象与探访", false)
	a.find("显示 0 个 / 共 0 个机构", false)
	a.shot("main")
	a.quit()

	dir := filepath.Join(a.home, "laoxiao-data")
	b, err := os.ReadFile(filepath.Join(dir, "desktop.json"))
	if err != nil {
		t.Fatalf("the first run kept no settings in %s: %v", dir, err)
	}
	var p struct{ Township string }
	if err := json.Unmarshal(b, &p); err != nil || p.Township != "511802101" {
		t.Fatalf("settings %s, want township 511802101 (草坝镇)", b)
	}
	openStore(t, dir)
}
