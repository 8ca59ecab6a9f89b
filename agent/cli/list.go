package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"

	"laoxiao/agent"
	"laoxiao/schema"
)

// listedRecord is one record in list --format json.
type listedRecord struct {
	Kind     schema.Kind    `json:"kind"`
	ID       string         `json:"id"`
	Unit     schema.Code    `json:"unit"`
	UnitName string         `json:"unit_name"`
	Fields   map[string]any `json:"fields"`
}

func runList(_ context.Context, s *agent.Store, args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usagef("list needs a KIND (需要记录类型)")
	}
	kind, err := parseKind(args[0])
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	unit := fs.String("unit", "", "unit code prefix")
	format := fs.String("format", "text", "text or json")
	full := fs.Bool("full", false, "show persons' names and ID numbers in full")
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (多余的参数)", fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return usagef("--format must be text or json, not %q (输出格式应为 text 或 json)", *format)
	}
	var recs []listedRecord
	err = s.List(kind, schema.Code(*unit), func(r *schema.Record) error {
		typed, err := r.Typed()
		if err != nil {
			return err
		}
		fields := fieldMap(kind, typed)
		if !*full {
			maskFields(kind, fields)
		}
		recs = append(recs, listedRecord{Kind: kind, ID: r.ID, Unit: r.Unit,
			UnitName: s.Divisions().Name(r.Unit), Fields: fields})
		return nil
	})
	if err != nil {
		return err
	}
	if *format == "json" {
		if recs == nil {
			recs = []listedRecord{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(recs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fields := fieldsOf(kind)
	head := []string{"id", "unit", "unit_name"}
	for _, f := range fields {
		head = append(head, f.name)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range recs {
		row := []string{r.ID, string(r.Unit), r.UnitName}
		for _, f := range fields {
			row = append(row, formatField(reflect.ValueOf(r.Fields[f.name])))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d %s record(s) (条%s记录)\n", len(recs), kind, kind.Label())
	return err
}

// maskFields masks a person's name and ID number in place (schema.Mask):
// a listing is easily pasted into a chat or a ticket, so it shows them in
// full only when asked to.
func maskFields(kind schema.Kind, fields map[string]any) {
	for name, v := range fields {
		if str, ok := v.(string); ok && schema.Personal(kind, name) {
			fields[name] = schema.Mask(kind, name, str)
		}
	}
}
