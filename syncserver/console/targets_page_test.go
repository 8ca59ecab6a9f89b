package console

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"laoxiao/schema"
)

// sheetHeader is the target template's header line.
const sheetHeader = "\ufeff单位代码(unit),单位名称(unit name),指标(indicator),基期年份(baseline year),基期值(baseline value),目标年份(target year),目标值(target value)\n"

// badSheet has a good row, a row whose target year is not a year (line
// 3, column F), and a good row.
const badSheet = sheetHeader +
	"511802,雨城区,beds_total,2020,800,2025,1200\n" +
	"511802001,东城街道,beds_total,,,二〇二五,90\n" +
	"511802002,西城街道,beds_total,,,2025,80\n"

const goodSheet = sheetHeader +
	"511802,雨城区,beds_total,2020,800,2025,1200\n" +
	"511802001,东城街道,beds_total,,,2025,90\n"

// storedTargets reads the targets in the store, by id.
func storedTargets(t *testing.T, f *fixture) map[string]schema.Target {
	t.Helper()
	out := map[string]schema.Target{}
	err := f.srv.Store().ScanKind(context.Background(), schema.KindTarget, func(r *schema.Record) error {
		if r.IsDeleted() {
			return nil
		}
		var tg schema.Target
		if err := r.Decode(&tg); err != nil {
			return err
		}
		out[r.ID] = tg
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTargetsInBrowser uploads a sheet with a bad row and reads its row
// and column in the page (nothing written), uploads a good one, and
// previews then saves a split of 雨城区's target over its townships.
func TestTargetsInBrowser(t *testing.T) {
	f := newFixture(t)
	ctx := newBrowser(t)
	base := f.http.URL
	shots := screenshotDir(t)
	signIn(t, ctx, base, yuchengUser, testPassword, "#sync-table")
	dir := t.TempDir()
	upload := func(name, content, wait string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		navigate(t, ctx, base+"/targets")
		err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("sheet"), []string{p}),
			chromedp.Click(chromedp.ID("upload")), chromedp.WaitVisible(chromedp.CSS(wait)))
		if err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
	}

	upload("bad.csv", badSheet, "#problems-table")
	s := text(t, ctx, "#sheet-problems")
	for _, want := range []string{"未导入任何数据", "第 3 行", "F 列", "目标年份", "二〇二五"} {
		if !strings.Contains(s, want) {
			t.Errorf("problems of the bad sheet lack %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "第 2 行") || strings.Contains(s, "第 4 行") {
		t.Errorf("a good row is listed as a problem:\n%s", s)
	}
	if n := len(storedTargets(t, f)); n != 0 {
		t.Fatalf("a sheet with bad rows wrote %d targets", n)
	}
	screenshot(t, ctx, shots, "console-targets-error")

	upload("good.csv", goodSheet, "#imported")
	if s := text(t, ctx, "#imported"); !strings.Contains(s, "2 条目标") {
		t.Errorf("after the good sheet: %q", s)
	}
	if got := storedTargets(t, f)[schema.TargetID("511802001", "beds_total", 2025)]; got.Value != 90 {
		t.Errorf("东城街道's target %+v, want 90", got)
	}
	if s := text(t, ctx, "#targets-table"); !strings.Contains(s, "东城街道") || !strings.Contains(s, "90张") || !strings.Contains(s, "800(2020年)") {
		t.Errorf("targets listed after the import:\n%s", s)
	}

	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("split-indicator"), "beds_total"),
		chromedp.SetValue(chromedp.CSS(`#split-form input[name="value"]`), "1200"),
		chromedp.SetValue(chromedp.CSS(`#split-form select[name="weight"]`), "equal"),
		chromedp.Click(chromedp.ID("preview")), chromedp.WaitVisible(chromedp.ID("save-split")))
	if err != nil {
		t.Fatalf("preview a split: %v", err)
	}
	preview := text(t, ctx, "#split-preview")
	if !strings.Contains(preview, "预览(尚未保存)") || !strings.Contains(preview, "东城街道") {
		t.Errorf("split preview:\n%s", preview)
	}
	if got := storedTargets(t, f)[schema.TargetID("511802001", "beds_total", 2025)]; got.Value != 90 {
		t.Errorf("the preview wrote 东城街道's target: %+v", got)
	}
	screenshot(t, ctx, shots, "console-targets")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("save-split")), chromedp.WaitVisible(chromedp.ID("split-saved"))); err != nil {
		t.Fatalf("save the split: %v", err)
	}
	towns := f.srv.Divisions().Children("511802")
	var sum float64
	got := storedTargets(t, f)
	for _, c := range towns {
		sum += got[schema.TargetID(c, "beds_total", 2025)].Value
	}
	if sum != 1200 {
		t.Errorf("the saved split gives %d townships %v beds in all, want 1200", len(towns), sum)
	}
}

// postSheet uploads a sheet as a browser's form would, with the session's
// token, and returns the status and the page.
func (c *client) postSheet(unit string, sheet []byte) (int, string) {
	c.t.Helper()
	return c.postSheetWith(c.token("/targets"), unit, sheet)
}

// postSheetWith uploads a sheet with the CSRF token tok ("" for none).
func (c *client) postSheetWith(tok, unit string, sheet []byte) (int, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if tok != "" {
		mw.WriteField("csrf", tok)
	}
	mw.WriteField("unit", unit)
	fw, err := mw.CreateFormFile("sheet", "targets.csv")
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(sheet)
	mw.Close()
	resp, err := c.hc.Post(c.base+"/targets/import", mw.FormDataContentType(), &body)
	if err != nil {
		c.t.Fatalf("upload %d bytes: %v", len(sheet), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTargetsRefused: a 10 MiB upload is 413 with a Chinese page and the
// console works afterwards; an upload without the CSRF token is 403; another county's unit is 403 by URL and by
// form; a split of a whole target or with bad fields says why in Chinese.
func TestTargetsRefused(t *testing.T) {
	f := newFixture(t)
	c := signedIn(t, f, yuchengUser)
	big := append([]byte(goodSheet), bytes.Repeat([]byte("511802,雨城区,beds_total,,,2025,1\n"), 10<<20/36)...)
	st, page := c.postSheet("511802", big)
	if st != http.StatusRequestEntityTooLarge || !strings.Contains(page, "文件太大") {
		t.Errorf("10 MiB upload: %d %.300s", st, page)
	}
	for _, tok := range []string{"", "forged"} {
		if st, _ := c.postSheetWith(tok, "511802", []byte(goodSheet)); st != http.StatusForbidden {
			t.Errorf("upload with csrf=%q: %d, want 403", tok, st)
		}
	}
	if n := len(storedTargets(t, f)); n != 0 {
		t.Errorf("the refused uploads wrote %d targets", n)
	}
	if st, page := c.postSheet("511802", []byte(goodSheet)); st != http.StatusOK || !strings.Contains(page, "已导入") {
		t.Errorf("upload after the big one: %d %.300s", st, page)
	}
	outside := goodSheet + "511803,名山区,beds_total,,,2025,500\n"
	if st, page := c.postSheet("511802", []byte(outside)); st != http.StatusBadRequest ||
		!strings.Contains(page, "第 4 行") || !strings.Contains(page, "不在本账号管辖范围") {
		t.Errorf("a sheet with a 名山区 row: %d %.600s", st, page)
	}
	if st, _ := c.postSheet("511803", []byte(goodSheet)); st != http.StatusForbidden {
		t.Errorf("upload for 名山区: %d, want 403", st)
	}
	for _, p := range []string{"/targets?unit=511803", "/targets/template?unit=511803&format=csv"} {
		if st, _ := c.get(p); st != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", p, st)
		}
	}
	st, tpl := c.get("/targets/template?unit=511802&format=csv")
	if st != http.StatusOK || !strings.Contains(tpl, "511802001") || strings.Contains(tpl, "511803") {
		t.Errorf("雨城区's CSV template: %d %.300s", st, tpl)
	}
	tok := c.token("/targets")
	for _, tc := range []struct {
		form map[string]string
		want int
		says string
	}{
		{map[string]string{"unit": "511803", "indicator": "beds_total", "year": "2025", "value": "10", "weight": "equal"}, http.StatusForbidden, "无权"},
		{map[string]string{"unit": "511802", "indicator": "", "year": "20x5", "value": "很多", "weight": "equal"}, http.StatusBadRequest, "目标值应为数字"},
		{map[string]string{"unit": "511802", "indicator": "beds_total", "year": "2025", "value": "10", "weight": "equal", "scope": "whole"}, http.StatusBadRequest, "不分解到下级单位"},
		{map[string]string{"unit": "511802", "indicator": "beds_total", "year": "2025", "value": "10", "weight": "pop60"}, http.StatusBadRequest, "缺少60岁以上人口"},
		{map[string]string{"unit": "511802", "indicator": "beds_total", "year": "2025", "value": "2", "weight": "equal", "scope": "each"}, http.StatusOK, "每个下级单位均须达到该目标"},
	} {
		form := map[string][]string{"csrf": {tok}, "action": {"preview"}}
		for k, v := range tc.form {
			form[k] = []string{v}
		}
		resp, err := c.hc.PostForm(c.base+"/targets/split", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.says) {
			t.Errorf("split %v: %d, want %d saying %q", tc.form, resp.StatusCode, tc.want, tc.says)
		}
	}
}
