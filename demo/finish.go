package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/report"
	"laoxiao/syncserver/targets"
	"laoxiao/synth"
)

// finish imports the city's targets from its plan, splits them over the
// counties, and writes the breakdown table in every format.
func finish(ctx context.Context, srv *syncserver.Server, opts Options, say func(string, ...any)) error {
	sheet, err := planSheet(srv, opts.City)
	if err != nil {
		return err
	}
	sheetPath := filepath.Join(opts.Out, "targets-"+string(opts.City)+".csv")
	if err := os.WriteFile(sheetPath, sheet, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", sheetPath, err)
	}
	sum, err := srv.ImportTargets(ctx, sheet)
	if err != nil {
		return fmt.Errorf("import targets: %w", err)
	}
	say("目标已导入 / targets imported from the plan's table (%s): %+v", sheetPath, sum)

	// Every target with a number is split over the counties: counts in
	// proportion to the population they serve, rates as the city's rate.
	split := 0
	for _, p := range schema.PlanIndicators("") {
		if u, _ := srv.Divisions().Lookup(opts.City); p.Jurisdiction != u.Name {
			continue
		}
		if _, _, ok := schema.ParseTargetText(p.TargetText); !ok {
			continue
		}
		w := targets.WeightPop60
		if p.Domain == schema.DomainChildcare {
			w = targets.WeightPop0to3
		}
		req := targets.SplitRequest{Unit: opts.City, Indicator: p.Concept, Year: p.TargetYear, Value: p.TargetText, Weight: w}
		_, err := targets.Split(ctx, srv.Engine(), srv.Ingest(), req)
		if errors.Is(err, targets.ErrWholeTarget) {
			continue // the city's own (its one guidance centre): nothing to split
		}
		if err != nil {
			return fmt.Errorf("split %s: %w", p.Concept, err)
		}
		split++
	}
	say("目标已分解到各区县 / %d city targets split over the counties", split)

	// The plan's own indicators, after the totals its text states (beds,
	// beds per 1,000 elderly, childcare places), which offices check first.
	inds := []string{"beds_total", "beds_per_1000_elderly", "places_total"}
	for _, p := range schema.PlanIndicators("") {
		if u, _ := srv.Divisions().Lookup(opts.City); p.Jurisdiction == u.Name && !slices.Contains(inds, p.Concept) {
			inds = append(inds, p.Concept)
		}
	}
	tbl, err := report.Build(ctx, srv.Engine(), report.Options{Unit: opts.City, Year: synth.PlanYear, Indicators: inds})
	if err != nil {
		return fmt.Errorf("breakdown table: %w", err)
	}
	for _, f := range []report.Format{report.FormatXLSX, report.FormatCSV, report.FormatHTML} {
		var buf bytes.Buffer
		if err := tbl.Write(&buf, f); err != nil {
			return fmt.Errorf("render %s: %w", f, err)
		}
		p := filepath.Join(opts.Out, report.FileName(opts.City, synth.PlanYear, f))
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		say("已写出 / wrote %s", p)
	}
	return tbl.WriteText(opts.Stdout)
}

// planSheet is the target sheet a city office fills from its plan: the
// template's rows for the city itself, which carry the plan's baselines
// and targets as written.
func planSheet(srv *syncserver.Server, city schema.Code) ([]byte, error) {
	rows, err := targets.TemplateRows(srv.Divisions(), city)
	if err != nil {
		return nil, err
	}
	var own [][]string
	for _, r := range rows {
		if r[0] == string(city) {
			own = append(own, r)
		}
	}
	var buf bytes.Buffer
	if err := targets.WriteTemplateCSV(&buf, own); err != nil {
		return nil, err
	}
	if _, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll(); err != nil {
		return nil, fmt.Errorf("target sheet: %w", err)
	}
	return buf.Bytes(), nil
}
