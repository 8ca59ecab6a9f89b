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
)

// The personal-data commands. Every listing and reveal is written to the
// access log under cli:LOGIN before it is printed.
//
//	persons list   --data DIR --unit CODE [--json]
//	persons reveal --data DIR --id ID --reason TEXT [--json]
//	retention      --data DIR --unit CODE --keep-years N [--dry-run] [--json]
func init() {
	Register("persons list", personsList)
	Register("persons reveal", personsReveal)
	Register("retention", retention)
}

func personsList(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("persons list")
	unit := fs.String("unit", "", "unit code whose persons to list (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" {
		return fmt.Errorf("persons list: --unit is required")
	}
	account := syncserver.CLIAccount(loginName())
	var list []syncserver.PersonInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		if list, err = s.Persons(ctx, schema.Code(*unit)); err != nil {
			return err
		}
		return s.LogExport(account, schema.Code(*unit), len(list))
	}, func(ac *AdminClient) error {
		v := url.Values{"unit": {*unit}, "account": {account}}
		return ac.Do(ctx, http.MethodGet, "/admin/persons?"+v.Encode(), nil, &list)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, list)
	}
	return printPersons(stdout, list)
}

func personsReveal(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("persons reveal")
	id := fs.String("id", "", "the person's record id (required)")
	reason := fs.String("reason", "", "why the full name and ID number are needed (required; kept in the access log)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" || strings.TrimSpace(*reason) == "" {
		return fmt.Errorf("persons reveal: --id and --reason are required")
	}
	req := syncserver.RevealRequest{Account: syncserver.CLIAccount(loginName()), ID: *id, Reason: *reason}
	var p syncserver.PersonInfo
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		p, _, err = s.RevealPerson(ctx, req.Account, "", req.ID, req.Reason)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/persons/reveal", req, &p)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, p)
	}
	return printPersons(stdout, []syncserver.PersonInfo{p})
}

func retention(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("retention")
	unit := fs.String("unit", "", "unit code (a county) whose persons to check (required)")
	keep := fs.Int("keep-years", 0, "the county's retention period in years, counted from death or moving away (required, at least 1)")
	dry := fs.Bool("dry-run", false, "list the persons due without erasing them")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req := syncserver.ErasureRequest{Unit: schema.Code(*unit), KeepYears: *keep, DryRun: *dry}
	var res syncserver.ErasureResult
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		res, err = s.ErasePersons(ctx, req)
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/retention", req, &res)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, res)
	}
	verb := "erased"
	if *dry {
		verb = "due for erasure (dry run, nothing changed)"
	}
	fmt.Fprintf(stdout, "%d persons who left on or before %s %s\n", len(res.Erased), res.Cutoff, verb)
	return printPersons(stdout, res.Erased)
}

func printPersons(w io.Writer, list []syncserver.PersonInfo) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUNIT\tNAME\tID NUMBER\tBORN\tCATEGORIES\tSTATUS")
	for _, p := range list {
		status := p.Status
		if p.LeftOn != "" {
			status += " " + p.LeftOn
		}
		if p.ErasedOn != "" {
			status += " (erased " + p.ErasedOn + ")"
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Unit, p.UnitName, p.Name, p.IDNumber, p.BirthDate,
			strings.Join(p.Categories, "、"), status)
	}
	return tw.Flush()
}
