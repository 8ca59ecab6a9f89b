package township

import (
	"strings"
	"testing"

	"laoxiao/schema"
)

// TestMovedTexts: the lines a moved person shows name the unit by its
// township and village, the office and the day.
func TestMovedTexts(t *testing.T) {
	divs := schema.BuiltinDivisions()
	p := schema.Person{Name: "张桂英", MovedFrom: "old", MovedFromUnit: "511802101200", MovedBy: "雨城区民政局",
		MovedAt: "2026-11-28T14:05:00+08:00"}
	if got, want := MovedInText(divs, p), "由 草坝镇林口村委会 迁入（雨城区民政局 2026-11-28）"; !strings.HasPrefix(got, want) {
		t.Errorf("moved in: %q, want it to start %q", got, want)
	}
	if got := MovedInText(divs, schema.Person{Name: "王秀兰"}); got != "" {
		t.Errorf("not moved: %q, want nothing", got)
	}
	m := MovedAway{Name: "张桂英", To: "new", Unit: "511802005001", UnitName: unitPath(divs, "511802005001"), By: "雨城区民政局", At: p.MovedAt}
	if got, want := m.Text(), "张桂英 已迁至 大兴街道龙溪社区居委会（雨城区民政局 2026-11-28 迁移）"; !strings.HasPrefix(got, want) {
		t.Errorf("moved away: %q, want it to start %q", got, want)
	}
}
