package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"

	"laoxiao/agent"
	"laoxiao/schema"
)

// maxReported bounds the problems import lists; past that the file is
// likely in the wrong layout and more lines would bury the first ones.
const maxReported = 50

// importErrors lists every problem of a file that was not imported, or
// of the rows of it that were not.
type importErrors struct {
	file     string
	header   string // the first line; "" says nothing of the file was imported
	problems []string
	more     int
}

// Error lists the problems one per line, row by row.
func (e *importErrors) Error() string {
	var b strings.Builder
	if e.header != "" {
		b.WriteString(e.header)
	} else {
		fmt.Fprintf(&b, "%s: %d problem(s); nothing of the file was imported (发现%d处错误，文件未导入任何记录):",
			e.file, len(e.problems)+e.more, len(e.problems)+e.more)
	}
	for _, p := range e.problems {
		b.WriteString("\n  ")
		b.WriteString(p)
	}
	if e.more > 0 {
		fmt.Fprintf(&b, "\n  … and %d more (还有%d处)", e.more, e.more)
	}
	return b.String()
}

func (e *importErrors) add(row int, format string, args ...any) {
	if len(e.problems) >= maxReported {
		e.more++
		return
	}
	e.problems = append(e.problems, fmt.Sprintf("row %d (第%d行): ", row, row)+fmt.Sprintf(format, args...))
}

func runImport(_ context.Context, s *agent.Store, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 {
		return usagef("import needs one FILE.csv (需要一个CSV文件)")
	}
	path := args[0]
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	items, rows, err := readImport(s, path, f)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		fmt.Fprintf(stdout, "%s: no rows to import (没有可导入的行)\n", path)
		return nil
	}
	chs, locked, err := s.PutBatchSkipLocked(items)
	if err != nil {
		var be *agent.BatchError
		if errors.As(err, &be) {
			return fmt.Errorf("%s: nothing of the file was imported (文件未导入任何记录); row %d (第%d行): %w",
				path, rows[be.Index], rows[be.Index], be.Err)
		}
		if errors.Is(err, agent.ErrBatchTooLarge) {
			return tooLarge(path, len(items), err)
		}
		return fmt.Errorf("%s: nothing of the file was imported (文件未导入任何记录): %w", path, err)
	}
	changed := 0
	for _, ch := range chs {
		if ch != nil {
			changed++
		}
	}
	done := len(items) - len(locked)
	fmt.Fprintf(stdout, "imported %d row(s) from %s: %d changed, %d unchanged (已导入%d行：%d条有修改，%d条无变化)\n",
		done, path, changed, done-changed, done, changed, done-changed)
	if len(locked) > 0 {
		return lockedRows(s, path, rows, locked)
	}
	return nil
}

// tooLarge says an import did not fit one transaction and, when the store
// said how many rows did, how large a file to import at a time. Rows are
// written all or nothing per file, so the file is not split behind the
// user's back: a failure midway would leave an unknown part imported.
func tooLarge(path string, rows int, err error) error {
	var tl *agent.BatchTooLargeError
	if !errors.As(err, &tl) || tl.Fit == 0 {
		return fmt.Errorf("%s: nothing of the file was imported: %d rows are too many to write at once; split the file into smaller files and import each (文件未导入：%d行过多，请拆分为多个较小的文件分别导入): %w",
			path, rows, rows, err)
	}
	// Later rows may be larger than the first ones: leave a tenth spare.
	most := max(1, tl.Fit*9/10)
	return fmt.Errorf("%s: nothing of the file was imported: %d rows are too many to write at once, the first %d fit; split the file into files of at most %d rows and import each (文件未导入：%d行过多，一次最多约%d行，请拆分为每个不超过%d行的文件分别导入): %w",
		path, rows, tl.Fit, most, rows, tl.Fit, most, err)
}

// lockedRows names the rows an import left out because a review lock
// covers them; the other rows are written. It is an error, so the command
// exits non-zero: the file did not go in whole.
func lockedRows(s *agent.Store, path string, rows []int, locked map[int]*schema.PeriodLockedError) error {
	e := &importErrors{file: path, header: fmt.Sprintf(
		"%s: %d row(s) not imported, their period is locked; the other rows were imported (%d行的期间已审核锁定，未导入；其余行已导入):",
		path, len(locked), len(locked))}
	for i, row := range rows {
		if le, ok := locked[i]; ok {
			e.add(row, "%s / %s", le.Error(), le.Zh(s.Divisions()))
		}
	}
	return e
}

// readImport parses and checks every row of the file, returning the items
// to write and each item's row number, or every problem found.
func readImport(s *agent.Store, path string, r io.Reader) ([]agent.Item, []int, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%s: empty file (文件为空)", path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	cols, err := parseHeader(header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: header row (表头): %w", path, err)
	}
	scope, err := s.Scope()
	if err != nil {
		return nil, nil, err
	}
	ctx := schema.ValidationContext{Divisions: s.Divisions(), Scope: scope, Now: s.Clock().Physical()}
	probs := &importErrors{file: path}
	var items []agent.Item
	var rows []int
	st := &importState{made: map[schema.Key]any{}, placeholders: map[string]string{}}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		row, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row = pe.StartLine
			}
			probs.add(row, "%v", err)
			break // the reader cannot be trusted past a syntax error
		}
		if blank(rec) {
			continue
		}
		it, ok := parseRow(s, cols, rec, row, st, probs)
		if !ok {
			continue
		}
		if ps := schema.ValidateRecord(it.Kind, it.Unit, it.Value, ctx); len(ps) > 0 {
			for _, p := range ps {
				probs.add(row, "%s: %s / %s", p.Field, p.En, p.Zh)
			}
			continue
		}
		if !st.refsKnown(s, it, row, probs) {
			continue
		}
		items = append(items, it)
		rows = append(rows, row)
	}
	if len(probs.problems) > 0 {
		return nil, nil, probs
	}
	return items, rows, nil
}

// placeholderPrefix marks a file-local id: a row with id new:f1 makes a
// record with a fresh id, and later rows refer to it as new:f1 (a capacity
// row's facility, a visit's person). Ids typed by hand, like F001, would
// collide with another township's F001 and merge two records into one.
const placeholderPrefix = "new:"

// refFields are the fields that hold another record's id.
var refFields = map[string]bool{"facility": true, "person": true, "supersedes": true}

// importState carries what earlier rows of a file made.
type importState struct {
	made         map[schema.Key]any // typed values by record, so a later row may edit them
	placeholders map[string]string  // new:… → the id made for it
}

// refsKnown reports problems with a row's references to a facility or a
// person the store and the earlier rows do not have. The store checks
// again when writing; checking here lists every such row, not the first.
func (st *importState) refsKnown(s *agent.Store, it agent.Item, row int, probs *importErrors) bool {
	var kind schema.Kind
	var id, field string
	switch v := it.Value.(type) {
	case *schema.Capacity:
		kind, id, field = schema.KindFacility, v.Facility, "capacity.facility"
	case *schema.Visit:
		kind, id, field = schema.KindPerson, v.Person, "visit.person"
	default:
		return true
	}
	if _, ok := st.made[schema.Key{Kind: kind, ID: id}]; ok {
		return true
	}
	if _, err := s.Get(kind, id); err == nil {
		return true
	}
	probs.add(row, "%s: no %s %q at this site or in an earlier row / 本站点及前面各行中没有%s“%s”", field, kind, id, kind.Label(), id)
	return false
}

// columns is the parsed header: where kind, unit and id are, and the field
// name of every other column.
type columns struct {
	kind, unit, id int
	fields         []column
	width          int
}

// column is a field column. A name qualified by a kind (facility.kind)
// applies to that kind's rows only; it is how a file names the facility's
// and the visit's kind fields, since the kind column is the record kind.
type column struct {
	index int
	name  string
	only  schema.Kind // "" for an unqualified name
}

func parseHeader(header []string) (columns, error) {
	c := columns{kind: -1, unit: -1, id: -1, width: len(header)}
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if name == "" {
			return c, fmt.Errorf("column %d has no name (第%d列缺少列名)", i+1, i+1)
		}
		if seen[name] {
			return c, fmt.Errorf("column %q appears twice (列“%s”重复)", name, name)
		}
		seen[name] = true
		switch name {
		case "kind":
			c.kind = i
		case "unit":
			c.unit = i
		case "id":
			c.id = i
		default:
			col := column{index: i, name: name}
			if k, f, qualified := strings.Cut(name, "."); qualified {
				kind, err := schema.ParseKind(k)
				if err != nil {
					return c, fmt.Errorf("column %q: %v (列名中的记录类型有误)", name, err)
				}
				if _, ok := fieldByName(kind, f); !ok {
					return c, fmt.Errorf("column %q: a %s record has no field %q (%s记录没有字段“%s”)", name, kind, f, kind.Label(), f)
				}
				col.name, col.only = f, kind
			} else if !anyKindHas(name) {
				return c, fmt.Errorf("column %q is not a field of any record kind (列“%s”不是任何记录类型的字段)", name, name)
			}
			c.fields = append(c.fields, col)
		}
	}
	if c.kind < 0 || c.unit < 0 {
		return c, fmt.Errorf("the header must have kind and unit columns, e.g. kind,unit,id,name,... (表头须包含 kind 和 unit 列)")
	}
	return c, nil
}

func header(c column) string {
	if c.only != "" {
		return string(c.only) + "." + c.name
	}
	return c.name
}

func anyKindHas(name string) bool {
	for _, k := range schema.Kinds {
		if _, ok := fieldByName(k, name); ok {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parseRow turns one row into an item, reporting problems under its row
// number. Cells are applied on top of the record as an earlier row left it,
// or as stored, so an empty cell keeps a value.
func parseRow(s *agent.Store, cols columns, rec []string, row int, st *importState, probs *importErrors) (agent.Item, bool) {
	if len(rec) != cols.width {
		probs.add(row, "%d cells, the header has %d (本行有%d列，表头有%d列)", len(rec), cols.width, len(rec), cols.width)
		return agent.Item{}, false
	}
	for i, cell := range rec {
		if !utf8.ValidString(cell) {
			probs.add(row, "column %d is not UTF-8 text; save the file as \"CSV UTF-8\" (第%d列不是UTF-8编码，请另存为“CSV UTF-8”格式)", i+1, i+1)
			return agent.Item{}, false
		}
	}
	cell := func(i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	kind, err := schema.ParseKind(cell(cols.kind))
	if err != nil {
		probs.add(row, "column kind: %v (记录类型有误)", err)
		return agent.Item{}, false
	}
	if !kind.SiteWritable() {
		probs.add(row, "column kind: %s (%s): %v", kind, kind.Label(), agent.ErrReadOnly)
		return agent.Item{}, false
	}
	unit := schema.Code(cell(cols.unit))
	id := cell(cols.id)
	if strings.HasPrefix(id, placeholderPrefix) {
		real, seen := st.placeholders[id]
		if !seen {
			real = schema.NewID()
			st.placeholders[id] = real
		}
		id = real
	}
	// Cells first on a zero record: they name a derived record's identity.
	var set []fieldArg
	ok := true
	for _, col := range cols.fields {
		name, v := col.name, cell(col.index)
		if v == "" {
			continue
		}
		f, has := fieldByName(kind, name)
		if !has || (col.only != "" && col.only != kind) {
			label := header(col)
			probs.add(row, "column %s: a %s record has no field %q; leave the cell empty (%s记录没有字段“%s”，请留空)", label, kind, label, kind.Label(), label)
			ok = false
			continue
		}
		if refFields[name] && strings.HasPrefix(v, placeholderPrefix) {
			real, known := st.placeholders[v]
			if !known {
				probs.add(row, "column %s: %q is not the id of an earlier row of this file (“%s”不是本文件前面某行的编号)", name, v, v)
				ok = false
				continue
			}
			v = real
		}
		set = append(set, fieldArg{f, v})
	}
	if !ok {
		return agent.Item{}, false
	}
	v, _ := schema.NewValue(kind)
	if err := applyFields(v, set); err != nil {
		probs.add(row, "%v", err)
		return agent.Item{}, false
	}
	if id == "" && derivedKind(kind) {
		if id, err = agent.RecordID(kind, "", unit, v); err != nil {
			probs.add(row, "%v", err)
			return agent.Item{}, false
		}
	}
	if id != "" {
		key := schema.Key{Kind: kind, ID: id}
		var base any
		if prev, seen := st.made[key]; seen {
			base = clone(prev)
		} else if r, stored, err := s.GetTyped(kind, id); err == nil {
			base = stored
			if unit == "" {
				unit = r.Unit
			}
		}
		if base != nil && kind != schema.KindVisit {
			if err := applyFields(base, set); err != nil {
				probs.add(row, "%v", err)
				return agent.Item{}, false
			}
			v = base
		}
		st.made[key] = v
	}
	return agent.Item{Kind: kind, ID: id, Unit: unit, Value: v}, true
}

// clone copies the struct a record pointer points to; setField replaces
// slices whole, so a shallow copy is enough.
func clone(v any) any {
	rv := reflect.ValueOf(v)
	c := reflect.New(rv.Elem().Type())
	c.Elem().Set(rv.Elem())
	return c.Interface()
}
