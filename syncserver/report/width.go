package report

import (
	"strings"

	"golang.org/x/text/width"
)

// displayWidth is how many terminal columns s takes: East Asian wide and
// fullwidth characters (汉字, fullwidth punctuation) take two, the rest
// one. Ambiguous characters (—, ·) take one, as in the terminals offices
// use with a Chinese locale's default fonts.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// pad aligns s in a field of w columns: right for numbers, left for text.
func pad(s string, w int, right bool) string {
	gap := w - displayWidth(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}
