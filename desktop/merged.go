package desktop

import (
	"fmt"

	"laoxiao/desktop/township"
)

// mergedBanner is the line a person's or facility's card shows when the
// district office merged the record into another (schema/merged.go): it
// says which, and opens that one. Visits and reports entered on the old
// record still count for the one it was merged into, so nothing is
// refused; the banner only points staff to where the record now lives.
type mergedBanner struct {
	*notice
	to string
}

func newMergedBanner(open func(id string)) *mergedBanner {
	b := &mergedBanner{}
	b.notice = newNotice("打开合并后的记录", func() {
		if b.to != "" {
			open(b.to)
		}
	})
	return b
}

// show says "已合并到 …" for a merged record, or hides the banner when
// mergedInto is "". what names the record's kind (服务对象, 机构).
func (b *mergedBanner) show(u *UI, mergedInto string, target township.MergedTarget, found bool, what string) {
	b.to = ""
	switch {
	case mergedInto == "":
		b.hide()
	case !found:
		b.notice.show(fmt.Sprintf("此%s已由区县民政部门合并到另一条记录(编号 %s)，该记录尚未同步到本机。", what, mergedInto), false)
	default:
		b.to = target.ID
		b.notice.show(fmt.Sprintf("已合并到 %s（%s）：此%s与之重复，已由区县民政部门合并。在此登记的探访和修改都计入合并后的记录。",
			target.Name, u.area.UnitLabel(target.Unit), what), true)
	}
}
