package township

import (
	"flag"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
)

var updateReadings = flag.Bool("update", false, "rewrite readings.txt from go-pinyin's dictionary")

// TestReadingsTable holds readings.txt to go-pinyin's dictionary, every
// character of it; with -update it writes the file instead.
func TestReadingsTable(t *testing.T) {
	want := goPinyinTable()
	if *updateReadings {
		if err := os.WriteFile("readings.txt", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if readingTable != want {
		t.Fatal("readings.txt differs from go-pinyin's dictionary; run go test ./desktop/township -run TestReadingsTable -update")
	}
	n := 0
	for r := range pinyin.PinyinDict {
		if got, want := readingsOf(rune(r)), goPinyinReadings(rune(r)); got != want {
			t.Errorf("%c: %q, go-pinyin %q", r, got, want)
			if n++; n == 10 {
				t.FailNow()
			}
		}
	}
	for _, r := range []rune{'a', '1', '。', 0x10FFFF} {
		if got := readingsOf(r); got != "" {
			t.Errorf("%c: %q, want none", r, got)
		}
	}
}

func TestTableReadings(t *testing.T) {
	const table = "一 yi\n丁 ding|zheng\n七 qi\n"
	for _, c := range []struct {
		table string
		r     rune
		want  string
	}{
		{table, '一', "yi"},
		{table, '丁', "ding|zheng"},
		{table, '七', "qi"},
		{table, 'a', ""},          // before the first line
		{table, '丂', ""},          // between two lines
		{table, '龥', ""},          // after the last line
		{"一 yi\n七 qi", '七', "qi"}, // no newline at the end
		{"", '一', ""},
	} {
		if got := tableReadings(c.table, c.r); got != c.want {
			t.Errorf("%q in %q: %q, want %q", c.r, c.table, got, c.want)
		}
	}
}

// goPinyinTable is readings.txt as go-pinyin's dictionary gives it.
func goPinyinTable() string {
	runes := make([]rune, 0, len(pinyin.PinyinDict))
	for r := range pinyin.PinyinDict {
		runes = append(runes, rune(r))
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	var b strings.Builder
	for _, r := range runes {
		if rs := goPinyinReadings(r); rs != "" {
			b.WriteRune(r)
			b.WriteByte(' ')
			b.WriteString(rs)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// goPinyinReadings are r's toneless readings as go-pinyin gives them,
// deduplicated, joined by "|": only the letters a-z, ü typed v.
func goPinyinReadings(r rune) string {
	var out []string
	for _, p := range pinyin.SinglePinyin(r, pinyin.Args{Style: pinyin.Normal, Heteronym: true}) {
		p = strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r
			case r == 'ü':
				return 'v'
			}
			return -1
		}, strings.ToLower(p))
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return strings.Join(out, "|")
}
