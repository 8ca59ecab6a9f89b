package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// uploadTwins has 东城街道's device register 张桂英 twice with one ID
// number, as two laptops would, and visit the second record.
func uploadTwins(t *testing.T, f *fixture) (first, second string) {
	t.Helper()
	id, err := schema.CompleteIDNumber("51180219450302002")
	if err != nil {
		t.Fatal(err)
	}
	var changes []schema.Change
	add := func(kind schema.Kind, rid string, v any) {
		fields, err := schema.EncodeFields(v)
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, schema.Change{Kind: kind, ID: rid, Unit: "511802001", Set: fields,
			Stamp: schema.MakeStamp(time.Now().UnixMilli(), uint16(len(changes))), Device: "dev-dongcheng", Seq: uint64(2 + len(changes))})
	}
	elder := schema.Person{Name: "张桂英", IDNumber: id, Categories: []schema.PersonCategory{schema.CatTekun}}
	add(schema.KindPerson, "person-a", elder)
	elder.Note = "女儿电话 13800000000"
	add(schema.KindPerson, "person-b", elder)
	add(schema.KindVisit, "visit-b", schema.Visit{Person: "person-b", Date: schema.Today(time.Now()), Kind: schema.VisitMonthly})
	ack, err := f.srv.Ingest().Submit(context.Background(), ingest.Account{Device: "dev-dongcheng", Scope: "511802001", Role: store.RoleSite},
		&schema.Upload{Batch: 2, First: 2, Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Status != schema.AckApplied || len(ack.Rejected) > 0 {
		t.Fatalf("persons not applied: %+v", ack)
	}
	return "person-a", "person-b"
}

// mergedInto reads a person's merge pointer on the server.
func mergedInto(t *testing.T, f *fixture, id string) string {
	t.Helper()
	r, err := f.srv.Store().Record(context.Background(), schema.KindPerson, id)
	if err != nil {
		t.Fatal(err)
	}
	return schema.MergedInto(r)
}

// TestDuplicatesInBrowser: from 审核 an office opens 疑似重复记录, sees the
// pair with masked names and numbers, keeps the second record (the one
// visited) and merges; the page then lists the merge, and 撤销合并 undoes
// it.
func TestDuplicatesInBrowser(t *testing.T) {
	f := newFixture(t)
	a, b := uploadTwins(t, f)
	ctx := newBrowser(t)
	base := f.http.URL
	shots := screenshotDir(t)
	signIn(t, ctx, base, yuchengUser, testPassword, "#sync-table")
	navigate(t, ctx, base+"/review?unit=511802")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("duplicates-link")), chromedp.WaitVisible(chromedp.ID("groups"))); err != nil {
		t.Fatal(err)
	}
	s := text(t, ctx, "#groups")
	for _, want := range []string{"身份证号相同", "张*英", "5118**********", a, b, "东城街道"} {
		if !strings.Contains(s, want) {
			t.Errorf("duplicates page lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "张桂英") || strings.Contains(s, "19450302") {
		t.Errorf("duplicates page shows personal data unmasked:\n%s", s)
	}
	screenshot(t, ctx, shots, "console-duplicates")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#group-0 input[type="radio"][value="`+b+`"]`))); err != nil {
		t.Fatal(err)
	}
	submitForm(t, ctx, "#group-0", map[string]string{"reason": "同一身份证号重复登记"}, chromedp.WaitVisible(chromedp.ID("done")))
	if got := mergedInto(t, f, a); got != b {
		t.Fatalf("%s merged into %q, want the survivor picked, %s", a, got, b)
	}
	merged := text(t, ctx, "#merged-table")
	for _, want := range []string{"张*英", b, yuchengUser, "同一身份证号重复登记"} {
		if !strings.Contains(merged, want) {
			t.Errorf("merged table lacks %q:\n%s", want, merged)
		}
	}
	if s := text(t, ctx, "main"); !strings.Contains(s, "未发现疑似重复记录") {
		t.Errorf("the merged pair is still listed as a candidate:\n%s", s)
	}
	screenshot(t, ctx, shots, "console-duplicates-merged")
	// The person pages say so too.
	navigate(t, ctx, base+"/persons?unit=511802001")
	if s := text(t, ctx, "#persons-table"); !strings.Contains(s, "已合并") {
		t.Errorf("persons list does not mark the merged record:\n%s", s)
	}
	navigate(t, ctx, base+"/person?id="+a)
	if s := text(t, ctx, "#person-merged"); !strings.Contains(s, "已合并到 "+b) {
		t.Errorf("the merged person's page says %q", s)
	}
	navigate(t, ctx, base+"/review/duplicates?unit=511802")
	submitForm(t, ctx, "form.unmerge", map[string]string{"reason": "核实为两人"}, chromedp.WaitNotPresent(chromedp.CSS("form.unmerge")))
	if got := mergedInto(t, f, a); got != "" {
		t.Errorf("after 撤销合并 %s is still merged into %q", a, got)
	}
	if s := text(t, ctx, "#groups"); !strings.Contains(s, a) {
		t.Errorf("after 撤销合并 the pair is not a candidate again:\n%s", s)
	}
}

// TestDuplicatesForms: the merge and unmerge forms without a CSRF token,
// for another county, or naming records outside the account's unit merge
// nothing; the right form merges once and a second try is a conflict.
func TestDuplicatesForms(t *testing.T) {
	f := newFixture(t)
	a, b := uploadTwins(t, f)
	c := signedIn(t, f, yuchengUser)
	form := func(unit, csrf string, members ...string) url.Values {
		v := url.Values{"unit": {unit}, "survivor": {members[0]}, "member": members, "reason": {"重复"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		return v
	}
	for _, csrf := range []string{"", "forged"} {
		if st, _ := c.post("/review/merge", form("511802", csrf, a, b)); st != http.StatusForbidden {
			t.Errorf("merge with csrf=%q: %d, want 403", csrf, st)
		}
	}
	tok := c.token("/review/duplicates?unit=511802")
	for _, tc := range []struct {
		name    string
		unit    string
		members []string
		want    int
	}{
		{"another county", "511803", []string{a, b}, http.StatusForbidden},
		{"a record of another county", "511802", []string{a, "fac-ms"}, http.StatusNotFound},
		{"a person into a facility", "511802", []string{"fac-xss", a}, http.StatusBadRequest},
		{"a survivor not in the group", "511802", []string{a}, http.StatusBadRequest},
	} {
		if st, _ := c.post("/review/merge", form(tc.unit, tok, tc.members...)); st != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, st, tc.want)
		}
	}
	if got := mergedInto(t, f, b); got != "" {
		t.Fatalf("a refused form merged %s into %s", b, got)
	}
	if st, _ := c.post("/review/merge", form("511802", tok, a, b)); st != http.StatusOK {
		t.Fatalf("merge: %d, want 200", st)
	}
	if got := mergedInto(t, f, b); got != a {
		t.Fatalf("%s merged into %q, want %s", b, got, a)
	}
	// The survivor's page lists the visit made to the duplicate.
	_, visits, err := f.srv.ViewPerson(context.Background(), yuchengUser, "511802", a)
	if err != nil || len(visits) != 1 || visits[0].ID != "visit-b" {
		t.Errorf("survivor's visits %+v (%v), want the duplicate's visit-b", visits, err)
	}
	if st, _ := c.post("/review/merge", form("511802", tok, a, b)); st != http.StatusConflict {
		t.Errorf("merging again: %d, want 409", st)
	}
	if st, _ := c.post("/review/unmerge", url.Values{"csrf": {tok}, "unit": {"511803"}, "duplicate": {b}}); st != http.StatusForbidden {
		t.Errorf("unmerge for another county: %d, want 403", st)
	}
	if st, _ := c.post("/review/unmerge", url.Values{"csrf": {tok}, "unit": {"511802"}, "duplicate": {b}}); st != http.StatusOK {
		t.Errorf("unmerge: %d, want 200", st)
	}
	if _, err := f.srv.Unmerge(context.Background(), syncserver.UnmergeRequest{Unit: "511802", Duplicate: b}); !errors.Is(err, syncserver.ErrNotMerged) {
		t.Errorf("unmerging twice: %v, want ErrNotMerged", err)
	}
}
