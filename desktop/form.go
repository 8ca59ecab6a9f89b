package desktop

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"laoxiao/desktop/township"
	"laoxiao/schema"
)

// Form helpers: labelled inputs with a Chinese problem line under each,
// filled from schema.ValidateRecord's per-field problems.

// entry is a one-line input that passes Ctrl+S on to the app: a focused
// Fyne entry swallows shortcuts it does not know, and staff expect Ctrl+S
// to save wherever the cursor is.
type entry struct {
	widget.Entry
	u *UI
}

func newEntry(u *UI, placeholder string) *entry {
	e := &entry{u: u}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	return e
}

// TypedShortcut saves on Ctrl+S and leaves the rest to the entry.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if isSaveShortcut(s) && e.u != nil {
		e.u.saveCurrent()
		return
	}
	e.Entry.TypedShortcut(s)
}

func isSaveShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	return ok && cs.KeyName == fyne.KeyS && cs.Modifier == fyne.KeyModifierShortcutDefault
}

// form lays out labelled inputs and shows each problem beside its input.
type form struct {
	grid  *fyne.Container
	errs  map[string]*widget.Label
	other *widget.Label // problems without an input of their own
}

func newForm() *form {
	f := &form{grid: container.New(layout.NewFormLayout()), errs: map[string]*widget.Label{}, other: problemLabel()}
	return f
}

func problemLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// field adds an input; name is the record field whose problems it shows
// ("name" for facility.name), "" for none.
func (f *form) field(name, label string, input fyne.CanvasObject) {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{})
	if name == "" {
		f.grid.Add(l)
		f.grid.Add(input)
		return
	}
	pl := problemLabel()
	f.errs[name] = pl
	f.grid.Add(l)
	f.grid.Add(container.NewVBox(input, pl))
}

// object is the form's widget tree.
func (f *form) object() fyne.CanvasObject { return container.NewVBox(f.grid, f.other) }

// show puts every problem beside its input, or under the form when the
// field has no input, and returns how many there were.
func (f *form) show(ps schema.Problems) int {
	f.clear()
	msgs := map[string][]string{}
	var other []string
	for _, p := range ps {
		name := township.FieldOf(p)
		if _, ok := f.errs[name]; ok {
			msgs[name] = append(msgs[name], p.Zh)
		} else {
			other = append(other, p.Zh)
		}
	}
	for name, m := range msgs {
		l := f.errs[name]
		l.SetText(strings.Join(m, "；"))
		l.Show()
	}
	if len(other) > 0 {
		f.other.SetText(strings.Join(other, "；"))
		f.other.Show()
	}
	return len(ps)
}

// clear hides every problem.
func (f *form) clear() {
	for _, l := range f.errs {
		if l.Visible() {
			l.SetText("")
			l.Hide()
		}
	}
	f.other.SetText("")
	f.other.Hide()
}

// has reports whether the form has an input for field name, so problems
// can be split between forms laid out side by side.
func (f *form) has(name string) bool {
	_, ok := f.errs[name]
	return ok
}

// problemText is the text shown beside field name (for tests).
func (f *form) problemText(name string) string {
	if l, ok := f.errs[name]; ok {
		return l.Text
	}
	return ""
}

// choiceSelect is a select over an enumeration: it shows the Chinese
// labels and gives back the stored values.
//
// It embeds widget.Select by value and registers itself with
// ExtendBaseWidget before anything else can: the window's canvas knows the
// outer *choiceSelect, and Select looks itself up there (through super())
// to place its pop-up. An embedded *widget.Select made by NewSelect would
// look up the inner pointer, which the canvas never saw, and the first
// click crashed the app in NewPopUpMenu (fyne-io/fyne#5965).
type choiceSelect struct {
	widget.Select
	choices []schema.Choice
}

func newChoiceSelect(choices []schema.Choice, placeholder string) *choiceSelect {
	labels := make([]string, len(choices))
	for i, c := range choices {
		labels[i] = c.Label
	}
	s := &choiceSelect{choices: choices}
	s.Options = labels
	s.PlaceHolder = placeholder
	s.ExtendBaseWidget(s)
	return s
}

// value returns the selected value, "" when nothing is selected.
func (s *choiceSelect) value() string {
	i := s.SelectedIndex()
	if i < 0 || i >= len(s.choices) {
		return ""
	}
	return s.choices[i].Value
}

// setValue selects the choice with value v, or clears the select.
func (s *choiceSelect) setValue(v string) {
	for i, c := range s.choices {
		if c.Value == v {
			s.SetSelectedIndex(i)
			return
		}
	}
	s.ClearSelected()
}

// setChoices replaces the choices, keeping the selected value when it is
// still offered, for selects whose options come from records (tasks,
// projects) and change on reload.
func (s *choiceSelect) setChoices(choices []schema.Choice) {
	keep := s.value()
	s.choices = choices
	s.Options = make([]string, len(choices))
	for i, c := range choices {
		s.Options[i] = c.Label
	}
	s.setValue(keep)
	s.Refresh()
}

// kindChoices are the facility kinds as choices.
func kindChoices() []schema.Choice {
	out := make([]schema.Choice, len(schema.FacilityKinds))
	for i, k := range schema.FacilityKinds {
		out[i] = schema.Choice{Value: string(k.Kind), Label: k.Label}
	}
	return out
}

// withAll prepends an "all" choice for filters.
func withAll(label string, cs []schema.Choice) []schema.Choice {
	return append([]schema.Choice{{Value: "", Label: label}}, cs...)
}

// parseCount reads a count typed into a cell or field: empty is 0, and
// full-width digits from a Chinese input method are accepted, because
// staff should not have to switch input methods to type a number. ok is
// false for anything that is not a whole number.
func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(halfWidth(s))
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// halfWidth turns full-width digits and minus into ASCII.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '－':
			return '-'
		}
		return r
	}, s)
}

// bold is a heading label.
func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// twoLineItem is a list row: a bold first line (a name) over a grey
// detail line, both cut with … when the list is narrow.
func twoLineItem() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	detail.Importance = widget.LowImportance
	detail.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(name, detail)
}

// hint is a low-importance explanatory label that wraps.
func hint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}
