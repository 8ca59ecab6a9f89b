package schema

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestBuiltinDivisions(t *testing.T) {
	d := BuiltinDivisions()
	city, ok := d.Lookup(BuiltinCity)
	if !ok || city.Name != "雅安市" || city.Level != LevelCity || city.Parent != "51" {
		t.Fatalf("Lookup(5118) = %+v, %v", city, ok)
	}
	counties := d.Children(BuiltinCity)
	if len(counties) != 8 {
		t.Errorf("雅安市 has %d counties, want 8", len(counties))
	}
	if got := d.Descendants(BuiltinCity, LevelCounty); !slices.Equal(got, counties) {
		t.Errorf("Descendants(county) = %v, want %v", got, counties)
	}
	townships := d.Descendants(BuiltinCity, LevelTownship)
	if len(townships) != 96 {
		t.Errorf("雅安市 has %d townships, want 96", len(townships))
	}
	if !slices.IsSorted(townships) {
		t.Error("Descendants is not sorted")
	}
	villages := d.Descendants(BuiltinCity, LevelVillage)
	if len(villages) == 0 {
		t.Error("no villages")
	}
	for _, v := range villages {
		if !v.Within(BuiltinCity) || v.Level() != LevelVillage {
			t.Fatalf("village %s is not a village under 5118", v)
		}
	}
	if got := d.Name("511802"); got != "雨城区" {
		t.Errorf("Name(511802) = %q", got)
	}
	if got := d.Name("999999"); got != "999999" {
		t.Errorf("Name of an unknown code = %q, want the code", got)
	}
	streets := 0
	for _, c := range townships {
		u, _ := d.Lookup(c)
		if u.IsStreet() {
			streets++
		}
	}
	if streets == 0 {
		t.Error("no 街道 among the townships")
	}
	// The national root lists the provinces.
	if got := d.Children(""); !slices.Equal(got, []Code{"51"}) {
		t.Errorf("Children(\"\") = %v, want [51]", got)
	}
}

func TestCodeLevels(t *testing.T) {
	for _, tc := range []struct {
		code   Code
		level  Level
		parent Code
	}{
		{"51", LevelProvince, ""},
		{"5118", LevelCity, "51"},
		{"511802", LevelCounty, "5118"},
		{"511802001", LevelTownship, "511802"},
		{"511802001001", LevelVillage, "511802001"},
		{"", LevelInvalid, ""},
		{"5", LevelInvalid, ""},
		{"51180", LevelInvalid, ""},
		{"5118020010", LevelInvalid, ""},
		{"51180200100a", LevelInvalid, ""},
		{"５１", LevelInvalid, ""}, // full-width digits
		{" 5118", LevelInvalid, ""},
	} {
		if got := tc.code.Level(); got != tc.level {
			t.Errorf("%q.Level() = %v, want %v", tc.code, got, tc.level)
		}
		if got := tc.code.Parent(); got != tc.parent {
			t.Errorf("%q.Parent() = %q, want %q", tc.code, got, tc.parent)
		}
		if got := tc.code.Valid(); got != (tc.level != LevelInvalid) {
			t.Errorf("%q.Valid() = %v", tc.code, got)
		}
	}
}

func TestCodeAncestor(t *testing.T) {
	v := Code("511802001001")
	for _, tc := range []struct {
		code  Code
		level Level
		want  Code
	}{
		{v, LevelProvince, "51"},
		{v, LevelCity, "5118"},
		{v, LevelCounty, "511802"},
		{v, LevelTownship, "511802001"},
		{v, LevelVillage, v},
		{"511802", LevelCounty, "511802"},
		{"511802", LevelTownship, ""}, // below the code
		{"5118", LevelInvalid, ""},
		{"51180", LevelProvince, ""}, // invalid code
	} {
		if got := tc.code.Ancestor(tc.level); got != tc.want {
			t.Errorf("%q.Ancestor(%v) = %q, want %q", tc.code, tc.level, got, tc.want)
		}
	}
}

func TestCodeWithin(t *testing.T) {
	for _, tc := range []struct {
		code, scope Code
		want        bool
	}{
		{"511802001001", "", true},
		{"511802001001", "51", true},
		{"511802001001", "5118", true},
		{"511802001001", "511802", true},
		{"511802001001", "511802001", true},
		{"511802001001", "511802001001", true},
		{"511802", "511802", true},
		{"511802", "511803", false},
		{"511803001", "511802", false},
		{"5118", "511802", false}, // above the scope
		{"51", "5118", false},
		{"511802001001", "5", false},     // a malformed scope grants nothing
		{"511802001001", "51180", false}, // nor does a half code
		{"51180200100x", "5118", false},  // a malformed code is in no scope
		{"", "5118", false},
	} {
		if got := tc.code.Within(tc.scope); got != tc.want {
			t.Errorf("%q.Within(%q) = %v, want %v", tc.code, tc.scope, got, tc.want)
		}
	}
}

func TestParseCodeAndLevel(t *testing.T) {
	if c, err := ParseCode(" 511802 "); err != nil || c != "511802" {
		t.Errorf("ParseCode(\" 511802 \") = %q, %v", c, err)
	}
	for _, bad := range []string{"", "5", "51180x", "5118020011"} {
		if _, err := ParseCode(bad); err == nil {
			t.Errorf("ParseCode(%q) accepted", bad)
		}
	}
	for l := LevelProvince; l <= LevelVillage; l++ {
		if got, err := ParseLevel(l.String()); err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), got, err)
		}
		if l.Label() == "" {
			t.Errorf("%v has no label", l)
		}
	}
	if _, err := ParseLevel("invalid"); err == nil {
		t.Error("ParseLevel(\"invalid\") accepted")
	}
	if Level(99).String() != "invalid" || Level(-1).Label() != "无效" {
		t.Error("out-of-range levels")
	}
}

func TestDivisionsAddKeepsChildrenSorted(t *testing.T) {
	d := NewDivisions()
	for _, u := range []Unit{
		{Code: "51", Name: "四川省", Level: LevelProvince},
		{Code: "5118", Name: "雅安市", Level: LevelCity, Parent: "51"},
		{Code: "511803", Name: "名山区", Level: LevelCounty, Parent: "5118"},
		{Code: "511802", Name: "雨城区", Level: LevelCounty, Parent: "5118"},
		{Code: "511827", Name: "宝兴县", Level: LevelCounty, Parent: "5118"},
		{Code: "511802", Name: "雨城区", Level: LevelCounty, Parent: "5118"}, // replaced, not duplicated
	} {
		if err := d.Add(u); err != nil {
			t.Fatal(err)
		}
	}
	if got := d.Children("5118"); !slices.Equal(got, []Code{"511802", "511803", "511827"}) {
		t.Errorf("Children = %v", got)
	}
	if d.Len() != 5 {
		t.Errorf("Len() = %d, want 5", d.Len())
	}
	for _, bad := range []Unit{
		{Code: "5118x", Name: "x", Level: LevelCity, Parent: "51"},
		{Code: "5118", Name: "x", Level: LevelCounty, Parent: "51"},
		{Code: "5118", Name: "x", Level: LevelCity, Parent: "52"},
		{Code: "5118", Name: "  ", Level: LevelCity, Parent: "51"},
	} {
		if err := d.Add(bad); err == nil {
			t.Errorf("Add(%+v) accepted", bad)
		}
	}
}

func TestReadDivisionsCSVBadRowReportsLine(t *testing.T) {
	for _, tc := range []struct {
		name, csv, line string
	}{
		{"bad level", "code,name,level,parent_code\n51,四川省,province,\n5118,雅安市,town,51\n", "line 3"},
		{"level does not fit code", "code,name,level,parent_code\n51,四川省,province,\n5118,雅安市,county,51\n", "line 3"},
		{"wrong parent", "code,name,level,parent_code\n51,四川省,province,\n5118,雅安市,city,52\n", "line 3"},
		{"bad code", "code,name,level,parent_code\n51,四川省,province,\n51x8,雅安市,city,51\n", "line 3"},
		{"empty name", "code,name,level,parent_code\n51,,province,\n", "line 2"},
		{"too few columns", "code,name,level,parent_code\n51,四川省,province,\n5118,雅安市,city\n", "line 3"},
		// A quoted name spanning two lines shifts physical lines away
		// from record numbers; the error must name the physical line.
		{"after a multi-line name", "code,name,level,parent_code\n51,\"四川\n省\",province,\n5118,雅安市,bogus,51\n", "line 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadDivisionsCSV(strings.NewReader(tc.csv))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.line) {
				t.Errorf("error %q does not name %s", err, tc.line)
			}
		})
	}
	// Without a header the first row is data.
	d, err := ReadDivisionsCSV(strings.NewReader("51,四川省,province,\n"))
	if err != nil || d.Len() != 1 {
		t.Errorf("headerless: %v, %v", d, err)
	}
}

// fullDivisions is the national registry shipped in the shared data
// folder, two levels above the module.
const fullDivisions = "../../shared/data/divisions.csv.gz"

func TestLoadFullDivisions(t *testing.T) {
	if testing.Short() {
		t.Skip("loading 665,276 units takes a few seconds; skipped in -short")
	}
	if _, err := os.Stat(fullDivisions); errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is absent (it lives in the shared data folder beside the repo); nothing to load", fullDivisions)
	}
	d, err := LoadDivisionsFile(fullDivisions)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 665276 {
		t.Errorf("loaded %d units, want 665276", d.Len())
	}
	// The data README says 34 provinces, 2,979 counties, 41,353 townships
	// and 620,574 villages, but the file holds 31 provinces (no 台湾, 香港,
	// 澳门) and one fewer of the others; the total is right either way.
	if got := len(d.Children("")); got != 31 {
		t.Errorf("%d provinces, want 31", got)
	}
	if got := len(d.Descendants(BuiltinCity, LevelTownship)); got != 96 {
		t.Errorf("雅安市 has %d townships in the full registry, want 96", got)
	}
	// The built-in demo registry is a faithful slice of the full one.
	demo := BuiltinDivisions()
	for _, c := range append(demo.Descendants("51", LevelVillage), demo.Descendants("51", LevelTownship)...) {
		u, ok := d.Lookup(c)
		du, _ := demo.Lookup(c)
		if !ok || u != du {
			t.Fatalf("demo unit %+v differs from the full registry's %+v", du, u)
		}
	}
}

func TestLoadDivisionsFileMissing(t *testing.T) {
	if _, err := LoadDivisionsFile("testdata/no-such-file.csv"); err == nil {
		t.Error("loading a missing file succeeded")
	}
}

func TestTownshipsOf(t *testing.T) {
	d := BuiltinDivisions()
	tests := []struct {
		unit Code
		want []Code
	}{
		{"511802", d.Descendants("511802", LevelTownship)},
		{"511802101", []Code{"511802101"}},
		{"511802101001", []Code{"511802101"}},
	}
	for _, tc := range tests {
		if got := d.TownshipsOf(tc.unit); !slices.Equal(got, tc.want) {
			t.Errorf("TownshipsOf(%s) = %v, want %v", tc.unit, got, tc.want)
		}
	}
	if n := len(d.TownshipsOf("511802")); n != 13 {
		t.Errorf("雨城区 has %d townships, want 13", n)
	}
}
