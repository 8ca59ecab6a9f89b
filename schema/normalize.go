package schema

import (
	"strings"
	"unicode"
)

// Normalisation of names for finding duplicates. Two registrations of one
// person or facility rarely agree to the character: one laptop's input
// method typed full-width digits, one clerk put a space inside 张 桂英, the
// village wrote 石门村幸福院 and the township 草坝镇石门幸福院. These
// functions are the one place that decides which spellings are the same;
// the server's duplicate detection uses nothing else.

// foldWidth maps full-width ASCII (Ａ１，) to half-width and the
// ideographic space to a space, so an input method's width does not
// make two spellings differ.
func foldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// foldText folds widths, lower-cases Latin letters and drops spaces,
// punctuation and symbols (· • ( ) （ ） - and the like).
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(foldWidth(r))
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizePersonName returns the form of a person's name duplicates are
// compared by: widths folded, spaces and separators (the · of 阿依古丽·买买提,
// typed as ·, •, . or ・) dropped.
func NormalizePersonName(name string) string { return foldText(name) }

// NormalizeIDNumber returns an ID number as records compare it: widths
// folded, spaces dropped, a trailing x capitalised.
func NormalizeIDNumber(id string) string { return strings.ToUpper(foldText(id)) }

// NormalizeAddress returns the form of an address duplicates are compared
// by: widths folded, spaces and punctuation dropped (石门村3组 12号 and
// 石门村３组12号 are one address).
func NormalizeAddress(addr string) string { return foldText(addr) }

// unitWords are the words of administrative units that one writer puts in
// a facility's name and another leaves out (石门村幸福院, 石门幸福院),
// longest first so 村民委员会 is removed before 村.
var unitWords = []string{"村民委员会", "居民委员会", "村委会", "居委会", "社区", "街道", "村", "镇", "乡"}

// NormalizeFacilityName returns the form of a facility's name duplicates
// are compared by. The words of units (村, 社区, 居委会, 镇, …) are
// removed wherever they stand, then the names of the units the facility
// stands in (places: its village, its township), since one writer prefixes
// them and another does not (草坝镇石门村幸福院, 石门幸福院); a place name
// shorter than two characters once its unit word is gone is left alone,
// or 新村 would eat the 新 of every name. The text is folded as for
// persons. A name that would be left empty (the facility is called just
// 石门村) keeps its folded form.
func NormalizeFacilityName(name string, places ...string) string {
	folded := foldText(name)
	out := withoutUnitWords(folded)
	for _, p := range places {
		if stem := withoutUnitWords(foldText(p)); len([]rune(stem)) >= 2 {
			out = strings.ReplaceAll(out, stem, "")
		}
	}
	if out == "" {
		return folded
	}
	return out
}

// withoutUnitWords removes every unit word from s.
func withoutUnitWords(s string) string {
	for _, w := range unitWords {
		s = strings.ReplaceAll(s, w, "")
	}
	return s
}
