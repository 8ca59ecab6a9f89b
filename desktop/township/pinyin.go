package township

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Township staff find a person by typing the pinyin of the name (zs or
// zhangsan for 张三), often mixed with characters (张s) or with digits of
// the ID number, and they expect lists in the pinyin order of their
// spreadsheets. Both rest on a name's key: one lowercase ASCII string
// made when a record is loaded, with one segment per character of the
// name, segments separated by a space and the readings of a character by
// "|", its usual reading first:
//
//	张三    zhang san
//	单雄信  shan|dan|chan xiong xin     (单 as a surname reads shan)
//	重阳    zhong|chong|tong yang
//	Tom李   t o m li
//
// An ASCII letter or digit is its own segment (lowercased); a character
// without pinyin (punctuation, a rare character the dictionary lacks) has
// an empty one. Matching walks the name and its key side by side and
// allocates nothing; sorting compares the usual readings segment by
// segment.

// readingsOf returns a character's readings without tones, deduplicated,
// the dictionary's first (most common) reading first, joined by "|"; ""
// if it has none. They come from readings.txt (see readings.go).
func readingsOf(r rune) string { return tableReadings(readingTable, r) }

// surnameReadings are the readings of characters that read differently
// as the first character of a person's name, the surname: 单雄信 is Shan
// Xiongxin, not Dan. Only surnames: every other reading comes from
// readings.txt. A compound surname gives one reading per character.
var surnameReadings = map[string][]string{
	"单": {"shan"}, "曾": {"zeng"}, "解": {"xie"}, "区": {"ou"}, "仇": {"qiu"},
	"查": {"zha"}, "朴": {"piao"}, "盖": {"ge"}, "缪": {"miao"}, "翟": {"zhai"},
	"繁": {"po"}, "员": {"yun"}, "乐": {"yue"}, "覃": {"qin"}, "重": {"chong"},
	"种": {"chong"}, "折": {"she"}, "黑": {"he"}, "牟": {"mou"}, "秘": {"bi"},
	"隗": {"wei"}, "冼": {"xian"}, "召": {"shao"}, "宓": {"fu"}, "洗": {"xian"},
	"句": {"gou"}, "阚": {"kan"},
	"尉迟": {"yu", "chi"}, "万俟": {"mo", "qi"}, "长孙": {"zhang", "sun"},
	"令狐": {"ling", "hu"}, "澹台": {"tan", "tai"},
}

// surnameSegments returns the key segments of the surname name starts
// with, if it is one of surnameReadings (compound surnames first): the
// surname reading first, then the character's other readings, so 单 is
// still found by dan. It returns the byte length of the surname too.
func surnameSegments(name string) ([]string, int) {
	end := 0
	var ends [2]int
	for i := range ends {
		_, sz := utf8.DecodeRuneInString(name[end:])
		end += sz
		ends[i] = end
	}
	for i := len(ends) - 1; i >= 0; i-- {
		surname := name[:ends[i]]
		rs, ok := surnameReadings[surname]
		if !ok || utf8.RuneCountInString(surname) != len(rs) {
			continue
		}
		segs := make([]string, 0, len(rs))
		for _, r := range surname {
			seg := rs[len(segs)]
			for _, other := range strings.Split(readingsOf(r), "|") {
				if other != "" && other != rs[len(segs)] {
					seg += "|" + other
				}
			}
			segs = append(segs, seg)
		}
		return segs, len(surname)
	}
	return nil, 0
}

// nameKeys is what a row keeps to be found and sorted by the pinyin of its
// name: 16 bytes of string header, about as many of key, and two masks.
type nameKeys struct {
	key string
	// starts has bit c-'a' set when a reading in key begins with the
	// letter c, letters when c occurs in one: a query whose first letter
	// starts no reading, or with a letter in none, cannot match, which
	// rules out most rows before their key is walked.
	starts, letters uint32
}

// makeNameKeys makes a name's keys. surname says the name is a person's,
// whose first character reads as a surname.
func makeNameKeys(name string, surname bool) nameKeys {
	k := nameKeys{key: nameKey(name, surname)}
	start := true
	for i := 0; i < len(k.key); i++ {
		c := k.key[i]
		switch {
		case c == ' ' || c == '|':
			start = true
			continue
		case c >= 'a' && c <= 'z':
			k.letters |= 1 << (c - 'a')
			if start {
				k.starts |= 1 << (c - 'a')
			}
		}
		start = false
	}
	return k
}

// nameKey makes the search and sort key of a name (see the top of this
// file). surname says the name is a person's, whose first character
// reads as a surname.
func nameKey(name string, surname bool) string {
	var buf [64]byte
	b := buf[:0]
	start := 0
	if surname {
		segs, n := surnameSegments(name)
		for i, s := range segs {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, s...)
		}
		start = n
	}
	for i, r := range name[start:] {
		if i > 0 || start > 0 {
			b = append(b, ' ')
		}
		r = narrow(r)
		switch {
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b = append(b, byte(r))
		case r >= utf8.RuneSelf:
			b = append(b, readingsOf(r)...)
		}
	}
	return string(b)
}

// narrow turns a full-width ASCII character (Ｚ, ２, typed with a Chinese
// input method) into its ASCII form.
func narrow(r rune) rune {
	if r >= '！' && r <= '～' {
		return r - '！' + '!'
	}
	if r == '\u3000' {
		return ' '
	}
	return r
}

// nameQuery is the name part of a search: ASCII letters lowercased (they
// match pinyin), anything else as typed (it matches the same character),
// spaces and apostrophes (xi'an) dropped.
type nameQuery struct {
	rs []rune
	// first is the bit of the first rune if it is a letter (see
	// nameKeys.starts), letters the bits of all the letters; lead is the
	// first rune if it is not ASCII (张 of 张s), which the name must hold.
	first, letters uint32
	lead           string
}

// add appends a typed rune to the query.
func (q *nameQuery) add(r rune) {
	r = narrow(r)
	switch {
	case separator(r):
		return
	case r >= 'A' && r <= 'Z':
		r += 'a' - 'A'
	}
	switch {
	case r >= 'a' && r <= 'z':
		if len(q.rs) == 0 {
			q.first = 1 << (r - 'a')
		}
		q.letters |= 1 << (r - 'a')
	case len(q.rs) == 0 && r >= utf8.RuneSelf:
		q.lead = string(r)
	}
	q.rs = append(q.rs, r)
}

// separator reports whether r only separates what is typed.
func separator(r rune) bool { return unicode.IsSpace(r) || r == '\'' || r == '’' }

// match reports whether the query matches a run of consecutive
// characters of name, whose keys are keys. Each character is matched by
// itself or by a non-empty prefix of one of its readings: zs, zhangs,
// zhangsan, 张s and 张san all match 张三. Punctuation inside the run (the
// · of 阿依古丽·买买提) may be left out of the query.
func (q *nameQuery) match(name string, keys *nameKeys) bool {
	if len(q.rs) == 0 {
		return true
	}
	if q.first&^keys.starts != 0 || q.letters&^keys.letters != 0 ||
		q.lead != "" && !strings.Contains(name, q.lead) {
		return false
	}
	key := keys.key
	for n, k := 0, 0; n < len(name); {
		if q.matchAt(name, key, n, k, 0) {
			return true
		}
		n += runeLen(name, n)
		for k < len(key) && key[k] != ' ' {
			k++
		}
		k++
	}
	return false
}

// runeLen returns the length of the UTF-8 character at name[n].
func runeLen(name string, n int) int {
	if name[n] < utf8.RuneSelf {
		return 1
	}
	_, sz := utf8.DecodeRuneInString(name[n:])
	return sz
}

// matchAt reports whether q.rs[j:] matches name from byte n on, whose key
// segment starts at k (past the end of key after the last). Backtracking
// is shallow in practice: a wrong prefix length fails at the very next
// character. It walks the key by hand: segments are a few bytes long, too
// short for strings.IndexByte to pay.
func (q *nameQuery) matchAt(name, key string, n, k, j int) bool {
	if j == len(q.rs) {
		return true
	}
	if n >= len(name) {
		return false
	}
	e := k // the segment is key[k:e]
	for e < len(key) && key[e] != ' ' {
		e++
	}
	sz := runeLen(name, n)
	c := q.rs[j]
	if c >= 'a' && c <= 'z' {
		for s := k; s < e; s++ {
			cp := 0
			for s+cp < e && key[s+cp] != '|' && j+cp < len(q.rs) && rune(key[s+cp]) == q.rs[j+cp] {
				cp++
			}
			for l := cp; l > 0; l-- {
				if q.matchAt(name, key, n+sz, e+1, j+l) {
					return true
				}
			}
			for s < e && key[s] != '|' {
				s++
			}
		}
	} else {
		r, _ := utf8.DecodeRuneInString(name[n:])
		if c == narrow(r) && q.matchAt(name, key, n+sz, e+1, j+1) {
			return true
		}
	}
	// Punctuation inside a match may be skipped; at its start the caller
	// tries the next character anyway.
	if j > 0 && k >= e {
		if r, _ := utf8.DecodeRuneInString(name[n:]); unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) {
			return q.matchAt(name, key, n+sz, e+1, j)
		}
	}
	return false
}

// compareKeys orders two keys by the usual reading of each character in
// turn, so that 西安 (xi an) comes before 先 (xian): a reading ends
// before any letter, and the segment with it. Keys that are equal this
// way belong to names equal in pinyin.
func compareKeys(ka, kb string) int {
	i, j := 0, 0
	for {
		for {
			ca, cb := readingByte(ka, i), readingByte(kb, j)
			if ca != cb {
				if ca < cb {
					return -1
				}
				return 1
			}
			if ca == 0 {
				break
			}
			i, j = i+1, j+1
		}
		for i < len(ka) && ka[i] != ' ' {
			i++
		}
		for j < len(kb) && kb[j] != ' ' {
			j++
		}
		switch endA, endB := i >= len(ka), j >= len(kb); {
		case endA && endB:
			return 0
		case endA:
			return -1
		case endB:
			return 1
		}
		i, j = i+1, j+1
	}
}

// readingByte returns key[i], or 0 where a reading ends.
func readingByte(key string, i int) byte {
	if i >= len(key) || key[i] == ' ' || key[i] == '|' {
		return 0
	}
	return key[i]
}

// CompareNames orders two names (of villages, of facilities) the way
// lists show them: by the pinyin of each character, then by the
// characters themselves. It computes both keys; the rows of a long list
// compare their keys made once (ComparePersons, CompareFacilities).
func CompareNames(a, b string) int {
	return compareNames(nameKey(a, false), nameKey(b, false), a, b)
}

// compareNames orders names by their keys (compareKeys), then by the
// characters. An empty name has no segment rather than one empty one,
// so it comes first.
func compareNames(ka, kb, a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	if c := compareKeys(ka, kb); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// containsFold reports whether s contains sub, which is upper case
// already, ignoring the case of ASCII letters in s (an ID number's x, a
// Latin street name), without allocating.
func containsFold(s, upperSub string) bool {
	if upperSub == "" {
		return true
	}
	if !hasASCIILetter(upperSub) {
		return strings.Contains(s, upperSub)
	}
outer:
	for i := 0; i+len(upperSub) <= len(s); i++ {
		for j := 0; j < len(upperSub); j++ {
			c := s[i+j]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			if c != upperSub[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// upperASCII upper-cases the ASCII letters of s only.
func upperASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}
