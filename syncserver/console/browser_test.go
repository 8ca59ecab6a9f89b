package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestConsoleInBrowser drives the console in headless Chromium against a
// real server on loopback: a wrong password, sign-in, every page (with a
// PNG of each), the breakdown downloads, a month locked and unlocked on
// 审核, another county by URL and by form, a script in a facility and a
// device name, an enrolment code, and an expired session.
func TestConsoleInBrowser(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	base := f.http.URL
	shots := screenshotDir(t)

	t.Run("wrong password", func(t *testing.T) {
		signIn(t, ctx, base, yuchengUser, "wrong-password", "p.alert")
		if s := text(t, ctx, "p.alert"); !strings.Contains(s, "用户名或密码错误") {
			t.Fatalf("alert %q", s)
		}
		screenshot(t, ctx, shots, "console-login-error")
	})
	signIn(t, ctx, base, yuchengUser, testPassword, "#sync-table")

	t.Run("sync status", func(t *testing.T) {
		s := text(t, ctx, "#sync-table")
		for _, want := range []string{"东城街道", "西城街道民政办", "从未同步", "正常", "dev-dongcheng"} {
			if !strings.Contains(s, want) {
				t.Errorf("sync table lacks %q:\n%s", want, s)
			}
		}
		if strings.Contains(s, "百丈镇") {
			t.Errorf("雨城区 sync page shows a 名山区 device:\n%s", s)
		}
		screenshot(t, ctx, shots, "console-sync")
	})
	t.Run("breakdown and downloads", func(t *testing.T) { checkBreakdown(t, ctx, base, shots) })
	t.Run("devices and enrolment code", func(t *testing.T) { checkDevices(t, ctx, base, shots) })
	t.Run("audit", func(t *testing.T) {
		navigate(t, ctx, base+"/audit?unit=511802&kind=facility")
		s := text(t, ctx, "#audit-table")
		if !strings.Contains(s, "fac-xss") || strings.Contains(s, "fac-ms") || !strings.Contains(s, "名称") {
			t.Fatalf("audit of 雨城区 facilities:\n%s", s)
		}
		screenshot(t, ctx, shots, "console-audit")
	})
	t.Run("review, lock and unlock", func(t *testing.T) { checkReview(t, ctx, f, base, shots) })
	t.Run("script in names is text", func(t *testing.T) {
		for _, page := range []string{"/audit?unit=511802", "/devices", "/sync", "/review?unit=511802"} {
			navigate(t, ctx, base+page)
			kind, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.pwned`))
			if err != nil {
				t.Fatal(err)
			}
			if kind != "undefined" {
				t.Errorf("%s: a script from a name ran (window.pwned is %s)", page, kind)
			}
			if s := text(t, ctx, "main"); !strings.Contains(s, "<script>window.pwned=") {
				t.Errorf("%s: the name with a script tag is not shown as text:\n%s", page, s)
			}
		}
	})
	t.Run("another county by URL", func(t *testing.T) {
		for _, page := range []string{"/sync?unit=511803", "/breakdown?unit=511803&year=2025",
			"/breakdown/download?unit=511803&year=2025&format=csv", "/audit?unit=511803", "/sync.csv?unit=5118",
			"/review?unit=511803&period=2025-12"} {
			if st := navigate(t, ctx, base+page); st != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", page, st)
			}
		}
		if s := text(t, ctx, "main"); !strings.Contains(s, "无权") {
			t.Errorf("403 page says %q", s)
		}
		screenshot(t, ctx, shots, "console-forbidden")
	})
	t.Run("expired session", func(t *testing.T) {
		f.clock.Advance(DefaultSessionIdle + time.Minute)
		navigate(t, ctx, base+"/sync")
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(loc, "/login") {
			t.Fatalf("after the idle timeout /sync went to %s, want /login", loc)
		}
		screenshot(t, ctx, shots, "console-login")
	})
}

// checkBreakdown opens the table page, downloads its CSV and XLSX through
// the browser, and checks that both hold the units and indicators the
// page shows.
func checkBreakdown(t *testing.T, ctx context.Context, base, shots string) {
	navigate(t, ctx, base+"/breakdown?unit=511802&year=2025")
	page := text(t, ctx, "#report")
	if !strings.Contains(page, "雨城区") || !strings.Contains(page, "任务分解表") {
		t.Fatalf("breakdown page:\n%.600s", page)
	}
	screenshot(t, ctx, shots, "console-breakdown")
	csvData := download(t, ctx, "#dl-csv")
	xlsxData := download(t, ctx, "#dl-xlsx")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvData, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("downloaded CSV: %d rows, %v", len(rows), err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(xlsxData))
	if err != nil {
		t.Fatalf("downloaded XLSX does not open: %v", err)
	}
	defer x.Close()
	sheet, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, r := range sheet {
		all.WriteString(strings.Join(r, "\t") + "\n")
	}
	for _, r := range rows[1:] {
		unit, indicator := r[1], r[5]
		for _, want := range []string{unit, indicator} {
			if !strings.Contains(all.String(), want) {
				t.Errorf("CSV has %q, the XLSX does not", want)
			}
			if !strings.Contains(page, want) {
				t.Errorf("CSV has %q, the page does not show it", want)
			}
		}
	}
}

// download clicks a download link and returns the file Chromium saved
// (allowAndName: the file is named by the download's GUID).
func download(t *testing.T, ctx context.Context, sel string) []byte {
	t.Helper()
	dir := t.TempDir()
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &[]bool{true}[0]})
	if err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	events := chromedp.BrowserEvents(lctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	for ev, err := range events {
		if err != nil {
			t.Fatalf("download %s: %v", sel, err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("download %s did not complete", sel)
	return nil
}

// checkDevices makes an enrolment code in the page and sees it large with
// its expiry; the 名山区 device is not listed.
func checkDevices(t *testing.T, ctx context.Context, base, shots string) {
	navigate(t, ctx, base+"/devices")
	if s := text(t, ctx, "#devices-table"); strings.Contains(s, "dev-mingshan") || !strings.Contains(s, "dev-xicheng") {
		t.Fatalf("devices of 雨城区:\n%s", s)
	}
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`input[name="unit"]`), "511802003"),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), "河北街道民政办"),
		chromedp.Click(chromedp.ID("make-code")),
		chromedp.WaitVisible(chromedp.ID("code")))
	if err != nil {
		t.Fatalf("make an enrolment code: %v", err)
	}
	code := text(t, ctx, "#code")
	if len(code) != 19 || strings.Count(code, "-") != 3 {
		t.Errorf("enrolment code %q", code)
	}
	if s := text(t, ctx, "#expires"); !strings.HasPrefix(s, "20") {
		t.Errorf("expiry %q", s)
	}
	screenshot(t, ctx, shots, "console-devices")
}
