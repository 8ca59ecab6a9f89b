package desktop

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
)

// idWarning is the line under the ID number input that says the number is
// already registered to someone in the township ("此身份证号已登记为 …"),
// with a button to open that person: the cheapest duplicate to fix is the
// one never entered. Saving a new person with the number anyway asks once
// more (personsTab.savePerson); two registrations that slip through
// (two laptops offline) are the district office's to merge.
type idWarning struct {
	label *widget.Label
	btn   *widget.Button
	box   *fyne.Container
	found township.Person
	has   bool
}

func newIDWarning(open func(id string)) *idWarning {
	w := &idWarning{label: widget.NewLabel("")}
	w.label.Importance = widget.WarningImportance
	w.label.Wrapping = fyne.TextWrapWord
	w.btn = widget.NewButton("打开该服务对象", func() {
		if w.has {
			open(w.found.ID)
		}
	})
	w.box = container.NewVBox(w.label, container.NewHBox(w.btn))
	w.box.Hide()
	return w
}

func (w *idWarning) object() fyne.CanvasObject { return w.box }

// check looks the number up among the township's persons, leaving out the
// one being edited, and shows or hides the warning.
func (w *idWarning) check(u *UI, all []township.Person, number, editing string) {
	w.found, w.has = township.RegisteredAs(all, number, editing)
	if !w.has {
		w.box.Hide()
		return
	}
	w.label.SetText(w.message(u))
	w.box.Show()
}

func (w *idWarning) message(u *UI) string {
	return fmt.Sprintf("此身份证号已登记为 %s（%s）", w.found.Name, u.area.UnitLabel(w.found.Unit))
}
