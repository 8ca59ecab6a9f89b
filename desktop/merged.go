package desktop

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
)

// mergedBanner is the line a person's or facility's card shows when the
// district office merged the record into another (schema/merged.go): it
// says which, and opens that one. Visits and reports entered on the old
// record still count for the one it was merged into, so nothing is
// refused; the banner only points staff to where the record now lives.
type mergedBanner struct {
	label *widget.Label
	btn   *widget.Button
	box   *fyne.Container
	to    string
}

func newMergedBanner(open func(id string)) *mergedBanner {
	b := &mergedBanner{label: widget.NewLabel("")}
	b.label.Importance = widget.WarningImportance
	b.label.Wrapping = fyne.TextWrapWord
	b.btn = widget.NewButton("打开合并后的记录", func() {
		if b.to != "" {
			open(b.to)
		}
	})
	b.box = container.NewVBox(b.label, container.NewHBox(b.btn))
	b.box.Hide()
	return b
}

func (b *mergedBanner) object() fyne.CanvasObject { return b.box }

// show says "已合并到 …" for a merged record, or hides the banner when
// mergedInto is "". what names the record's kind (服务对象, 机构).
func (b *mergedBanner) show(u *UI, mergedInto string, target township.MergedTarget, found bool, what string) {
	b.to = ""
	if mergedInto == "" {
		b.box.Hide()
		return
	}
	if !found {
		b.label.SetText(fmt.Sprintf("此%s已由区县民政部门合并到另一条记录(编号 %s)，该记录尚未同步到本机。", what, mergedInto))
		b.btn.Hide()
		b.box.Show()
		return
	}
	b.to = target.ID
	b.label.SetText(fmt.Sprintf("已合并到 %s（%s）：此%s与之重复，已由区县民政部门合并。在此登记的探访和修改都计入合并后的记录。",
		target.Name, u.area.UnitLabel(target.Unit), what))
	b.btn.Show()
	b.box.Show()
}
