package console

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"laoxiao/schema"
)

// TestLineageInBrowser follows 雨城区's 养老床位总数 in the 任务分解表 down
// to 东城街道 and to the facility counted there, with the capacity report
// its beds came from and the device that sent both, then opens the
// facility's audit trail.
func TestLineageInBrowser(t *testing.T) {
	f := newFixture(t)
	uploadCapacity(t, f)
	if _, err := f.srv.ImportTargets(t.Context(), []byte(goodSheet)); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	base := f.http.URL
	shots := screenshotDir(t)
	signIn(t, ctx, base, yuchengUser, testPassword, "#sync-table")

	navigate(t, ctx, base+"/breakdown?unit=511802&year=2025")
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#report a[href*="indicator=beds_total"][href*="unit=511802&"]`)),
		chromedp.WaitVisible(chromedp.ID("towns-table")))
	if err != nil {
		t.Fatalf("follow 雨城区's beds figure: %v", err)
	}
	if s := text(t, ctx, "#figure"); !strings.Contains(s, "40") {
		t.Errorf("雨城区's figure: %q, want 40 beds", s)
	}
	towns := text(t, ctx, "#towns-table")
	if !strings.Contains(towns, "东城街道") || !strings.Contains(towns, "40") || strings.Contains(towns, "百丈镇") {
		t.Errorf("townships of 雨城区's figure:\n%s", towns)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#towns-table a[href*="unit=511802001&"]`)),
		chromedp.WaitVisible(chromedp.ID("records-0")))
	if err != nil {
		t.Fatalf("follow 东城街道: %v", err)
	}
	recs := text(t, ctx, "#records-0")
	for _, want := range []string{"fac-xss", xssName, "2025-12 月报", "cap:fac-xss:2025-12", "东城街道<script>", "40"} {
		if !strings.Contains(recs, want) {
			t.Errorf("records counted in 东城街道 lack %q:\n%s", want, recs)
		}
	}
	kind, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.pwned`))
	if err != nil || kind != "undefined" {
		t.Errorf("a script from a name ran on the lineage page (%s, %v)", kind, err)
	}
	screenshot(t, ctx, shots, "console-lineage")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#records-0 a[href*="id=fac-xss"]`)), chromedp.WaitVisible(chromedp.ID("audit-table")))
	if err != nil {
		t.Fatalf("open the facility's audit trail: %v", err)
	}
	if s := text(t, ctx, "#audit-table"); !strings.Contains(s, "fac-xss") || strings.Contains(s, "cap:fac-xss") {
		t.Errorf("audit trail of fac-xss:\n%s", s)
	}
}

// TestLineageScope: another county's lineage is 403, a village or an
// indicator not computed from records is 400.
func TestLineageScope(t *testing.T) {
	f := newFixture(t)
	c := signedIn(t, f, yuchengUser)
	for p, want := range map[string]int{
		"/breakdown/lineage?unit=511803&indicator=beds_total&year=2025":       http.StatusForbidden,
		"/breakdown/lineage?unit=511803101&indicator=beds_total&year=2025":    http.StatusForbidden,
		"/breakdown/lineage?unit=511802001001&indicator=beds_total&year=2025": http.StatusBadRequest,
		"/breakdown/lineage?unit=511802&indicator=no_such&year=2025":          http.StatusBadRequest,
		"/breakdown/lineage?unit=511802001&indicator=beds_total&year=2025":    http.StatusOK,
	} {
		if st, _ := c.get(p); st != want {
			t.Errorf("%s: %d, want %d", p, st, want)
		}
	}
}

// TestLineageListsPersonsMasked: a township's visit rate lists the person
// counted as a link to the masked person page, never their name or ID
// number, and the visit that made them count with who sent it.
func TestLineageListsPersonsMasked(t *testing.T) {
	f := newFixture(t)
	person, idNumber := addPerson(t, f)
	set, err := schema.EncodeFields(schema.Visit{Person: person, Date: "2025-12-10", Visitor: "王敏", Kind: schema.VisitMonthly})
	if err != nil {
		t.Fatal(err)
	}
	visit := schema.NewID()
	if ack, err := f.srv.Ingest().SubmitServer(t.Context(), []schema.Change{{Kind: schema.KindVisit, ID: visit, Unit: "511802001001", Set: set}}); err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("add visit: %v %+v", err, ack)
	}
	c := signedIn(t, f, yuchengUser)
	st, page := c.get("/breakdown/lineage?unit=511802001&indicator=visit_rate_special&year=2025&period=2025-12")
	if st != http.StatusOK {
		t.Fatalf("lineage: %d", st)
	}
	for _, want := range []string{`/person?id=` + person, visit, "查看服务对象(脱敏)"} {
		if !strings.Contains(page, want) {
			t.Errorf("lineage of the visit rate lacks %q", want)
		}
	}
	for _, leak := range []string{"徐静怡", idNumber} {
		if strings.Contains(page, leak) {
			t.Errorf("lineage shows %q", leak)
		}
	}
	if n := strings.Count(page, `/person?id=`+person); n != 2 {
		t.Errorf("the person is linked %d times, want once per measure (counted and visited)", n)
	}
}
