package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/accesslog"
)

func init() { Register("audit", audit) }

// audit lists accepted changes: who set what, when the server got it;
// with --access, the access log: who saw whose personal data.
//
//	audit --data DIR [--unit CODE] [--kind KIND --id ID] [--limit N] [--json]
//	audit --data DIR --access [--unit CODE] [--id PERSON] [--limit N] [--json]
func audit(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("audit")
	unit := fs.String("unit", "", "only changes of records under this unit")
	kind := fs.String("kind", "", "only records of this kind")
	id := fs.String("id", "", "only this record")
	limit := fs.Int("limit", 200, "newest entries to show")
	asJSON := fs.Bool("json", false, "print JSON")
	access := fs.Bool("access", false, "list the access log (reveals, person pages, exports) instead of changes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *access {
		return accessLog(stdout, data.dir, accesslog.Query{Unit: schema.Code(*unit), Person: *id, Limit: *limit}, *asJSON)
	}
	q := syncserver.AuditQuery{Unit: schema.Code(*unit), Kind: schema.Kind(*kind), ID: *id, Limit: *limit}
	var list []syncserver.AuditEntry
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		list, err = s.Audit(ctx, q)
		return err
	}, func(ac *AdminClient) error {
		v := url.Values{"unit": {*unit}, "kind": {*kind}, "id": {*id}, "limit": {strconv.Itoa(*limit)}}
		return ac.Do(ctx, http.MethodGet, "/admin/audit?"+v.Encode(), nil, &list)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOG\tRECEIVED\tACCOUNT\tKIND\tID\tUNIT\tCHANGE")
	for _, e := range list {
		change := "delete"
		if !e.Delete {
			names := make([]string, 0, len(e.Fields))
			for n := range e.Fields {
				names = append(names, n)
			}
			sort.Strings(names)
			parts := make([]string, len(names))
			for i, n := range names {
				parts[i] = n + "=" + e.Fields[n]
			}
			change = strings.Join(parts, " ")
		}
		who := e.Account
		if e.Name != "" {
			who = e.Name + " (" + e.Account + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Received.Local().Format("2006-01-02 15:04:05"),
			who, e.Kind, e.ID, e.Unit, change)
	}
	return tw.Flush()
}

// accessLog prints the access log. It reads the file itself, running
// server or not: appends and reads share it through file locks.
func accessLog(stdout io.Writer, dir string, q accesslog.Query, asJSON bool) error {
	list, err := accesslog.Open(dir, nil).Read(q)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tACCOUNT\tACTION\tUNIT\tPERSON\tCOUNT\tREASON")
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Account, e.Action,
			e.Unit, e.Person, e.Count, e.Reason)
	}
	return tw.Flush()
}
