package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/review"
)

func init() { Register("review", reviewCmd) }

// reviewCmd prints the period review list: each township's figures beside
// the previous period's, with what to check first flagged.
//
//	review --data DIR --unit COUNTY --period YYYY[-MM] [--json]
func reviewCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("review")
	unit := fs.String("unit", "", "county (or city, or township) whose townships to review")
	period := fs.String("period", "", "month YYYY-MM or year YYYY")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" || *period == "" {
		return fmt.Errorf("review: --unit and --period are required")
	}
	var rv *review.Review
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		rv, err = s.Review(ctx, schema.Code(*unit), *period)
		return err
	}, func(ac *AdminClient) error {
		q := url.Values{"unit": {*unit}, "period": {*period}}
		return ac.Do(ctx, http.MethodGet, "/admin/review?"+q.Encode(), nil, &rv)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, rv)
	}
	return rv.WriteText(stdout)
}
