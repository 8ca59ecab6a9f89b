package desktop

import (
	"fmt"

	"laoxiao/desktop/township"
)

// idWarning is the line under the ID number input that says the number is
// already registered to someone in the township ("此身份证号已登记为 …"),
// with a button to open that person: the cheapest duplicate to fix is the
// one never entered. Saving a new person with the number anyway asks once
// more (personsTab.savePerson); two registrations that slip through
// (two laptops offline) are the district office's to merge.
type idWarning struct {
	*notice
	found township.Person
	has   bool
}

func newIDWarning(open func(id string)) *idWarning {
	w := &idWarning{}
	w.notice = newNotice("打开该服务对象", func() {
		if w.has {
			open(w.found.ID)
		}
	})
	return w
}

// check looks the number up among the township's persons, leaving out the
// one being edited, and shows or hides the warning.
func (w *idWarning) check(u *UI, all []township.Person, number, editing string) {
	w.found, w.has = township.RegisteredAs(all, number, editing)
	if !w.has {
		w.hide()
		return
	}
	w.show(w.message(u), true)
}

func (w *idWarning) message(u *UI) string {
	return fmt.Sprintf("此身份证号已登记为 %s（%s）", w.found.Name, u.area.UnitLabel(w.found.Unit))
}
