package schema

import "strings"

// UnitClass narrows the registry units a unit or coverage measure counts
// within its level: the plans count 街道 and 乡镇 apart (柳州's 乡镇区域养老
// 服务中心覆盖率 is over 乡镇 only), and 社区 and 农村 apart (昆明's 社区日间照料
// and 农村居家养老 coverages).
type UnitClass int

const (
	// UnitsAll counts every unit of the level.
	UnitsAll UnitClass = iota
	// UnitsStreets counts street offices (Unit.IsStreet: 街道).
	UnitsStreets
	// UnitsTowns counts the township-level units that are not street
	// offices: 乡, 镇 (and 苏木 and the like).
	UnitsTowns
	// UnitsCommunities counts urban communities (Unit.IsCommunity: 居委会).
	UnitsCommunities
	// UnitsRural counts the village-level units that are not urban
	// communities: 村委会.
	UnitsRural
)

// Has reports whether unit u is of the class (the level is the rule's
// business, see MeasureRule.CountsUnit).
func (c UnitClass) Has(u Unit) bool {
	switch c {
	case UnitsStreets:
		return u.IsStreet()
	case UnitsTowns:
		return !u.IsStreet()
	case UnitsCommunities:
		return u.IsCommunity()
	case UnitsRural:
		return !u.IsCommunity()
	}
	return true
}

// IsCommunity reports whether a village-level unit is an urban community
// (社区): the statistical registry names them …社区居委会, …居民委员会 or
// …社区, and the residential areas of village collectives …生活区; every
// other village-level unit is a village (村委会).
func (u Unit) IsCommunity() bool {
	if u.Level != LevelVillage {
		return false
	}
	for _, s := range []string{"居委会", "居民委员会", "社区", "生活区"} {
		if strings.HasSuffix(u.Name, s) {
			return true
		}
	}
	return false
}

// CountsUnit reports whether a unit or coverage rule counts registry unit
// u: of the rule's level and class. The server's engine and the desktop
// both ask this, so they count the same units.
func (r MeasureRule) CountsUnit(u Unit) bool {
	return u.Code.Level() == r.Level && r.Units.Has(u)
}
