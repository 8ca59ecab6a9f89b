package desktop

import (
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// saveForm validates and writes one record of a form in the background,
// the way every form of the app saves: the button is disabled meanwhile,
// the schema's problems show beside the fields and nothing is written,
// and once the record is on disk the form's problems clear, the status
// bar says what was saved, done (on the UI goroutine) puts the record in
// the tab's list, a refused change of it is re-submitted, and the other
// tabs are marked stale. failing names the action in a failure message
// ("保存机构").
func (u *UI) saveForm(from tab, btn *widget.Button, f *form, failing, what string,
	kind schema.Kind, id string, unit schema.Code, v any, done func(newID string)) {
	st := u.st
	btn.Disable()
	u.bg(func() func() {
		newID, ps, err := township.Save(st, kind, id, unit, v)
		return func() {
			btn.Enable()
			if err != nil {
				u.failed(failing, err)
				return
			}
			if len(ps) > 0 {
				f.show(ps)
				return
			}
			f.clear()
			u.savedOK(what)
			done(newID)
			u.unparkAfterFix(kind, newID)
			u.changed(from)
		}
	})
}
