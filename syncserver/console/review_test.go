package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"laoxiao/schema"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// reviewPeriod is the month the review tests lock: past, so the server's
// writer accepts a lock on it, and fixed, so the figures are known.
const reviewPeriod = "2025-12"

// uploadCapacity sends 东城街道's November and December reports for the
// fixture's facility, its beds doubled in December, so the review shows
// both months and flags the change (the writer itself refuses occupied
// beds above beds, so that flag cannot be made through it).
func uploadCapacity(t *testing.T, f *fixture) {
	t.Helper()
	var changes []schema.Change
	for i, c := range []schema.Capacity{
		{Facility: "fac-xss", Period: "2025-11", BedsTotal: 20, BedsOccupied: 15},
		{Facility: "fac-xss", Period: reviewPeriod, BedsTotal: 40, BedsOccupied: 18},
	} {
		fields, err := schema.EncodeFields(c)
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, schema.Change{Kind: schema.KindCapacity, ID: "cap:fac-xss:" + c.Period, Unit: "511802001", Set: fields,
			Stamp: schema.MakeStamp(time.Now().UnixMilli(), 0), Device: "dev-dongcheng", Seq: uint64(2 + i)})
	}
	ack, err := f.srv.Ingest().Submit(context.Background(), ingest.Account{Device: "dev-dongcheng", Scope: "511802001", Role: store.RoleSite},
		&schema.Upload{Batch: 2, First: 2, Changes: changes})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Status != schema.AckApplied || len(ack.Rejected) > 0 {
		t.Fatalf("capacity reports not applied: %+v", ack)
	}
}

// activeLocks counts the locks in force within or above unit.
func activeLocks(t *testing.T, f *fixture, unit schema.Code) int {
	t.Helper()
	list, err := f.srv.Locks(context.Background(), unit)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range list {
		if l.Active {
			n++
		}
	}
	return n
}

// checkReview opens 审核 for 雨城区's December, reads the flags, locks the
// month with a reason, sees the lock in force, unlocks it, and tries to
// lock 名山区 by editing the form's unit (403, nothing locked).
func checkReview(t *testing.T, ctx context.Context, f *fixture, base, shots string) {
	uploadCapacity(t, f)
	navigate(t, ctx, base+"/review?unit=511802&period="+reviewPeriod)
	s := text(t, ctx, "#review-table")
	for _, want := range []string{"东城街道", "床位总数由20变为40", "从未同步", "40 (20)", "18 (15)"} {
		if !strings.Contains(s, want) {
			t.Errorf("review table lacks %q:\n%s", want, s)
		}
	}
	if s := text(t, ctx, "#locks-table"); !strings.Contains(s, "没有生效中的锁定") {
		t.Errorf("locks before locking:\n%s", s)
	}
	// The unlock form replaces the lock form once the month is locked.
	submitForm(t, ctx, "#lock-form", map[string]string{"reason": "月度数据已审核"}, chromedp.WaitVisible(chromedp.ID("unlock")))
	locks := text(t, ctx, "#locks-table")
	for _, want := range []string{"雨城区", reviewPeriod, "月度数据已审核", yuchengUser} {
		if !strings.Contains(locks, want) {
			t.Errorf("locks in force lack %q:\n%s", want, locks)
		}
	}
	if s := text(t, ctx, "#review-table"); !strings.Contains(s, "已锁定") {
		t.Errorf("review table shows no lock:\n%s", s)
	}
	screenshot(t, ctx, shots, "console-review")
	submitForm(t, ctx, "#unlock-form", map[string]string{"reason": "东城街道更正床位数"}, chromedp.WaitVisible(chromedp.ID("lock")))
	if s := text(t, ctx, "#locks-table"); !strings.Contains(s, "没有生效中的锁定") {
		t.Errorf("locks after unlocking:\n%s", s)
	}
	if n := activeLocks(t, f, "511802"); n != 0 {
		t.Errorf("%d locks in force after the unlock", n)
	}
	// The same form with 名山区 typed into its hidden unit field.
	submitForm(t, ctx, "#lock-form", map[string]string{"unit": "511803", "reason": "越权锁定"}, chromedp.WaitNotPresent(chromedp.ID("lock-form")))
	if s := text(t, ctx, "main"); !strings.Contains(s, "无权") {
		t.Errorf("another county's lock form answered %q", s)
	}
	if n := activeLocks(t, f, "511803"); n != 0 {
		t.Errorf("名山区 locked from a 雨城区 account (%d locks)", n)
	}
}

// submitForm sets the fields of the form sel (hidden ones too: a user
// can edit those as easily), submits it with its button, and waits for
// wait on the page that answers.
func submitForm(t *testing.T, ctx context.Context, sel string, fields map[string]string, wait chromedp.Action[chromedp.Void]) {
	t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for name, value := range fields {
		acts = append(acts, chromedp.SetValue(chromedp.CSS(sel+` input[name="`+name+`"]`), value))
	}
	acts = append(acts, chromedp.Click(chromedp.CSS(sel+` button[type="submit"]`)), wait)
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatalf("submit %s with %v: %v", sel, fields, err)
	}
}

// TestReviewForms: the lock and unlock forms without a CSRF token, for
// another county, without a reason, twice, or for a future month are
// refused and lock nothing; with all of it right they lock and unlock.
func TestReviewForms(t *testing.T) {
	f := newFixture(t)
	c := signedIn(t, f, yuchengUser)
	form := func(unit, period, reason, csrf string) url.Values {
		v := url.Values{"unit": {unit}, "period": {period}, "reason": {reason}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		return v
	}
	for _, csrf := range []string{"", "forged"} {
		if st, _ := c.post("/review/lock", form("511802", reviewPeriod, "审核", csrf)); st != http.StatusForbidden {
			t.Errorf("lock with csrf=%q: %d, want 403", csrf, st)
		}
	}
	if n := activeLocks(t, f, "511802"); n != 0 {
		t.Fatalf("a form without a token locked %d periods", n)
	}
	tok := c.token("/review?unit=511802&period=" + reviewPeriod)
	for _, tc := range []struct {
		path, unit, period, reason string
		want                       int
	}{
		{"/review/lock", "511803", reviewPeriod, "越权", http.StatusForbidden},
		{"/review/unlock", "511803", reviewPeriod, "越权", http.StatusForbidden},
		{"/review/lock", "511802", reviewPeriod, "", http.StatusBadRequest},
		{"/review/lock", "511802", "2025-13", "审核", http.StatusBadRequest},
		{"/review/lock", "511802", "2999-01", "审核", http.StatusBadRequest},
		{"/review/unlock", "511802", reviewPeriod, "没有锁定", http.StatusConflict},
		{"/review/lock", "511802", reviewPeriod, "月度数据已审核", http.StatusOK},
		{"/review/lock", "511802", reviewPeriod, "再次锁定", http.StatusConflict},
		{"/review/unlock", "511802", reviewPeriod, "更正", http.StatusOK},
	} {
		if st, _ := c.post(tc.path, form(tc.unit, tc.period, tc.reason, tok)); st != tc.want {
			t.Errorf("%s %s %s reason %q: %d, want %d", tc.path, tc.unit, tc.period, tc.reason, st, tc.want)
		}
	}
	if n := activeLocks(t, f, "5118"); n != 0 {
		t.Errorf("%d locks in force at the end", n)
	}
	list, err := f.srv.Locks(t.Context(), "511802")
	if err != nil || len(list) != 1 || list[0].By != yuchengUser || list[0].Unlock == nil || list[0].Unlock.By != yuchengUser {
		t.Errorf("locks written: %+v, %v; want one by %s, unlocked by %s", list, err, yuchengUser, yuchengUser)
	}
	for _, p := range []string{"/review?unit=511803&period=" + reviewPeriod, "/review?unit=5118", "/review?unit=511802&period=12-2025"} {
		want := http.StatusForbidden
		if strings.Contains(p, "12-2025") {
			want = http.StatusBadRequest
		}
		if st, _ := c.get(p); st != want {
			t.Errorf("%s: %d, want %d", p, st, want)
		}
	}
}
