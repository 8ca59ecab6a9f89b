package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"laoxiao/agent"
	"laoxiao/schema"
)

// fieldArg is one --field value of the add command, in the order given.
type fieldArg struct {
	f   field
	val string
}

type addArgs struct {
	unit   schema.Code
	id     string
	fields []fieldArg
}

// parseAddArgs reads --unit, --id and --FIELD VALUE pairs. A bool field
// may stand alone (--inclusive) to mean true.
func parseAddArgs(kind schema.Kind, args []string) (addArgs, error) {
	var a addArgs
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") {
			return a, usagef("unexpected argument %q: want --FIELD VALUE (参数格式应为 --字段 值)", arg)
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		next := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", usagef("--%s needs a value (--%s 缺少取值)", name, name)
			}
			i++
			return args[i], nil
		}
		switch name {
		case "unit":
			v, err := next()
			if err != nil {
				return a, err
			}
			a.unit = schema.Code(strings.TrimSpace(v))
			continue
		case "id":
			v, err := next()
			if err != nil {
				return a, err
			}
			a.id = strings.TrimSpace(v)
			continue
		}
		f, ok := fieldByName(kind, name)
		if !ok {
			return a, usagef("a %s record has no field %q (%s记录没有字段“%s”); fields: %s",
				kind, name, kind.Label(), name, strings.Join(fieldNames(kind), ", "))
		}
		if f.typ.Kind() == reflect.Bool && !hasVal {
			val = "true"
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				if _, ok := parseBool(args[i+1]); ok {
					i++
					val = args[i]
				}
			}
		} else {
			v, err := next()
			if err != nil {
				return a, err
			}
			val = v
		}
		a.fields = append(a.fields, fieldArg{f, val})
	}
	return a, nil
}

func applyFields(v any, fields []fieldArg) error {
	rv := reflect.ValueOf(v)
	for _, fa := range fields {
		if err := setField(rv, fa.f, fa.val); err != nil {
			return err
		}
	}
	return nil
}

// derivedKind reports whether kind's ids derive from its fields.
func derivedKind(kind schema.Kind) bool {
	return kind == schema.KindCapacity || kind == schema.KindPopulation || kind == schema.KindReported
}

func runAdd(_ context.Context, s *agent.Store, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("add needs a KIND (需要记录类型): facility, capacity, person, visit, population, reported")
	}
	kind, err := parseKind(args[0])
	if err != nil {
		return err
	}
	if !kind.SiteWritable() {
		return fmt.Errorf("%s (%s): %w", kind, kind.Label(), agent.ErrReadOnly)
	}
	a, err := parseAddArgs(kind, args[1:])
	if err != nil {
		return err
	}
	v, err := schema.NewValue(kind)
	if err != nil {
		return err
	}
	if err := applyFields(v, a.fields); err != nil {
		return err
	}
	id := a.id
	if id == "" && derivedKind(kind) {
		if id, err = agent.RecordID(kind, "", a.unit, v); err != nil {
			return err
		}
	}
	unit := a.unit
	if id != "" && kind != schema.KindVisit {
		// Editing: start from the stored record so fields not given keep
		// their values instead of being zeroed.
		rec, stored, err := s.GetTyped(kind, id)
		switch {
		case err == nil:
			if unit == "" {
				unit = rec.Unit
			}
			if err := applyFields(stored, a.fields); err != nil {
				return err
			}
			v = stored
		case !errors.Is(err, agent.ErrNotFound):
			return err
		}
	}
	if unit == "" {
		return usagef("--unit CODE is required (需要 --unit 单位代码)")
	}
	ch, err := s.Put(kind, id, unit, v)
	if err != nil {
		return err
	}
	if ch == nil {
		fmt.Fprintf(stderr, "%s %s unchanged (记录无变化)\n", kind, id)
		fmt.Fprintln(stdout, id)
		return nil
	}
	fmt.Fprintln(stdout, ch.ID)
	return nil
}
