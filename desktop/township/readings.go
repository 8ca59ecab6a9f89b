package township

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// readings.txt holds every character's toneless pinyin readings, one line
// per character in code point order: the character, a space, its
// readings joined by "|", the most common first (一 yi, 重
// zhong|chong|tong). It is go-pinyin's dictionary (MIT, from
// pinyin-data) as readingsOf used to ask it, written by
// TestReadingsTable -update: go-pinyin builds a map of its 41,000
// characters when the program starts, 1.7 MiB of heap for as long as the
// app runs, where this text stays in the binary and only the pages of the
// characters looked up are read.
//
//go:embed readings.txt
var readingTable string

// tableReadings finds rune r's readings in table, a text in readings.txt's
// form, by binary search over its lines; "" when r has no line.
func tableReadings(table string, r rune) string {
	lo, hi := 0, len(table) // both always at the start of a line
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(table[lo:mid], '\n') + 1
		end := start + strings.IndexByte(table[start:], '\n')
		if end < start {
			end = len(table) // the last line has no newline
		}
		c, size := utf8.DecodeRuneInString(table[start:])
		switch {
		case c == r:
			return table[min(start+size+1, end):end]
		case c < r:
			lo = end + 1
		default:
			hi = start
		}
	}
	return ""
}
