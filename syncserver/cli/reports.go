package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/report"
	"laoxiao/syncserver/targets"
)

// The report and target commands:
//
//	report breakdown  --data DIR --unit CITY --year Y [--format xlsx|csv|html|text] [--out FILE] [--period YYYY-MM]
//	targets import    --data DIR FILE.xlsx|FILE.csv
//	targets template  --data DIR --out FILE.xlsx|FILE.csv [--unit CITY]
//	targets split     --data DIR --unit CITY --indicator ID --year Y --value V --weight pop60|pop|pop0_3|equal [--split-rates] [--dry-run]
func init() {
	Register("report breakdown", reportBreakdown)
	Register("targets import", targetsImport)
	Register("targets template", targetsTemplate)
	Register("targets split", targetsSplit)
}

func reportBreakdown(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("report breakdown")
	unit := fs.String("unit", "", "city (or county) code the table is about")
	year := fs.Int("year", 0, "target year, e.g. 2025")
	format := fs.String("format", "", "xlsx, csv, html or text (default: from --out's extension; text on stdout)")
	out := fs.String("out", "", "file to write (default: stdout)")
	period := fs.String("period", "", "as of YYYY-MM or YYYY (default: the whole target year once it is over, else this month)")
	inds := fs.String("indicators", "", "comma-separated indicator ids (default: those with targets and the unit's plan)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" || *year == 0 {
		return fmt.Errorf("report breakdown: --unit and --year are required")
	}
	f, err := outputFormat(*format, *out)
	if err != nil {
		return fmt.Errorf("report breakdown: %w", err)
	}
	o := report.Options{Unit: schema.Code(*unit), Year: *year}
	if *period != "" {
		if o.Period, err = indicators.ParsePeriod(*period); err != nil {
			return fmt.Errorf("report breakdown: %w", err)
		}
	}
	if *inds != "" {
		o.Indicators = strings.Split(*inds, ",")
	}
	var body []byte
	err = withServer(ctx, *data, func(s *syncserver.Server) error {
		t, err := report.Build(ctx, s.Engine(), o)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := t.Write(&buf, f); err != nil {
			return err
		}
		body = buf.Bytes()
		return nil
	}, func(ac *AdminClient) (err error) {
		q := url.Values{"unit": {*unit}, "year": {strconv.Itoa(*year)}, "format": {string(f)}}
		if *period != "" {
			q.Set("period", *period)
		}
		if *inds != "" {
			q.Set("indicators", *inds)
		}
		body, err = ac.raw(ctx, http.MethodGet, report.BreakdownPath+"?"+q.Encode(), nil)
		return err
	})
	if err != nil {
		return err
	}
	return writeOut(stdout, *out, body)
}

// outputFormat picks the format: the flag, else the file's extension,
// else text for a terminal.
func outputFormat(flagValue, out string) (report.Format, error) {
	if flagValue != "" {
		return report.ParseFormat(flagValue)
	}
	if out == "" {
		return report.FormatText, nil
	}
	if f, ok := report.FormatOf(out); ok {
		return f, nil
	}
	return "", fmt.Errorf("cannot tell the format of %s: give --format", out)
}

// writeOut writes to the file, or to stdout when there is none.
func writeOut(stdout io.Writer, out string, body []byte) error {
	if out == "" {
		_, err := stdout.Write(body)
		return err
	}
	if err := os.WriteFile(out, body, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", out, len(body))
	return nil
}

func targetsImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("targets import")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("targets import: give one file (.xlsx or .csv)")
	}
	sheet, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("targets import: %w", err)
	}
	var sum targets.Summary
	err = withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		sum, err = s.ImportTargets(ctx, sheet)
		return err
	}, func(ac *AdminClient) error {
		b, err := ac.raw(ctx, http.MethodPost, "/admin/targets/import", sheet)
		if err != nil {
			return err
		}
		return jsonUnmarshal(b, &sum)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d targets from %s", sum.Imported, fs.Arg(0))
	if sum.Skipped > 0 {
		fmt.Fprintf(stdout, " (%d rows without values skipped)", sum.Skipped)
	}
	fmt.Fprintln(stdout)
	return nil
}

func targetsTemplate(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("targets template")
	out := fs.String("out", "", "file to write: .xlsx or .csv")
	unit := fs.String("unit", "", "prefill rows for this city (or county) and the units below it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, ok := report.FormatOf(*out)
	if !ok || (f != report.FormatXLSX && f != report.FormatCSV) {
		return fmt.Errorf("targets template: --out must name a .xlsx or .csv file")
	}
	var body []byte
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		body, err = s.TargetTemplate(schema.Code(*unit), f == report.FormatXLSX)
		return err
	}, func(ac *AdminClient) (err error) {
		q := url.Values{"unit": {*unit}, "format": {string(f)}}
		body, err = ac.raw(ctx, http.MethodGet, "/admin/targets/template?"+q.Encode(), nil)
		return err
	})
	if err != nil {
		return err
	}
	return writeOut(stdout, *out, body)
}

func targetsSplit(ctx context.Context, args []string, stdout io.Writer) error {
	fs, data := newFlags("targets split")
	var req targets.SplitRequest
	unit := fs.String("unit", "", "the city whose target is split over its counties")
	fs.StringVar(&req.Indicator, "indicator", "", "indicator id")
	fs.IntVar(&req.Year, "year", 0, "target year")
	fs.StringVar(&req.Value, "value", "", "the city's target as written: 75000, ≥60, 4.5")
	weight := fs.String("weight", "pop60", "pop60, pop, pop0_3 or equal")
	fs.BoolVar(&req.SplitRates, "split-rates", false, "split a rate over the counties (to 0.1) instead of giving each the city's rate")
	scope := fs.String("scope", "", "each: a per-county minimum, every county gets the value; whole: the city's own, not split; empty: as the unit's plan says")
	dry := fs.Bool("dry-run", false, "show the split without writing it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req.Unit = schema.Code(*unit)
	req.Scope = schema.TargetScope(*scope)
	switch req.Scope {
	case schema.ScopeTotal, schema.ScopeEachBelow, schema.ScopeWhole:
	default:
		return fmt.Errorf("targets split: --scope %q: want each, whole or nothing", *scope)
	}
	var err error
	if req.Weight, err = targets.ParseWeight(*weight); err != nil {
		return fmt.Errorf("targets split: %w", err)
	}
	if req.Unit == "" || req.Indicator == "" || req.Year == 0 || req.Value == "" {
		return fmt.Errorf("targets split: --unit, --indicator, --year and --value are required")
	}
	var res *targets.SplitResult
	err = withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		if *dry {
			res, err = targets.PlanSplit(ctx, s.Engine(), req)
		} else {
			res, err = targets.Split(ctx, s.Engine(), s.Ingest(), req)
		}
		return err
	}, func(ac *AdminClient) error {
		res = new(targets.SplitResult)
		body := struct {
			targets.SplitRequest
			DryRun bool `json:"dry_run"`
		}{req, *dry}
		if err := ac.Do(ctx, http.MethodPost, "/admin/targets/split", body, res); err != nil {
			return err
		}
		res.Indicator, _ = schema.IndicatorByID(res.Request.Indicator)
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res.Describe())
	if *dry {
		fmt.Fprintln(stdout, "(dry run: nothing written)")
	}
	return nil
}

// raw sends a request with a raw body and returns the raw answer, for
// files (sheets, tables) that are not JSON.
func (a *AdminClient) raw(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if jsonUnmarshal(b, &e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return b, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
