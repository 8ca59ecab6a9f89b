package schema

import (
	"bufio"
	"compress/gzip"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Unit is one administrative division.
type Unit struct {
	Code   Code   `cbor:"code" json:"code"`
	Name   string `cbor:"name" json:"name"`
	Level  Level  `cbor:"level" json:"level"`
	Parent Code   `cbor:"parent,omitempty" json:"parent,omitempty"`
}

// IsStreet reports whether a township-level unit is an urban street office
// (街道), which some indicators count apart from towns (镇) and townships (乡).
func (u Unit) IsStreet() bool {
	return u.Level == LevelTownship && strings.HasSuffix(u.Name, "街道")
}

// Divisions is an in-memory registry of units with a children index. It is
// safe for concurrent reads once loaded.
type Divisions struct {
	units    map[Code]Unit
	children map[Code][]Code
}

// NewDivisions returns an empty registry.
func NewDivisions() *Divisions {
	return &Divisions{units: make(map[Code]Unit), children: make(map[Code][]Code)}
}

// Len returns the number of units held.
func (d *Divisions) Len() int { return len(d.units) }

// Lookup returns the unit with the given code.
func (d *Divisions) Lookup(c Code) (Unit, bool) {
	u, ok := d.units[c]
	return u, ok
}

// Name returns the unit's name, or the code itself when unknown, so reports
// never print an empty cell.
func (d *Divisions) Name(c Code) string {
	if u, ok := d.units[c]; ok {
		return u.Name
	}
	return string(c)
}

// Children returns the codes directly below c, sorted. The empty code is
// the national root: its children are the provinces.
func (d *Divisions) Children(c Code) []Code { return d.children[c] }

// TownshipsOf returns the townships c covers: every registry township
// below a county, city or province; c itself for a township; the
// township of a village. Sync status, review and the office console list
// townships this way, so a township nobody entered anything for still
// shows.
func (d *Divisions) TownshipsOf(c Code) []Code {
	switch {
	case c.Level() < LevelTownship:
		return d.Descendants(c, LevelTownship)
	case c.Level() == LevelTownship:
		return []Code{c}
	}
	return []Code{c.Ancestor(LevelTownship)}
}

// Descendants returns every unit below c at level l, sorted by code.
func (d *Divisions) Descendants(c Code, l Level) []Code {
	var out []Code
	var walk func(Code)
	walk = func(p Code) {
		for _, ch := range d.children[p] {
			if ch.Level() == l {
				out = append(out, ch)
				continue
			}
			if ch.Level() < l {
				walk(ch)
			}
		}
	}
	walk(c)
	return out
}

// Add inserts or replaces a unit after checking its code, level and parent
// agree.
func (d *Divisions) Add(u Unit) error {
	if !u.Code.Valid() {
		return fmt.Errorf("unit %q: invalid code", u.Code)
	}
	if u.Level != u.Code.Level() {
		return fmt.Errorf("unit %s: level %s does not match a %d-digit code", u.Code, u.Level, len(u.Code))
	}
	if u.Parent != u.Code.Parent() {
		return fmt.Errorf("unit %s: parent %q, want %q", u.Code, u.Parent, u.Code.Parent())
	}
	if strings.TrimSpace(u.Name) == "" {
		return fmt.Errorf("unit %s: empty name", u.Code)
	}
	if _, exists := d.units[u.Code]; !exists {
		// Keep siblings sorted as they arrive, so Children is sorted for
		// registries built with Add too, not only for ones read from CSV.
		// Sorted input (the CSV is) appends at the end in O(log n).
		cs := d.children[u.Parent]
		i := sort.Search(len(cs), func(i int) bool { return cs[i] >= u.Code })
		d.children[u.Parent] = slices.Insert(cs, i, u.Code)
	}
	d.units[u.Code] = u
	return nil
}

// ReadDivisionsCSV reads the divisions format `code,name,level,parent_code`
// (with a header row) into a new registry. Input compressed with gzip is
// detected and decompressed. A bad row fails the whole read with its line
// number, so a registry is never half-loaded.
func ReadDivisionsCSV(r io.Reader) (*Divisions, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("divisions: gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = 4
	cr.ReuseRecord = true
	d := NewDivisions()
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("divisions: %w", err)
		}
		// The reader knows the physical line, which differs from the
		// record count once a quoted name spans lines.
		line, _ := cr.FieldPos(0)
		if first && rec[0] == "code" {
			continue
		}
		lvl, err := ParseLevel(rec[2])
		if err != nil {
			return nil, fmt.Errorf("divisions line %d: %w", line, err)
		}
		u := Unit{Code: Code(rec[0]), Name: rec[1], Level: lvl, Parent: Code(rec[3])}
		if err := d.Add(u); err != nil {
			return nil, fmt.Errorf("divisions line %d: %w", line, err)
		}
	}
	return d, nil
}

// LoadDivisionsFile reads a divisions CSV (plain or .gz) from disk.
func LoadDivisionsFile(path string) (*Divisions, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open divisions %s: %w", path, err)
	}
	defer f.Close()
	d, err := ReadDivisionsCSV(f)
	if err != nil {
		return nil, fmt.Errorf("load divisions %s: %w", path, err)
	}
	return d, nil
}

//go:embed divisions/yaan.csv
var builtinDivisions embed.FS

var (
	builtinOnce sync.Once
	builtinDivs *Divisions
)

// BuiltinDivisions returns the units built into every binary: 四川省 and
// 雅安市 down to its villages. It is the production default, not only the
// demo's: the server validates and scopes against it until a national
// file is loaded (syncserver units load), and an agent validates unit
// codes against it when given no other registry. The registry is shared
// by every caller: do not Add to it.
func BuiltinDivisions() *Divisions {
	builtinOnce.Do(func() {
		f, err := builtinDivisions.Open("divisions/yaan.csv")
		if err != nil {
			panic(fmt.Sprintf("embedded divisions: %v", err))
		}
		defer f.Close()
		d, err := ReadDivisionsCSV(f)
		if err != nil {
			panic(fmt.Sprintf("embedded divisions: %v", err))
		}
		builtinDivs = d
	})
	return builtinDivs
}

// BuiltinCity is the city the built-in units (BuiltinDivisions) describe:
// 雅安市. It is production data, not a demo's: until a national file is
// loaded, the server and the agents know this city's units and no others.
const BuiltinCity Code = "5118"

// Each calls fn for every unit, parents before children and in code
// order within a level.
func (d *Divisions) Each(fn func(Unit)) {
	codes := make([]Code, 0, len(d.units))
	for c := range d.units {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if len(codes[i]) != len(codes[j]) {
			return len(codes[i]) < len(codes[j])
		}
		return codes[i] < codes[j]
	})
	for _, c := range codes {
		fn(d.units[c])
	}
}

// BuildDivisions makes a registry from units in any order; a unit given
// twice keeps its last copy.
func BuildDivisions(units []Unit) (*Divisions, error) {
	sorted := append([]Unit(nil), units...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level < sorted[j].Level })
	d := NewDivisions()
	for _, u := range sorted {
		if err := d.Add(u); err != nil {
			return nil, err
		}
	}
	return d, nil
}
