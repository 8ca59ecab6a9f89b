package cli

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"laoxiao/schema"
)

// field describes one field of a record type, named by its cbor key: the
// name changes travel under, and so the name users type (--beds_total, a
// beds_total column).
type field struct {
	name  string
	index int
	typ   reflect.Type
}

// fieldsOf lists the fields of kind's record type in declaration order,
// the order forms show them.
func fieldsOf(kind schema.Kind) []field {
	v, err := schema.NewValue(kind)
	if err != nil {
		return nil
	}
	t := reflect.TypeOf(v).Elem()
	out := make([]field, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("cbor"), ",")
		out = append(out, field{name: name, index: i, typ: t.Field(i).Type})
	}
	return out
}

func fieldByName(kind schema.Kind, name string) (field, bool) {
	for _, f := range fieldsOf(kind) {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func fieldNames(kind schema.Kind) []string {
	var out []string
	for _, f := range fieldsOf(kind) {
		out = append(out, f.name)
	}
	return out
}

// choicesFor returns the allowed values of an enumerated field type, so
// users may type either the value (public) or its Chinese label (公办).
func choicesFor(t reflect.Type) []schema.Choice {
	switch t {
	case reflect.TypeFor[schema.Ownership]():
		return schema.Ownerships
	case reflect.TypeFor[schema.Filing]():
		return schema.Filings
	case reflect.TypeFor[schema.FacilityStatus]():
		return schema.FacilityStatuses
	case reflect.TypeFor[schema.VisitKind]():
		return schema.VisitKinds
	case reflect.TypeFor[schema.SupportMode]():
		return schema.SupportModes
	case reflect.TypeFor[schema.PersonCategory]():
		return schema.PersonCategories
	case reflect.TypeFor[schema.ProjectKind]():
		return schema.ProjectKinds
	case reflect.TypeFor[schema.ProjectStatus]():
		return schema.ProjectStatuses
	case reflect.TypeFor[schema.ProgressStatus]():
		return schema.ProgressStatuses
	case reflect.TypeFor[schema.FacilityKind]():
		out := make([]schema.Choice, len(schema.FacilityKinds))
		for i, k := range schema.FacilityKinds {
			out[i] = schema.Choice{Value: string(k.Kind), Label: k.Label}
		}
		return out
	}
	return nil
}

// enumValue maps a Chinese label to its value; anything else passes through
// for validation to judge, so the message about an unknown value comes
// from one place.
func enumValue(t reflect.Type, s string) string {
	for _, c := range choicesFor(t) {
		if c.Label == s && c.Value != "" {
			return c.Value
		}
	}
	return s
}

// setField parses text into field f of the struct rv points to.
func setField(rv reflect.Value, f field, text string) error {
	dst := rv.Elem().Field(f.index)
	text = strings.TrimSpace(text)
	switch f.typ.Kind() {
	case reflect.String:
		dst.SetString(enumValue(f.typ, text))
	case reflect.Bool:
		b, ok := parseBool(text)
		if !ok {
			return fieldErr(f.name, text, "true or false", "是或否(true/false)")
		}
		dst.SetBool(b)
	case reflect.Int64:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return fieldErr(f.name, text, "a whole number", "整数")
		}
		dst.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSuffix(text, "%"), 64)
		if err != nil {
			return fieldErr(f.name, text, "a number", "数字")
		}
		dst.SetFloat(x)
	case reflect.Slice:
		// Lists (a person's categories) are written a,b or with the
		// separators a Chinese keyboard types.
		parts := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",，;；|、 ", r) })
		s := reflect.MakeSlice(f.typ, 0, len(parts))
		for _, p := range parts {
			e := reflect.New(f.typ.Elem()).Elem()
			e.SetString(enumValue(f.typ.Elem(), p))
			s = reflect.Append(s, e)
		}
		dst.Set(s)
	default:
		return fmt.Errorf("field %s: unsupported type %s", f.name, f.typ)
	}
	return nil
}

func fieldErr(name, text, want, wantZh string) error {
	return fmt.Errorf("field %s: %q is not %s (字段 %s 的值“%s”应为%s)", name, text, want, name, text, wantZh)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "t", "yes", "y", "1", "是", "有":
		return true, true
	case "false", "f", "no", "n", "0", "否", "无", "":
		return false, true
	}
	return false, false
}

// formatField renders a field for text output and CSV.
func formatField(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = v.Index(i).String()
		}
		return strings.Join(parts, ",")
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// fieldMap returns a typed record's fields by name, for JSON output.
func fieldMap(kind schema.Kind, typed any) map[string]any {
	rv := reflect.ValueOf(typed).Elem()
	out := map[string]any{}
	for _, f := range fieldsOf(kind) {
		out[f.name] = rv.Field(f.index).Interface()
	}
	return out
}
