package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/duplicates"
)

func init() { Register("duplicates", duplicatesCmd) }

// duplicatesCmd lists the candidate duplicate persons and facilities of a
// unit with the evidence, names and ID numbers masked.
//
//	duplicates --data DIR --unit CODE [--json]
func duplicatesCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("duplicates")
	unit := fs.String("unit", "", "unit (county, township, …) whose records to check")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" {
		return fmt.Errorf("duplicates: --unit is required")
	}
	var gs []duplicates.Group
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		gs, err = s.Duplicates(ctx, schema.Code(*unit))
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodGet, "/admin/duplicates?"+url.Values{"unit": {*unit}}.Encode(), nil, &gs)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		if gs == nil {
			gs = []duplicates.Group{}
		}
		return printJSON(stdout, gs)
	}
	return writeDuplicates(stdout, gs)
}

// writeDuplicates prints each group and its members, one per line, so an
// office can copy the ids into `syncserver merge`.
func writeDuplicates(w io.Writer, gs []duplicates.Group) error {
	if len(gs) == 0 {
		_, err := fmt.Fprintln(w, "no candidate duplicates (未发现疑似重复记录)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, g := range gs {
		fmt.Fprintf(tw, "group %d\t%s\t%s\t%s\n", i+1, g.Kind.Label(), g.RuleLabel, g.Evidence)
		for _, m := range g.Members {
			detail := []string{m.Name}
			for _, s := range []string{m.IDNumber, m.BirthYear, m.Kind, m.Address} {
				if s != "" {
					detail = append(detail, s)
				}
			}
			refs := "visits"
			if g.Kind == schema.KindFacility {
				refs = "reports"
			}
			fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%d %s\n", m.ID, m.Unit, m.UnitName, strings.Join(detail, "  "), m.Refs, refs)
		}
	}
	return tw.Flush()
}
