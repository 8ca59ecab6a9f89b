package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"laoxiao/schema"
	"laoxiao/syncserver/accesslog"
)

// addPerson registers a person in a 雨城区 village through the single
// writer and returns their record id and ID number.
func addPerson(t *testing.T, f *fixture) (id, idNumber string) {
	t.Helper()
	idNumber, err := schema.CompleteIDNumber("51180219570328011")
	if err != nil {
		t.Fatal(err)
	}
	fields, err := schema.EncodeFields(schema.Person{Name: "徐静怡", IDNumber: idNumber, BirthDate: "1957-03-28",
		Categories: []schema.PersonCategory{schema.CatAlone}})
	if err != nil {
		t.Fatal(err)
	}
	id = schema.NewID()
	ack, err := f.srv.Ingest().SubmitServer(context.Background(), []schema.Change{{Kind: schema.KindPerson, ID: id,
		Unit: "511802001001", Set: fields}})
	if err != nil || len(ack.Rejected) > 0 {
		t.Fatalf("add person: %v %+v", err, ack)
	}
	return id, idNumber
}

// accessEntries reads the access log entries of one person.
func accessEntries(t *testing.T, f *fixture, person string) []accesslog.Entry {
	t.Helper()
	list, err := f.srv.AccessLog().Read(accesslog.Query{Person: person})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestPersonPagesMaskedRevealLogged drives the 服务对象 pages in Chromium:
// the list and the page show the person masked; an account with the
// personal-data permission reveals them with a reason, and the reveal is
// on the 个人信息访问 page with its reason.
func TestPersonPagesMaskedRevealLogged(t *testing.T) {
	f := newFixture(t)
	id, idNumber := addPerson(t, f)
	if err := f.con.accts.SetPersonalData(yuchengUser, true); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	shots := screenshotDir(t)
	base := f.http.URL
	signIn(t, ctx, base, yuchengUser, testPassword, "nav")

	navigate(t, ctx, base+"/persons?unit=511802")
	list := text(t, ctx, "#persons-table")
	if !strings.Contains(list, "徐*怡") || strings.Contains(list, "徐静怡") || strings.Contains(list, idNumber) {
		t.Fatalf("persons list not masked: %q", list)
	}
	screenshot(t, ctx, shots, "console-persons")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#persons-table a`)), chromedp.WaitVisible(chromedp.ID("person-table"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#person-name"); got != "徐*怡" {
		t.Fatalf("person page name = %q, want masked", got)
	}
	submitForm(t, ctx, `form[action="/person/reveal"]`, map[string]string{"reason": "核实探访记录"},
		chromedp.WaitVisible(chromedp.ID("revealed")))
	if got := text(t, ctx, "#person-id-number"); got != idNumber {
		t.Fatalf("revealed ID number = %q, want %q", got, idNumber)
	}
	screenshot(t, ctx, shots, "console-person-revealed")

	log := accessEntries(t, f, id)
	if len(log) != 2 || log[0].Action != accesslog.ActionView || log[1].Action != accesslog.ActionReveal ||
		log[1].Account != yuchengUser || log[1].Reason != "核实探访记录" {
		t.Fatalf("access log = %+v, want the page view then the reveal", log)
	}
	navigate(t, ctx, base+"/audit/access?unit=511802")
	if s := text(t, ctx, "#access-table"); !strings.Contains(s, "显示完整信息") || !strings.Contains(s, "核实探访记录") {
		t.Fatalf("access page = %q, want the reveal and its reason", s)
	}
	screenshot(t, ctx, shots, "console-access-log")
}

// TestRevealRefused: without the permission a reveal is 403 and logged as
// refused; another county's account cannot open the person at all; a
// download is masked and logged as an export.
func TestRevealRefused(t *testing.T) {
	f := newFixture(t)
	id, idNumber := addPerson(t, f)
	c := signedIn(t, f, lockUser) // 雨城区, no personal-data permission
	st, body := c.get("/person?id=" + id)
	if st != http.StatusOK || strings.Contains(body, `action="/person/reveal"`) || strings.Contains(body, idNumber) {
		t.Fatalf("person page without the permission: %d, reveal form or ID number shown", st)
	}
	csrf := csrfField.FindStringSubmatch(body)
	if csrf == nil {
		t.Fatal("person page has no CSRF token (sign-out form)")
	}
	if st, _ := c.post("/person/reveal", url.Values{"csrf": {csrf[1]}, "id": {id}, "reason": {"想看看"}}); st != http.StatusForbidden {
		t.Fatalf("reveal without the permission: %d, want 403", st)
	}
	log := accessEntries(t, f, id)
	if len(log) != 2 || log[1].Action != accesslog.ActionRefused || log[1].Account != lockUser || log[1].Reason != "想看看" {
		t.Fatalf("access log = %+v, want the view then the refused reveal", log)
	}

	other := signedIn(t, f, mingshanUser)
	if st, _ := other.get("/person?id=" + id); st != http.StatusForbidden {
		t.Fatalf("名山区 account opening a 雨城区 person: %d, want 403", st)
	}
	if n := len(accessEntries(t, f, id)); n != 2 {
		t.Fatalf("an out-of-scope attempt was logged as a view (%d entries)", n)
	}

	st, csvBody := c.get("/persons.csv?unit=511802")
	if st != http.StatusOK || !strings.Contains(csvBody, "徐*怡") || strings.Contains(csvBody, idNumber) {
		t.Fatalf("CSV download: %d %q, want masked", st, csvBody)
	}
	exports, err := f.srv.AccessLog().Read(accesslog.Query{Unit: "511802"})
	if err != nil || exports[len(exports)-1].Action != accesslog.ActionExport || exports[len(exports)-1].Count != 1 {
		t.Fatalf("export not logged: %+v %v", exports, err)
	}
}
