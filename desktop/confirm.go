package desktop

import (
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"laoxiao/schema"
)

// Confirmations the tabs share: switching a sheet's period over unsaved
// rows, and deleting a record.

// confirm asks a yes/no question with Chinese buttons; ok names what yes
// does ("删除"), because a bare "确定" after a warning is easy to misread.
func (u *UI) confirm(title, msg, ok string, onConfirm func()) {
	d := dialog.NewConfirm(title, msg, func(yes bool) {
		if yes {
			onConfirm()
		}
	}, u.win)
	d.SetConfirmText(ok)
	d.SetDismissText("取消")
	d.Show()
}

// selectQuietly selects v with *guard set, so the select's OnChanged can
// tell the code moved it, not the user.
func selectQuietly(sel *widget.Select, guard *bool, v string) {
	*guard = true
	sel.SetSelected(v)
	*guard = false
}

// confirmDiscard asks before a sheet switches from period cur to next and
// throws away its unsaved rows. Until the user confirms, the select shows
// cur again, so a cancelled dialog leaves it on the period the rows belong
// to; on confirmation it moves to next and onConfirm loads it.
func (u *UI) confirmDiscard(sel *widget.Select, guard *bool, cur, next, title, msg string, onConfirm func()) {
	selectQuietly(sel, guard, cur)
	u.confirm(title, msg, "放弃修改并切换", func() {
		selectQuietly(sel, guard, next)
		onConfirm()
	})
}

// confirmDelete asks before deleting record id of kind (a noun such as
// 机构 names it to the user, name is its own name) and deletes it in the
// background. after runs on the UI goroutine once the deletion is on
// disk, to drop the record from the tab's list; then every other tab is
// marked stale.
func (u *UI) confirmDelete(noun, msg string, kind schema.Kind, id, name string, from tab, after func()) {
	u.confirm("删除"+noun, msg, "删除", func() {
		st := u.st
		u.bg(func() func() {
			_, err := st.Delete(kind, id)
			return func() {
				if err != nil {
					u.failed("删除"+noun, err)
					return
				}
				u.savedOK("已删除" + noun + "“" + name + "”")
				after()
				u.changed(from)
			}
		})
	})
}
