package township

import (
	"fmt"
	mrand "math/rand"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/quick"

	"laoxiao/schema"
)

func person(id, name, idNumber string) Person {
	return NewPersonRow(id, town, schema.Person{Name: name, IDNumber: idNumber})
}

func TestPersonMatch(t *testing.T) {
	zhang := person("p1", "张三", "51180219570315001X")
	for _, c := range []struct {
		p     Person
		query string
		want  bool
	}{
		{zhang, "", true},
		{zhang, "张三", true},
		{zhang, "三", true},
		{zhang, "zs", true},
		{zhang, "zhangsan", true},
		{zhang, "ZhangSan", true},
		{zhang, "ZS", true},
		{zhang, "zhang san", true},
		{zhang, "zh s", true},
		{zhang, "zhangs", true},
		{zhang, "张s", true},
		{zhang, "张san", true},
		{zhang, "zhang三", true},
		{zhang, "ｚｓ", true}, // full-width, from a Chinese input method
		{zhang, "san", true},
		{zhang, "1957", true},
		{zhang, "0315001x", true},
		{zhang, "zs 1957", true},
		{zhang, "张三1957", true},
		{zhang, "zs1957", true},
		{zhang, "zs 1958", false},
		{zhang, "ls 1957", false},
		{zhang, "sz", false}, // order counts
		{zhang, "zhangsanf", false},
		{zhang, "zhangxan", false},
		{zhang, "张四", false},
		{zhang, "li", false},
		{zhang, "1234", false},
		{zhang, "s 0012", false},
		{person("p2", "单雄信", ""), "shan", true},
		{person("p2", "单雄信", ""), "sxx", true},
		{person("p2", "单雄信", ""), "shanxiongxin", true},
		{person("p2", "单雄信", ""), "单xx", true},
		{person("p2", "单雄信", ""), "dxx", true}, // other readings still match
		{person("p2", "单雄信", ""), "xx", true},
		{person("p2", "单雄信", ""), "zxx", false},
		{person("p3", "曾国藩", ""), "zeng", true},
		{person("p3", "曾国藩", ""), "zgf", true},
		{person("p3", "曾国藩", ""), "zengguofan", true},
		{person("p3", "曾国藩", ""), "zhgf", false},
		{person("p4", "解缙", ""), "xie", true},
		{person("p4", "解缙", ""), "xj", true},
		{person("p4", "解缙", ""), "xiejin", true},
		{person("p4", "解缙", ""), "xiej", true},
		{person("p4", "解缙", ""), "xq", false},
		{person("p5", "尉迟恭", ""), "yuchigong", true},
		{person("p5", "尉迟恭", ""), "ycg", true},
		{person("p6", "万俟卨", ""), "mq", true},
		{person("p7", "吕小红", ""), "lvxiaohong", true},
		{person("p7", "吕小红", ""), "lxh", true},
		{person("p8", "重阳", ""), "cy", true},
		{person("p8", "李重阳", ""), "lzy", true}, // 重 zhong inside a name
		{person("p8", "李重阳", ""), "lcy", true}, // and its other reading
		{person("p9", "阿依古丽·买买提", ""), "ayiguli maimaiti", true},
		{person("p9", "阿依古丽·买买提", ""), "aygl·mmt", true},
		{person("p9", "阿依古丽·买买提", ""), "gl mm", true},
		{person("p9", "阿依古丽·买买提", ""), "买买提", true},
		{person("p10", "Tom李", ""), "tomli", true},
		{person("p10", "Tom李", ""), "TOM", true},
		{person("p11", "西安", ""), "xian", true},
		{person("p11", "西安", ""), "xi'an", true},
		{person("p11", "西安", ""), "xa", true},
	} {
		if got := PersonMatch(&c.p, c.query); got != c.want {
			t.Errorf("PersonMatch(%s %s, %q) = %v, want %v (key %q)", c.p.Name, c.p.IDNumber, c.query, got, c.want, c.p.keys.key)
		}
	}
}

func TestFacilityMatch(t *testing.T) {
	f := Facility{ID: "f1", Unit: town, Facility: schema.Facility{Name: "草坝镇敬老院", Address: "福寿街12号 Building B",
		Kind: schema.FKTekunHome, Status: schema.StatusOperating}}
	for _, c := range []struct {
		ff   FacilityFilter
		want bool
	}{
		{FacilityFilter{}, true},
		{FacilityFilter{Text: "敬老院"}, true},
		{FacilityFilter{Text: "jly"}, true},
		{FacilityFilter{Text: "JLY"}, true},
		{FacilityFilter{Text: "jinglaoyuan"}, true},
		{FacilityFilter{Text: "cbz jly"}, true},
		{FacilityFilter{Text: "草坝镇jly"}, true},
		{FacilityFilter{Text: "草坝jly"}, false}, // 镇 left out: characters match in a run
		{FacilityFilter{Text: "zly"}, false},
		{FacilityFilter{Text: "福寿街"}, true},
		{FacilityFilter{Text: "building b"}, true},
		{FacilityFilter{Text: "12号"}, true},
		{FacilityFilter{Text: "fsj"}, false}, // the address is not searched by pinyin
		{FacilityFilter{Text: "jly", Kind: schema.FKTekunHome, Unit: town, Status: schema.StatusOperating}, true},
		{FacilityFilter{Text: "jly", Unit: "511802101200"}, false},
	} {
		if got := c.ff.Match(&f); got != c.want {
			t.Errorf("%+v matched %v, want %v", c.ff, got, c.want)
		}
	}
	// Facility names are not surnames: 曾 reads ceng, as go-pinyin has it.
	g := Facility{Facility: schema.Facility{Name: "曾家村幼儿园"}}
	if !(FacilityFilter{Text: "cjc"}).Match(&g) {
		t.Errorf("曾家村 not found by cjc")
	}
}

func TestMatchingAllocatesNothing(t *testing.T) {
	ps := []Person{person("a", "张三", "51180219570315001X"), person("b", "阿依古丽·买买提", ""), person("c", "单雄信", "")}
	for _, text := range []string{"zs", "zhangsan", "张s", "1957", "zs 1957", "gl mm", "nothing"} {
		q := NewPersonQuery(text)
		if n := testing.AllocsPerRun(100, func() {
			for i := range ps {
				q.Match(&ps[i])
			}
		}); n != 0 {
			t.Errorf("matching %q allocates %v times per run", text, n)
		}
	}
	fs := []Facility{{Facility: schema.Facility{Name: "草坝镇敬老院", Address: "福寿街12号"}}}
	fs[0].searchKeys()
	m := FacilityFilter{Text: "jly"}.Matcher()
	if n := testing.AllocsPerRun(100, func() { m.Match(&fs[0]) }); n != 0 {
		t.Errorf("matching a facility allocates %v times per run", n)
	}
}

func TestPinyinOrder(t *testing.T) {
	names := []string{"张三", "曾国藩", "白居易", "安禄山"}
	cp := slices.Clone(names)
	slices.Sort(cp)
	want := []string{"安禄山", "白居易", "曾国藩", "张三"}
	if slices.Equal(cp, want) {
		t.Fatalf("code-point order %v is already pinyin order: the test proves nothing", cp)
	}
	ps := make([]Person, len(names))
	for i, n := range names {
		ps[i] = person(fmt.Sprint("p", i), n, "")
	}
	sort.Slice(ps, func(i, j int) bool { return ComparePersons(&ps[i], &ps[j]) < 0 })
	var got []string
	for _, p := range ps {
		got = append(got, p.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("persons by pinyin: %v, want %v", got, want)
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"安", "白", -1},
		{"白", "曾", -1}, // ceng
		{"曾", "张", -1},
		{"西安", "先", -1}, // character by character: xi < xian
		{"张", "张三", -1},
		{"张三", "章三", -1}, // the same pinyin: by the characters
		{"章三", "张三", 1},
		{"李", "李", 0},
		{"", "阿", -1},
		{"Tom", "王", -1}, // t < wang
		{"第2幼儿园", "第3幼儿园", -1},
		{"重庆", "中国", 1}, // 重 reads zhong first: zhong qing after zhong guo
		{"重庆", "中庆", 1}, // the same usual pinyin: 重 U+91CD after 中 U+4E2D
	} {
		if got := CompareNames(c.a, c.b); sign(got) != c.want {
			t.Errorf("CompareNames(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	// As a person's surname 曾 reads zeng: before 张 (zhang), after 陈
	// (chen); as a name, ceng, before 陈.
	if c := ComparePersons(&Person{Person: schema.Person{Name: "曾"}}, &Person{Person: schema.Person{Name: "张"}}); c >= 0 {
		t.Errorf("person 曾 (zeng) sorts after 张 (zhang)")
	}
	if c := ComparePersons(&Person{Person: schema.Person{Name: "曾"}}, &Person{Person: schema.Person{Name: "陈"}}); c <= 0 {
		t.Errorf("person 曾 (zeng) sorts before 陈 (chen), as ceng would")
	}
	if c := CompareNames("曾", "陈"); c >= 0 {
		t.Errorf("name 曾 (ceng) sorts after 陈 (chen)")
	}
	// Villages: the area's own unit first, then its villages by pinyin.
	a, err := NewArea(schema.BuiltinDivisions(), town)
	if err != nil {
		t.Fatal(err)
	}
	if a.Units[0].Code != town || a.UnitLabels()[0] != "草坝镇(本级)" {
		t.Errorf("the area's own unit is not first: %v", a.UnitLabels()[:2])
	}
	vs := a.Units[1:]
	if !slices.IsSortedFunc(vs, func(x, y schema.Unit) int { return CompareNames(x.Name, y.Name) }) {
		t.Errorf("villages not in pinyin order: %v", a.UnitLabels())
	}
	if slices.IsSortedFunc(vs, func(x, y schema.Unit) int { return strings.Compare(x.Name, y.Name) }) {
		t.Logf("note: the demo villages' code-point order equals their pinyin order")
	}
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// testRunes are the characters random names are made of: polyphones,
// surnames with their own reading, compound surnames, Latin letters,
// digits, punctuation and characters without pinyin.
var testRunes = []rune("张章三单曾解尉迟万俟长孙重种乐西安先李A a1·〇\U00020000")

// randomRow is a facility or person row for the properties.
type randomRow struct {
	Unit schema.Code
	Name string
	ID   string
}

// Generate makes short names of testRunes, in two villages, with ids
// that repeat, so that equal names and equal rows occur.
func (randomRow) Generate(r *mrand.Rand, _ int) reflect.Value {
	rs := make([]rune, r.Intn(5))
	for i := range rs {
		rs[i] = testRunes[r.Intn(len(testRunes))]
	}
	return reflect.ValueOf(randomRow{Unit: schema.Code([]string{"511802101200", "511802101201"}[r.Intn(2)]),
		Name: string(rs), ID: fmt.Sprint(r.Intn(20))})
}

func facilityRows(rs ...randomRow) []Facility {
	out := make([]Facility, len(rs))
	for i, r := range rs {
		out[i] = Facility{ID: r.ID, Unit: r.Unit, Facility: schema.Facility{Name: r.Name}}
	}
	return out
}

// strictWeakOrder checks cmp over n items: irreflexive, antisymmetric,
// transitive, and with equivalence (neither less) transitive too.
func strictWeakOrder(n int, cmp func(i, j int) int) bool {
	for i := 0; i < n; i++ {
		if cmp(i, i) != 0 {
			return false
		}
		for j := 0; j < n; j++ {
			if sign(cmp(i, j)) != -sign(cmp(j, i)) {
				return false
			}
			for k := 0; k < n; k++ {
				if cmp(i, j) < 0 && cmp(j, k) < 0 && cmp(i, k) >= 0 {
					return false
				}
				if cmp(i, j) == 0 && cmp(j, k) == 0 && cmp(i, k) != 0 {
					return false
				}
			}
		}
	}
	return true
}

func TestCompareIsAStrictWeakOrder(t *testing.T) {
	prop := func(a, b, c randomRow) bool {
		rows := []randomRow{a, b, c}
		ps := make([]Person, len(rows))
		for i, r := range rows {
			ps[i] = Person{ID: r.ID, Unit: r.Unit, Person: schema.Person{Name: r.Name}}
		}
		fs := facilityRows(rows...)
		return strictWeakOrder(3, func(i, j int) int { return ComparePersons(&ps[i], &ps[j]) }) &&
			strictWeakOrder(3, func(i, j int) int { return CompareFacilities(&fs[i], &fs[j]) }) &&
			strictWeakOrder(3, func(i, j int) int { return CompareNames(rows[i].Name, rows[j].Name) })
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 3000}); err != nil {
		t.Error(err)
	}
}

// The facilities tab keeps its list sorted by inserting a saved row where
// sort.Search puts it (facilitiesTab.put): the list must stay sorted, and
// be the list a full sort of all the rows gives.
func TestCompareAgreesWithInsertion(t *testing.T) {
	insert := func(rows []randomRow, x randomRow) bool {
		all := facilityRows(rows...)
		sort.Slice(all, func(i, j int) bool { return CompareFacilities(&all[i], &all[j]) < 0 })
		f := facilityRows(x)[0]
		at := sort.Search(len(all), func(i int) bool { return CompareFacilities(&all[i], &f) > 0 })
		all = slices.Insert(all, at, f)
		want := facilityRows(append(slices.Clone(rows), x)...)
		sort.Slice(want, func(i, j int) bool { return CompareFacilities(&want[i], &want[j]) < 0 })
		for i := range all {
			if CompareFacilities(&all[i], &want[i]) != 0 {
				return false
			}
		}
		return slices.IsSortedFunc(all, func(a, b Facility) int { return CompareFacilities(&a, &b) })
	}
	if err := quick.Check(insert, &quick.Config{MaxCount: 1000}); err != nil {
		t.Error(err)
	}
}

// benchmarkPersons makes n persons with names like the demo's: a common
// surname (some polyphonic) and one or two given characters.
func benchmarkPersons(n int) []Person {
	rng := rand.New(rand.NewPCG(7, 7))
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢单解查翟乐")
	given := []rune("秀英华明丽芳军强伟敏静玉兰桂珍国建平红霞文德福贵长重乐行和三淑顺生胜素树山")
	out := make([]Person, n)
	for i := range out {
		name := []rune{surnames[rng.IntN(len(surnames))], given[rng.IntN(len(given))]}
		if rng.IntN(3) > 0 {
			name = append(name, given[rng.IntN(len(given))])
		}
		id := fmt.Sprintf("5118021%04d%02d%02d%03d%d", 1930+rng.IntN(90), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(1000), rng.IntN(10))
		out[i] = NewPersonRow(fmt.Sprint(i), town, schema.Person{Name: string(name), IDNumber: id})
	}
	return out
}

// BenchmarkPersonMatch100k filters 100,000 persons as the persons tab
// does on every keystroke; one op is the whole list.
func BenchmarkPersonMatch100k(b *testing.B) {
	ps := benchmarkPersons(100_000)
	keyBytes := 0
	for i := range ps {
		keyBytes += len(ps[i].keys.key)
	}
	for _, text := range []string{"z", "zs", "zhangsan", "张s", "wxy", "1957", "zs 1957", "xyz"} {
		b.Run(text, func(b *testing.B) {
			q := NewPersonQuery(text)
			shown := make([]int, 0, len(ps))
			b.ReportAllocs()
			for b.Loop() {
				shown = shown[:0]
				for i := range ps {
					if q.Match(&ps[i]) {
						shown = append(shown, i)
					}
				}
			}
			b.ReportMetric(float64(len(shown)), "matches")
			b.ReportMetric(float64(keyBytes)/float64(len(ps)), "key-bytes/person")
		})
	}
}

// BenchmarkPersonKeys100k makes the search keys of 100,000 persons, as
// LoadPersons does once per load.
func BenchmarkPersonKeys100k(b *testing.B) {
	ps := benchmarkPersons(100_000)
	b.ReportAllocs()
	for b.Loop() {
		for i := range ps {
			ps[i].keys = nameKeys{}
			ps[i].searchKeys()
		}
	}
}

// BenchmarkSortPersons100k sorts 100,000 persons by pinyin, as
// LoadPersons does.
func BenchmarkSortPersons100k(b *testing.B) {
	ps := benchmarkPersons(100_000)
	rows := make([]Person, len(ps))
	b.ReportAllocs()
	for b.Loop() {
		copy(rows, ps)
		sort.Slice(rows, func(i, j int) bool { return ComparePersons(&rows[i], &rows[j]) < 0 })
	}
}
