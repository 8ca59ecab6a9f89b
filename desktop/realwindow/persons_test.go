package realwindow

import (
	"testing"
	"time"

	"laoxiao/desktop/township"
	"laoxiao/schema"
	"laoxiao/synth"
)

// TestPersonAndVisitsByClicksAndTyping registers a served person, records
// a visit, corrects it through the history's 更正 button, and finds all
// of it in the store.
func TestPersonAndVisitsByClicksAndTyping(t *testing.T) {
	t.Parallel()
	dir := demoFolder(t)
	d := startDisplay(t)
	a := startApp(t, d, "--data", dir, "--tab", "persons")
	a.find("全部类别", false)
	a.shot("persons")
	a.choose("全部类别", "独居")
	a.choose("独居", "全部类别")

	id, err := schema.CompleteIDNumber("51180219520312442")
	if err != nil {
		t.Fatal(err)
	}
	// The wheel turns over the labels column: an entry under the
	// pointer would take the wheel for itself.
	const formX, formY = 520, 600
	a.scrollTo("姓名", formX, formY)
	a.fill("姓名", "单雄信")
	a.fill("身份证号", id)
	a.check("特困", true)
	a.choose("不适用", "分散供养")
	a.scrollTo("请选择所在村(社区)", formX, formY)
	a.choose("请选择所在村(社区)", "林口村委会")
	a.scrollTo("保存对象信息", formX, formY)
	a.fillBelow("登记新服务对象", "备注", "独子在外务工")
	a.shot("person-filled")
	x, y := a.scrollTo("保存对象信息", formX, formY).center()
	a.clickAt(x, y, 1)
	a.showing("服务对象“单雄信”")
	a.shot("person-saved")

	// The visit card is at the top of the same scrolling column.
	a.scrollTo("探访人", formX, formY)
	a.find("单雄信", false)
	a.fill("探访人", "李明")
	a.fill("探访结果", "身体状况良好")
	a.key("Return")
	a.find("更正", false)
	a.shot("visit-saved")

	a.click("更正")
	a.showing("正在更正")
	a.fill("探访结果", "血压偏高，已联系村医")
	a.key("Return")
	a.find("已更正", false)
	a.shot("visit-corrected")

	// She died: the status dropdown and its date, saved like any edit.
	a.scrollTo("在册", formX, formY)
	a.choose("在册", "已故")
	a.fill("去世或迁出日期", "2026-01-05")
	x, y = a.scrollTo("保存对象信息", formX, formY).center()
	a.clickAt(x, y, 1)
	a.find("已故 2026-01-05", false)
	a.shot("person-died")
	a.quit()

	st := openStore(t, dir)
	persons, err := township.LoadPersons(st, synth.DefaultTownship, time.Now().Format("2006-01"))
	if err != nil {
		t.Fatal(err)
	}
	var p *township.Person
	for i := range persons {
		if persons[i].Name == "单雄信" {
			p = &persons[i]
		}
	}
	if p == nil {
		t.Fatal("the person typed in is not in the store")
	}
	if p.IDNumber != id || !p.Has(schema.CatTekun) || p.SupportMode != schema.SupportDispersed || p.Note != "独子在外务工" ||
		p.Status != schema.PersonDied || p.LeftOn != "2026-01-05" || p.Due {
		t.Errorf("stored person %+v", p.Person)
	}
	vs, err := township.VisitHistory(st, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("stored %d visits, want the visit and its correction: %+v", len(vs), vs)
	}
	var counted, corrected int
	for _, v := range vs {
		if v.Corrected {
			corrected++
			if v.Outcome != "身体状况良好" {
				t.Errorf("the corrected visit says %q", v.Outcome)
			}
		} else {
			counted++
			if v.Outcome != "血压偏高，已联系村医" || v.Visitor != "李明" || v.Supersedes == "" {
				t.Errorf("the correction is %+v", v.Visit)
			}
		}
	}
	if counted != 1 || corrected != 1 {
		t.Errorf("%d counted and %d corrected visits, want 1 and 1", counted, corrected)
	}
}
