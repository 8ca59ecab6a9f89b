package desktop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"laoxiao/agent"
	laotheme "laoxiao/desktop/theme"
	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/synth"
)

const caoba schema.Code = "511802101" // 雨城区草坝镇

var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

// harness runs the app on Fyne's test driver. Background work posts its
// UI updates to a queue that the test goroutine drains, so every widget
// is touched from one goroutine, as in the real app.
type harness struct {
	t     *testing.T
	u     *UI
	dir   string
	mu    sync.Mutex
	queue []func()
}

func newHarness(t *testing.T, dir string) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(laotheme.New())
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1280, 800))
	h := &harness{t: t, dir: dir}
	h.u = newUI(a, w, h.post, Options{DataDir: dir, Logger: quiet})
	t.Cleanup(func() {
		h.u.shutdown()
	})
	h.u.begin()
	h.drain()
	return h
}

func (h *harness) post(f func()) {
	h.mu.Lock()
	h.queue = append(h.queue, f)
	h.mu.Unlock()
}

// drain runs queued UI updates until no background job is left.
func (h *harness) drain() {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if !h.u.jobs.waitIdle(time.Until(deadline)) {
			h.t.Fatal("background work did not finish")
		}
		h.mu.Lock()
		q := h.queue
		h.queue = nil
		h.mu.Unlock()
		if len(q) == 0 {
			if !h.u.jobs.busy() {
				return
			}
			continue
		}
		for _, f := range q {
			f()
		}
	}
}

// until drains until cond holds, for state that comes from the sync
// client's own goroutine.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// demoDir makes a data folder with the demo township and closes it.
func demoDir(t *testing.T, extras bool) string {
	t.Helper()
	dir := t.TempDir()
	st, err := agent.Open(dir, agent.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	cfg := synth.RealisticTownship()
	cfg.Extras = extras
	if _, err := synth.FillTownship(st, cfg); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func count(t *testing.T, st *agent.Store, k schema.Kind) int {
	t.Helper()
	n, err := st.Count(k, "")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustGet reads a record the test expects in the store, decoded.
func mustGet[T any](t *testing.T, st *agent.Store, kind schema.Kind, id string) T {
	t.Helper()
	var v T
	rec, err := st.Get(kind, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFirstRunOfflineThenFacility(t *testing.T) {
	h := newHarness(t, t.TempDir())
	u := h.u
	if u.setup == nil || u.main {
		t.Fatal("a new data folder did not ask for the township")
	}
	// Offline without a township: refused with a message.
	test.Tap(u.setup.offline)
	h.drain()
	if u.main || !strings.Contains(u.setup.note.Text, "请先选择") {
		t.Fatalf("no township chosen: main %v, note %q", u.main, u.setup.note.Text)
	}
	u.setup.county.SetSelected("雨城区")
	u.setup.town.SetSelected("草坝镇")
	test.Tap(u.setup.offline)
	h.drain()
	if !u.main {
		t.Fatal("main screen not shown after choosing the township")
	}
	if sc, _ := u.st.Scope(); sc != caoba {
		t.Fatalf("scope = %q, want %s", sc, caoba)
	}
	if p, _ := loadPrefs(h.dir); p.Township != caoba {
		t.Errorf("township not remembered: %+v", p)
	}

	// Invalid: nothing but a future opening date.
	f := u.fac
	test.Type(f.opened, "2999-01-01")
	test.Tap(f.saveBtn)
	h.drain()
	for field, want := range map[string]string{"name": "机构名称不能为空", "kind": "机构类型不能为空",
		"ownership": "举办性质不能为空", "opened": "晚于今天"} {
		if got := f.form.problemText(field); !strings.Contains(got, want) {
			t.Errorf("problem beside %s = %q, want it to say %q", field, got, want)
		}
	}
	if n := count(t, u.st, schema.KindFacility); n != 0 {
		t.Fatalf("%d facilities saved despite problems", n)
	}

	// Valid: saved, durable, listed, and the problems are gone.
	f.opened.SetText("2019-06-01")
	test.Type(f.name, "草坝镇敬老院")
	f.kind.SetSelected("特困供养机构(敬老院)")
	f.ownership.SetSelected("公办")
	f.unit.SetSelected("林口村委会")
	test.Tap(f.inclusive)
	test.Tap(f.medical)
	f.address.SetText("福寿街12号")
	f.address.OnSubmitted(f.address.Text) // Enter saves
	h.drain()
	if got := f.form.problemText("name"); got != "" {
		t.Errorf("problem left after a good save: %q", got)
	}
	if !strings.Contains(u.saved.Text, "已保存到本机") {
		t.Errorf("status = %q, want 已保存到本机", u.saved.Text)
	}
	var got []township.Facility
	if got, _ = township.LoadFacilities(u.st, caoba); len(got) != 1 {
		t.Fatalf("%d facilities in the store, want 1", len(got))
	}
	want := schema.Facility{Name: "草坝镇敬老院", Kind: schema.FKTekunHome, Ownership: schema.OwnPublic, Inclusive: true,
		Medical: true, Opened: "2019-06-01", Status: schema.StatusOperating, Address: "福寿街12号"}
	if got[0].Facility != want || got[0].Unit != "511802101200" {
		t.Errorf("stored %+v at %s, want %+v at 511802101200", got[0].Facility, got[0].Unit, want)
	}
	if len(f.shown) != 1 || f.editing != got[0].ID {
		t.Errorf("list shows %d, editing %q", len(f.shown), f.editing)
	}
	// Editing: the unit is fixed; a rename is saved as an edit.
	if !f.unit.Disabled() {
		t.Error("the unit of a saved facility can still be changed")
	}
	f.name.SetText("草坝镇中心敬老院")
	u.saveCurrent() // Ctrl+S
	h.drain()
	if got, _ = township.LoadFacilities(u.st, caoba); len(got) != 1 || got[0].Name != "草坝镇中心敬老院" {
		t.Fatalf("after edit: %+v", got)
	}
	// The filter finds it by part of the name.
	f.search.SetText("中心")
	if len(f.shown) != 1 {
		t.Errorf("search 中心 shows %d", len(f.shown))
	}
	f.search.SetText("幼儿园")
	if len(f.shown) != 0 {
		t.Errorf("search 幼儿园 shows %d", len(f.shown))
	}
	// And by the pinyin of the name or its initials.
	for _, q := range []string{"zxjly", "ZhongXin", "中心jly"} {
		f.search.SetText(q)
		if len(f.shown) != 1 {
			t.Errorf("search %s shows %d", q, len(f.shown))
		}
	}
}

func TestCapacitySheetKeyboardAndValidation(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(1)
	h.drain()
	c := u.cap
	if len(c.sheet.rows) == 0 {
		t.Fatal("no capacity rows")
	}
	// Find the 敬老院 row: it has beds.
	row := -1
	for i, r := range c.rows {
		if r.Facility.Kind == schema.FKTekunHome {
			row = i
		}
	}
	if row < 0 || !c.rows[row].HasPrev {
		t.Fatalf("敬老院 row %d without last month's report", row)
	}
	if c.sheet.rows[row].prev[0] == "" {
		t.Error("last month's beds are not shown")
	}
	c.sheet.focus(row, 0)
	e := c.sheet.at[[2]int{row, 0}]
	if e == nil || u.win.Canvas().Focused() != e {
		t.Fatal("the first cell did not take the focus")
	}
	// Typing replaces the selected figure; Tab moves right.
	test.Type(e, "90")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	e2, ok := u.win.Canvas().Focused().(*cellEntry)
	if !ok || e2.row != row || e2.col != 1 {
		t.Fatalf("Tab moved to %+v", u.win.Canvas().Focused())
	}
	test.Type(e2, "95") // nursing beds above total beds
	e2.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e3, ok := u.win.Canvas().Focused().(*cellEntry); !ok || e3.row != row+1 || e3.col != 1 {
		t.Fatalf("Enter did not move down: %+v", u.win.Canvas().Focused())
	}
	before, _ := u.st.Get(schema.KindCapacity, schema.CapacityID(c.rows[row].Facility.ID, c.period))
	test.Tap(c.saveBtn)
	h.drain()
	r := &c.sheet.rows[row]
	if !strings.Contains(r.problems["beds_nursing"], "护理型床位(95)超过床位总数(90)") {
		t.Fatalf("row problems %v", r.problems)
	}
	if !c.msg.Visible() || !strings.Contains(c.msg.Text, "护理型床位(95)超过床位总数(90)") {
		t.Errorf("summary = %q", c.msg.Text)
	}
	after, _ := u.st.Get(schema.KindCapacity, schema.CapacityID(c.rows[row].Facility.ID, c.period))
	if (before == nil) != (after == nil) || (before != nil && !before.Equal(after)) {
		t.Fatal("an invalid row was written")
	}
	// Fix it: the problem clears on edit and the save goes through.
	r.text[1] = "40"
	c.sheet.edited(row, 1, "40")
	if r.hasProblems() {
		t.Error("editing the row did not clear its problem")
	}
	u.saveCurrent()
	h.drain()
	if r.hasProblems() || r.dirty() || !r.saved {
		t.Fatalf("row after save: %+v", r)
	}
	got := mustGet[schema.Capacity](t, u.st, schema.KindCapacity, schema.CapacityID(c.rows[row].Facility.ID, c.period))
	if got.BedsTotal != 90 || got.BedsNursing != 40 {
		t.Errorf("stored %+v", got)
	}
	if !strings.Contains(u.saved.Text, "已保存到本机") {
		t.Errorf("status = %q", u.saved.Text)
	}
	// A figure that is not a number never reaches the store.
	r.text[2] = "七十"
	c.sheet.edited(row, 2, "七十")
	c.save()
	h.drain()
	if !strings.Contains(r.problems["beds_occupied"], "不是整数") {
		t.Errorf("non-numeric figure: %v", r.problems)
	}
}

func TestPersonsAndQuickVisit(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(2)
	h.drain()
	p := u.per
	if len(p.all) == 0 || !p.all[p.shown[0]].Due {
		t.Fatal("persons due this month are not listed first")
	}
	before := count(t, u.st, schema.KindPerson)
	test.Tap(p.pnew)
	test.Type(p.name, "王秀英")
	test.Type(p.idnum, "511802195203124427") // wrong check character
	test.Tap(p.cats[1])                      // 独居
	test.Tap(p.cats[5])                      // 高龄
	p.unit.SetSelected(u.area.UnitLabel(u.area.Units[2].Code))
	test.Tap(p.psave)
	h.drain()
	if got := p.personForm.problemText("id_number"); !strings.Contains(got, "校验码") {
		t.Fatalf("ID number problem = %q", got)
	}
	if n := count(t, u.st, schema.KindPerson); n != before {
		t.Fatalf("person saved despite a bad ID number")
	}
	id, err := schema.CompleteIDNumber("51180219520312442")
	if err != nil {
		t.Fatal(err)
	}
	p.idnum.SetText(id)
	if p.birth.Text != "1952-03-12" {
		t.Errorf("birth date not filled from the ID number: %q", p.birth.Text)
	}
	test.Tap(p.psave)
	h.drain()
	if n := count(t, u.st, schema.KindPerson); n != before+1 {
		t.Fatalf("persons %d, want %d", n, before+1)
	}
	if p.sel < 0 || p.all[p.sel].Name != "王秀英" || !p.all[p.sel].Due {
		t.Fatalf("the new person is not selected as due")
	}
	newID := p.all[p.sel].ID
	// Pinyin, initials, mixed with characters or with digits of the ID
	// number find the person too; a new person is listed first.
	for _, q := range []string{"wangxiuying", "wxy", "王xy", "wxy 19520312"} {
		p.search.SetText(q)
		if len(p.shown) == 0 || p.all[p.shown[0]].ID != newID {
			t.Errorf("search %s does not list the new person first", q)
		}
	}

	// A visit in a few keystrokes: name, Enter, Enter.
	p.search.SetText("王秀英")
	p.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if p.sel < 0 || p.all[p.sel].ID != newID {
		t.Fatal("Enter in the search did not pick the person")
	}
	if u.win.Canvas().Focused() != p.outcome {
		t.Fatal("the cursor did not move to the outcome")
	}
	today := township.Today(township.Now(u.st))
	if p.date.Text != today || p.vkind.value() != string(schema.VisitMonthly) {
		t.Errorf("defaults: date %q kind %q", p.date.Text, p.vkind.value())
	}
	test.Type(p.outcome, "身体状况良好")
	p.outcome.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.drain()
	vs, err := u.st.VisitsOf(newID)
	if err != nil || len(vs) != 1 {
		t.Fatalf("visits of the new person: %d, %v", len(vs), err)
	}
	var v schema.Visit
	vs[0].Decode(&v)
	if v.Date != today || v.Outcome != "身体状况良好" || v.Kind != schema.VisitMonthly {
		t.Errorf("visit %+v", v)
	}
	for _, x := range p.all {
		if x.ID == newID && x.Due {
			t.Error("the visited person is still due")
		}
	}
	if u.win.Canvas().Focused() != p.search || p.search.Text != "" {
		t.Error("not ready for the next person")
	}
	// A visit dated in the future is refused beside the date.
	p.reselect(newID)
	p.date.SetText("2999-01-01")
	p.saveVisit()
	h.drain()
	if got := p.visitForm.problemText("date"); !strings.Contains(got, "晚于今天") {
		t.Errorf("future visit: %q", got)
	}
	if vs, _ := u.st.VisitsOf(newID); len(vs) != 1 {
		t.Errorf("future visit saved")
	}
}

func TestVisitCorrection(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(2)
	h.drain()
	p := u.per
	who := -1
	for i := range p.all {
		if p.all[i].LastVisit != "" {
			who = i
			break
		}
	}
	if who < 0 {
		t.Fatal("no visited person in the demo")
	}
	person := p.all[who].ID
	p.open(person)
	h.drain()
	if p.sel < 0 || p.all[p.sel].ID != person || len(p.visits) == 0 || len(p.historyRows.Objects) == 0 {
		t.Fatalf("history of %s not listed: %d visits", person, len(p.visits))
	}
	before, err := u.st.VisitsOf(person)
	if err != nil {
		t.Fatal(err)
	}
	old := p.visits[0]
	p.correct(0)
	if p.correcting != old.ID || p.date.Text != old.Date || !p.correctNote.Visible() {
		t.Fatalf("correction form: correcting %q date %q", p.correcting, p.date.Text)
	}
	p.outcome.SetText("更正：血压偏高，已告知家属")
	p.outcome.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.drain()

	// Insert-only: the old visit stays, a new one supersedes it.
	after, err := u.st.VisitsOf(person)
	if err != nil || len(after) != len(before)+1 {
		t.Fatalf("visits after the correction: %d (was %d), %v", len(after), len(before), err)
	}
	var fix schema.Visit
	var fixID string
	for _, r := range after {
		var v schema.Visit
		if err := r.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if v.Supersedes != "" {
			fix, fixID = v, r.ID
		}
	}
	if fix.Supersedes != old.ID || fix.Outcome != "更正：血压偏高，已告知家属" || fix.Date != old.Date || fixID == old.ID {
		t.Fatalf("correction %s: %+v, want it to supersede %s", fixID, fix, old.ID)
	}
	// The history marks the old one 已更正, and only the new one counts.
	if p.correcting != "" || p.correctNote.Visible() {
		t.Error("the form is still correcting after the save")
	}
	for _, v := range p.visits {
		if v.ID == old.ID && !v.Corrected {
			t.Error("the corrected visit is not marked")
		}
		if v.ID == fixID && v.Corrected {
			t.Error("the correction is marked corrected")
		}
	}
	counted, err := township.VisitsOf(u.st, person)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range counted {
		if v.ID == old.ID {
			t.Error("the corrected visit still counts")
		}
	}
	if len(counted) != len(before) {
		t.Errorf("%d counted visits, want %d", len(counted), len(before))
	}
	found := false
	for _, o := range p.historyRows.Objects {
		row := o.(*fyne.Container)
		for _, c := range row.Objects {
			if l, ok := c.(*widget.Label); ok && l.Text == "已更正" {
				found = true
			}
		}
	}
	if !found {
		t.Error("no 已更正 shown in the history")
	}
}

func TestPopulationSheet(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(3)
	h.drain()
	p := u.pop
	if len(p.sheet.rows) != len(u.area.Units) {
		t.Fatalf("%d rows for %d units", len(p.sheet.rows), len(u.area.Units))
	}
	// Next year's column for the first village comes from this year's
	// demo figures; enter 60+ above the residents.
	row := 1
	r := &p.sheet.rows[row]
	for j, v := range []string{"1200", "1300", "200", "30", "8"} {
		r.text[j] = v
	}
	p.sheet.edited(row, 0, "1200")
	test.Tap(p.saveBtn)
	h.drain()
	if !strings.Contains(r.problems["aged60"], "超过常住人口") {
		t.Fatalf("problems %v", r.problems)
	}
	rec, _ := u.st.Get(schema.KindPopulation, schema.PopulationID(p.units[row].Code, p.current))
	var old schema.Population
	if rec != nil {
		rec.Decode(&old)
	}
	if old.Resident == 1200 {
		t.Fatal("invalid population saved")
	}
	r.text[1] = "310"
	p.sheet.edited(row, 1, "310")
	p.save()
	h.drain()
	got := mustGet[schema.Population](t, u.st, schema.KindPopulation, schema.PopulationID(p.units[row].Code, p.current))
	if got.Resident != 1200 || got.Aged60 != 310 || got.Year != p.current {
		t.Errorf("stored %+v", got)
	}
	if !strings.Contains(p.total.Text, "各村(社区)合计") {
		t.Errorf("totals: %q", p.total.Text)
	}
}

func TestIndicatorsTab(t *testing.T) {
	h := newHarness(t, demoDir(t, true))
	u := h.u
	u.tabs.SelectIndex(4)
	h.drain()
	var beds *township.Result
	for i, r := range u.ind.rows {
		if r.Indicator.ID == "beds_per_1000_elderly" {
			beds = &u.ind.rows[i]
		}
	}
	if beds == nil || !beds.Defined || !beds.HasTarget {
		t.Fatalf("beds per 1000: %+v", beds)
	}
	if s := formatTarget(*beds); !strings.Contains(s, "40") || !strings.Contains(s, "2025") {
		t.Errorf("target shown as %q", s)
	}
	if s := basis(*beds); !strings.Contains(s, "养老床位") || !strings.Contains(s, "× 1000") {
		t.Errorf("basis %q", s)
	}
	if !strings.Contains(u.ind.info.Text, "有目标的") {
		t.Errorf("info %q", u.ind.info.Text)
	}
}

func TestReportedValue(t *testing.T) {
	h := newHarness(t, demoDir(t, false))
	u := h.u
	u.tabs.SelectIndex(4)
	h.drain()
	ind := u.ind
	pick := -1
	for i, x := range ind.reportable {
		if x.How != schema.HowReported {
			t.Fatalf("%s offered for entry but computed", x.ID)
		}
		if x.ID == "infant_vaccination_rate" {
			pick = i
		}
	}
	if pick < 0 {
		t.Fatal("0-3岁婴幼儿预防接种率 not offered")
	}
	if !strings.Contains(ind.rind.Options[pick], "预防接种率（%）") {
		t.Errorf("option shown as %q", ind.rind.Options[pick])
	}
	year := township.Now(u.st).Year()
	if ind.rperiod.Text != strconv.Itoa(year) {
		t.Errorf("period defaults to %q", ind.rperiod.Text)
	}
	before := count(t, u.st, schema.KindReported)

	// A percentage above 100: the schema's message beside the value,
	// nothing saved.
	ind.rind.SetSelectedIndex(pick)
	test.Type(ind.rvalue, "120")
	test.Type(ind.rdept, "卫健办")
	u.saveCurrent()
	h.drain()
	if got := ind.rright.problemText("value"); !strings.Contains(got, "不能超过100%") {
		t.Fatalf("problem beside the value = %q", got)
	}
	if n := count(t, u.st, schema.KindReported); n != before {
		t.Fatalf("%d reported values saved despite the problem", n-before)
	}
	// Not a number: refused before the schema sees it.
	ind.rvalue.SetText("九十")
	ind.save()
	h.drain()
	if got := ind.rright.problemText("value"); !strings.Contains(got, "不是数字") {
		t.Errorf("non-numeric value: %q", got)
	}

	// Valid: saved for the township, shown in the table.
	ind.rvalue.SetText("96.5")
	ind.rvalue.OnSubmitted(ind.rvalue.Text) // Enter saves
	h.drain()
	if got := ind.rright.problemText("value"); got != "" {
		t.Errorf("problem left after a good save: %q", got)
	}
	id := schema.ReportedID(caoba, "infant_vaccination_rate", strconv.Itoa(year))
	got := mustGet[schema.Reported](t, u.st, schema.KindReported, id)
	want := schema.Reported{Indicator: "infant_vaccination_rate", Period: strconv.Itoa(year), Value: 96.5, Department: "卫健办"}
	if got != want {
		t.Errorf("stored %+v, want %+v", got, want)
	}
	var row *township.Result
	for i := range ind.rows {
		if ind.rows[i].Indicator.ID == "infant_vaccination_rate" {
			row = &ind.rows[i]
		}
	}
	if row == nil || !row.Reported || formatResult(*row) != "96.5%" {
		t.Fatalf("table row %+v", row)
	}
	if b := basis(*row); !strings.Contains(b, "部门填报值") || !strings.Contains(b, "卫健办") {
		t.Errorf("basis %q", b)
	}
}

func TestParkedChangeOpenFixResubmit(t *testing.T) {
	h := newHarness(t, demoDir(t, true))
	u := h.u
	u.tabs.SelectIndex(5)
	h.drain()
	s := u.syn
	if len(s.parked) != 1 {
		t.Fatalf("%d parked changes, want the demo's one", len(s.parked))
	}
	if !strings.Contains(s.parked[0].what, "床位/托位") || !strings.Contains(s.parked[0].what, "敬老院") {
		t.Errorf("parked change described as %q", s.parked[0].what)
	}
	s.plist.Select(0)
	if !strings.Contains(s.pdetail.Text, "已入住床位(72)超过床位总数(70)") {
		t.Errorf("detail %q", s.pdetail.Text)
	}
	test.Tap(s.openBtn)
	h.drain()
	if u.tabs.SelectedIndex() != 1 {
		t.Fatalf("open went to tab %d", u.tabs.SelectedIndex())
	}
	e, ok := u.win.Canvas().Focused().(*cellEntry)
	if !ok || !strings.Contains(u.cap.rows[e.row].Facility.Name, "敬老院") {
		t.Fatalf("the refused report's row is not focused: %+v", u.win.Canvas().Focused())
	}
	// Correct occupied beds and save: the refused change goes back to
	// the outbox.
	row := e.row
	u.cap.sheet.rows[row].text[2] = "68"
	u.cap.sheet.edited(row, 2, "68")
	u.saveCurrent()
	h.drain()
	ps, err := u.st.Parked()
	if err != nil || len(ps) != 0 {
		t.Fatalf("parked after the fix: %d, %v", len(ps), err)
	}
	if !strings.Contains(u.saved.Text, "已重新提交1条被退回的修改") {
		t.Errorf("status %q", u.saved.Text)
	}
	u.tabs.SelectIndex(5)
	h.drain()
	if len(s.parked) != 0 || !strings.Contains(s.ptitle.Text, "0 条") {
		t.Errorf("sync tab still lists %d parked", len(s.parked))
	}
	// The demo's enrolment points nowhere: offline, in plain Chinese.
	if !strings.Contains(s.lastErr.Text, "无法连接服务器") {
		t.Errorf("last error %q", s.lastErr.Text)
	}
}

// startServer runs a real sync server on a loopback port.
func startServer(t *testing.T) (srv *syncserver.Server, url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := syncserver.Open(ctx, syncserver.Config{DataDir: t.TempDir(), Logger: quiet})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("serve: %v", err)
			}
			srv.Close()
		})
	}
	t.Cleanup(stop)
	return srv, "http://" + ln.Addr().String(), stop
}

func TestSyncFailingThenSucceeding(t *testing.T) {
	srv, url, stop := startServer(t)
	h := newHarness(t, t.TempDir())
	u := h.u

	// First run: enrolment with an address nobody listens on fails in
	// plain Chinese; the user starts offline instead.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	u.setup.county.SetSelected("雨城区")
	u.setup.town.SetSelected("草坝镇")
	u.setup.server.SetText(deadURL)
	u.setup.code.SetText("123456")
	test.Tap(u.setup.enrol)
	h.drain()
	if !strings.Contains(u.setup.enrolMsg.Text, "无法连接服务器") {
		t.Fatalf("enrol message %q", u.setup.enrolMsg.Text)
	}
	test.Tap(u.setup.offline)
	h.drain()
	if !u.main {
		t.Fatal("offline start failed")
	}

	// An entry made before enrolment.
	f := u.fac
	f.name.SetText("草坝镇敬老院")
	f.kind.SetSelected("特困供养机构(敬老院)")
	f.ownership.SetSelected("公办")
	f.save()
	h.drain()
	u.tabs.SelectIndex(5)
	h.drain()
	s := u.syn
	if !s.enrolBox.Visible() || !strings.Contains(s.phase.Text, "尚未注册") || !strings.Contains(s.pending.Text, "待上传：1 条") {
		t.Fatalf("before enrolment: phase %q pending %q", s.phase.Text, s.pending.Text)
	}

	// Enrol from the sync tab with a real server: the scope comes from
	// the server, sync starts and the entry goes up.
	code, err := srv.NewEnrollCode(context.Background(), syncserver.CodeRequest{Unit: caoba, Name: "草坝镇"})
	if err != nil {
		t.Fatal(err)
	}
	s.serverIn.SetText(url)
	s.codeIn.SetText(code)
	test.Tap(s.enrolBtn)
	h.drain()
	if u.client == nil {
		t.Fatalf("sync did not start after enrolment (message %q)", s.enrolMsg.Text)
	}
	h.until("the first sync", func() bool {
		return s.hasState && s.state.Phase == "idle" && s.status.Outbox == 0 && s.status.AckedSeq > 0
	})
	if !strings.Contains(s.phase.Text, "已同步") || s.enrolBox.Visible() || s.lastErr.Visible() {
		t.Errorf("after sync: phase %q, enrol box %v, error %q", s.phase.Text, s.enrolBox.Visible(), s.lastErr.Text)
	}
	if !strings.Contains(s.lastOK.Text, "刚刚") {
		t.Errorf("last success %q", s.lastOK.Text)
	}
	if !strings.Contains(u.syncBar.Text, "待上传 0 条") {
		t.Errorf("status bar %q", u.syncBar.Text)
	}

	// The server goes away: the next sync fails and says so.
	stop()
	f.clearForm()
	f.name.SetText("草坝镇区域养老服务中心")
	f.kind.SetSelected("乡镇区域养老服务中心")
	f.ownership.SetSelected("公建民营")
	f.save()
	h.drain()
	s.kick()
	h.until("the failed sync", func() bool { return s.hasState && s.state.Phase == "offline" })
	if !strings.Contains(s.phase.Text, "离线") || !strings.Contains(s.lastErr.Text, "无法连接服务器") {
		t.Errorf("offline: phase %q error %q", s.phase.Text, s.lastErr.Text)
	}
	if !strings.Contains(s.pending.Text, "待上传：1 条") {
		t.Errorf("pending %q", s.pending.Text)
	}
}

func TestOpenErrorsAreExplained(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{agent.ErrPassphraseRequired, "已加密"},
		{agent.ErrWrongPassphrase, "密码不正确"},
		{fmt.Errorf("open x: %w", agent.ErrLocked), "另一个程序"},
	} {
		if got := explainOpen(c.err); !strings.Contains(got, c.want) {
			t.Errorf("explainOpen(%v) = %q", c.err, got)
		}
	}
	if got := explainEnroll(errors.New("enrol with x: 403 Forbidden: code")); !strings.Contains(got, "注册码无效") {
		t.Errorf("explainEnroll 403 = %q", got)
	}
	if got := explainEnroll(errors.New(`Post "https://x/v1/enroll": tls: failed to verify certificate: x509: certificate signed by unknown authority`)); !strings.Contains(got, "证书文件") {
		t.Errorf("explainEnroll x509 = %q", got)
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int64{"": 0, " 12 ": 12, "１２": 12, "0": 0} {
		if got, ok := parseCount(in); !ok || got != want {
			t.Errorf("parseCount(%q) = %d, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"七", "1.5", "12a"} {
		if _, ok := parseCount(bad); ok {
			t.Errorf("parseCount(%q) accepted", bad)
		}
	}
}

func TestMinimumWindowFits(t *testing.T) {
	h := newHarness(t, demoDir(t, true))
	for i, p := range h.u.pages {
		h.u.tabs.SelectIndex(i)
		h.drain()
		_ = p
	}
	if ms := h.u.win.Content().MinSize(); ms.Width > 1280 || ms.Height > 800 {
		for i, it := range h.u.tabs.Items {
			t.Logf("tab %d %s min %v", i, it.Text, it.Content.MinSize())
		}
		t.Errorf("the window needs at least %v, more than 1280×800", ms)
	}
}

// TestExplainOpenLockedFolder: a second window on the same data folder is
// told in Chinese that another program uses it, on any platform, because
// the agent's sentinel is checked, not Badger's wording.
func TestExplainOpenLockedFolder(t *testing.T) {
	dir := t.TempDir()
	st, err := agent.Open(dir, agent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = agent.Open(dir, agent.Options{})
	if err == nil {
		t.Fatal("a second open of a held folder succeeded")
	}
	if got := explainOpen(err); !strings.Contains(got, "正被另一个程序使用") {
		t.Fatalf("explainOpen(%v) = %q", err, got)
	}
}
