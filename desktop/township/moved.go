package township

import (
	"laoxiao/agent"
	"laoxiao/schema"
)

// Persons moved out (schema/moved.go). When the county moves a person to
// another township, the device of the old one downloads a delete and the
// person leaves its lists like any deleted record. The deleted record
// keeps the pointer, so where staff still reach the old id (a parked
// change, a link) the desktop can say where the person went instead of
// that they do not exist.

// MovedAway is where the county moved a person.
type MovedAway struct {
	Name     string      // as the old record had it
	To       string      // the new record's id
	Unit     schema.Code // the unit moved to
	UnitName string      // its township's and village's names
	By, At   string
}

// MovedPerson reports where the person id was moved to; ok is false when
// the device never held them or they were not moved.
func MovedPerson(st *agent.Store, id string) (MovedAway, bool) {
	r, err := st.GetTombstone(schema.KindPerson, id)
	if err != nil || schema.MovedTo(r) == "" {
		return MovedAway{}, false
	}
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		return MovedAway{}, false
	}
	return MovedAway{Name: p.Name, To: p.MovedTo, Unit: p.MovedToUnit, UnitName: unitPath(st.Divisions(), p.MovedToUnit),
		By: p.MovedBy, At: p.MovedAt}, true
}

// unitPath names a village by its township and itself (草坝镇林口村), a
// township by itself, and an unknown code by the code.
func unitPath(divs *schema.Divisions, c schema.Code) string {
	if c.Level() == schema.LevelVillage {
		return divs.Name(c.Parent()) + divs.Name(c)
	}
	return divs.Name(c)
}

// Text is the desktop's line for a person moved away: "张桂英 已迁至 …".
func (m MovedAway) Text() string {
	return m.Name + " 已迁至 " + m.UnitName + "（" + m.By + " " + day(m.At) + " 迁移）：此服务对象已不属于本乡镇，" +
		"在此登记的探访仍计入迁入后的记录。"
}

// MovedInText is the line a person moved into the township shows, or ""
// for anyone else: where from, and that the visits made there still
// count (on the server: they are not on this device).
func MovedInText(divs *schema.Divisions, p schema.Person) string {
	if p.MovedFrom == "" {
		return ""
	}
	return "由 " + unitPath(divs, p.MovedFromUnit) + " 迁入（" + p.MovedBy + " " + day(p.MovedAt) + "）：" +
		"迁入前在原乡镇的探访记录留在原乡镇，区县统计时计入此记录。"
}

// day is the date of an RFC 3339 time.
func day(at string) string {
	if len(at) >= 10 {
		return at[:10]
	}
	return at
}
