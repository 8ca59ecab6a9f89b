package console

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// parkedTown is 草坝镇, the township whose edit the lock refuses.
const parkedTown schema.Code = "511802101"

// parkByLock enrols a real township store with the server, syncs a
// facility's March report, edits March offline, has 雨城区 lock March,
// and syncs twice: the edit is refused and parked, and the second hello
// reports it unfixed.
func parkByLock(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	sync := httptest.NewServer(f.srv.Handler())
	t.Cleanup(sync.Close)
	st, err := agent.Open(filepath.Join(t.TempDir(), "caoba"), agent.Options{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	code, err := f.srv.NewEnrollCode(ctx, syncserver.CodeRequest{Unit: parkedTown, Name: "草坝镇", Role: store.RoleSite})
	if err != nil {
		t.Fatal(err)
	}
	if err := syncclient.Enroll(ctx, st, sync.URL, code, "草坝镇"); err != nil {
		t.Fatal(err)
	}
	client := syncclient.New(st, quietLog())
	village := schema.BuiltinDivisions().Descendants(parkedTown, schema.LevelVillage)[0]
	fac, err := st.Put(schema.KindFacility, "", village, schema.Facility{Name: "草坝镇日间照料中心", Kind: schema.FKDayCare,
		Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Status: schema.StatusOperating})
	if err != nil {
		t.Fatal(err)
	}
	report := func(beds int64) {
		if _, err := st.Put(schema.KindCapacity, "", village, schema.Capacity{Facility: fac.ID, Period: "2025-03", BedsTotal: beds}); err != nil {
			t.Fatal(err)
		}
	}
	report(10)
	if _, err := client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	report(14) // offline, while the county locks March
	if _, err := f.srv.Lock(ctx, syncserver.LockRequest{Unit: "511802", Period: "2025-03", Reason: "月度数据已审核", By: yuchengUser}); err != nil {
		t.Fatal(err)
	}
	if res, err := client.SyncOnce(ctx); err != nil || res.Parked != 1 {
		t.Fatalf("sync under the lock parked %d (%v), want 1", res.Parked, err)
	}
	if _, err := client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSyncPageInBrowserShowsParkedChange: the sync page shows 草坝镇's device with
// its refused change nobody fixed, its clock and its app version, and
// counts it in the summary; the CSV carries the same.
func TestSyncPageInBrowserShowsParkedChange(t *testing.T) {
	f := newFixture(t)
	parkByLock(t, f)
	ctx := newBrowser(t)
	base := f.http.URL
	signIn(t, ctx, base, yuchengUser, testPassword, "#sync-table")
	var row string
	err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#sync-table tr.ok`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(text(t, ctx, "#sync-table"), "\n") {
		if strings.Contains(line, "草坝镇") && strings.Contains(line, "511802101") && strings.Contains(line, "正常") {
			row = line
		}
	}
	for _, want := range []string{"1 条", "准确", schema.BuildVersion()} {
		if !strings.Contains(row, want) {
			t.Errorf("草坝镇's device row lacks %q: %q", want, row)
		}
	}
	if s := text(t, ctx, "#parked-count"); !strings.Contains(s, "1") {
		t.Errorf("summary: %q, want one device with a refused change", s)
	}
	screenshot(t, ctx, screenshotDir(t), "console-sync-health")
	c := signedIn(t, f, yuchengUser)
	if _, csv := c.get("/sync.csv?unit=511802"); !strings.Contains(csv, "被拒未处理") || !strings.Contains(csv, "草坝镇,511802101") ||
		!strings.Contains(csv, ",1 条,") {
		t.Errorf("sync CSV:\n%s", csv)
	}
}
