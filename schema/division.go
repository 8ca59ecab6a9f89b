package schema

import (
	"fmt"
	"strings"
)

// Code is a statistical division code (统计用区划代码): 2 digits for a
// province, 4 for a city, 6 for a county, 9 for a township and 12 for a
// village or community. A unit's code is a prefix of the code of every unit
// below it, which is why stores key records by code: "everything in county
// 511802" is a single prefix scan, and scoping, authorisation and aggregation
// become one operation.
type Code string

// Level is the administrative level a code's length encodes.
type Level int

// The levels, top down.
const (
	LevelInvalid Level = iota
	LevelProvince
	LevelCity
	LevelCounty
	LevelTownship
	LevelVillage
)

var levelNames = [...]string{"invalid", "province", "city", "county", "township", "village"}
var levelLabels = [...]string{"无效", "省", "市", "区县", "乡镇(街道)", "村(社区)"}

// String returns the level's English name as used in the divisions CSV.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "invalid"
	}
	return levelNames[l]
}

// Label returns the level's Chinese name.
func (l Level) Label() string {
	if l < 0 || int(l) >= len(levelLabels) {
		return levelLabels[0]
	}
	return levelLabels[l]
}

// ParseLevel turns a CSV level name back into a Level.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if i > 0 && n == s {
			return Level(i), nil
		}
	}
	return LevelInvalid, fmt.Errorf("unknown division level %q", s)
}

// ParseCode checks that s has the shape of a division code: only digits and
// one of the lengths 2, 4, 6, 9 or 12. It does not check that the unit exists;
// Divisions.Lookup does.
func ParseCode(s string) (Code, error) {
	c := Code(strings.TrimSpace(s))
	if c.Level() == LevelInvalid {
		return "", fmt.Errorf("division code %q: want 2, 4, 6, 9 or 12 digits", s)
	}
	return c, nil
}

// Level returns the level the code's length stands for, or LevelInvalid if
// the code is not made of 2, 4, 6, 9 or 12 digits.
func (c Code) Level() Level {
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return LevelInvalid
		}
	}
	switch len(c) {
	case 2:
		return LevelProvince
	case 4:
		return LevelCity
	case 6:
		return LevelCounty
	case 9:
		return LevelTownship
	case 12:
		return LevelVillage
	}
	return LevelInvalid
}

// Valid reports whether the code has a valid shape.
func (c Code) Valid() bool { return c.Level() != LevelInvalid }

// Parent returns the code one level up, or "" for a province or an invalid
// code.
func (c Code) Parent() Code {
	switch c.Level() {
	case LevelCity:
		return c[:2]
	case LevelCounty:
		return c[:4]
	case LevelTownship:
		return c[:6]
	case LevelVillage:
		return c[:9]
	}
	return ""
}

// Ancestor returns the code's ancestor at level l, the code itself if it is
// at level l, or "" if l is below the code's level.
func (c Code) Ancestor(l Level) Code {
	n := l.codeLen()
	if n == 0 || !c.Valid() || n > len(c) {
		return ""
	}
	return c[:n]
}

// codeLen returns the length of codes at level l, or 0 for an invalid
// level.
func (l Level) codeLen() int {
	switch l {
	case LevelProvince:
		return 2
	case LevelCity:
		return 4
	case LevelCounty:
		return 6
	case LevelTownship:
		return 9
	case LevelVillage:
		return 12
	}
	return 0
}

// Within reports whether c is the unit scope or lies below it. An empty
// scope contains everything (the national root). A scope that is not a
// well-formed code contains nothing: a mistyped scope such as "5" must not
// quietly grant every unit whose code starts with 5.
func (c Code) Within(scope Code) bool {
	if scope == "" {
		return true
	}
	return c.Valid() && scope.Valid() && strings.HasPrefix(string(c), string(scope))
}
