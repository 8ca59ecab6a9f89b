package syncserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/report"
	"laoxiao/syncserver/targets"
)

// maxSheetBytes bounds an uploaded target sheet; a city's targets take a
// few hundred kilobytes.
const maxSheetBytes = 16 << 20

// scanCacheSize is how many (unit, period) evaluations keep their county
// scans: a city's tables of a few periods and years, and its counties'.
// A kept evaluation holds per-township sums, a few kilobytes a county.
const scanCacheSize = 32

// Engine returns an indicator engine over the server's store and units.
// Its engines share one scan cache, so a report after a sync rescans
// only the counties the sync touched.
func (s *Server) Engine() *indicators.Engine {
	return &indicators.Engine{Store: s.st, Divisions: s.Divisions, Now: s.cfg.Now, Cache: s.scans}
}

// ImportTargets imports a target sheet (XLSX or CSV) whole or not at all.
func (s *Server) ImportTargets(ctx context.Context, data []byte) (targets.Summary, error) {
	return targets.Import(ctx, data, s.Divisions(), s.in, s.cfg.Now())
}

// TargetTemplate returns a target sheet template, with rows for unit and
// the units below it when unit is set.
func (s *Server) TargetTemplate(unit schema.Code, xlsx bool) ([]byte, error) {
	rows, err := targets.TemplateRows(s.Divisions(), unit)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if xlsx {
		err = targets.WriteTemplateXLSX(&buf, rows)
	} else {
		err = targets.WriteTemplateCSV(&buf, rows)
	}
	return buf.Bytes(), err
}

// reportRoutes adds the breakdown report (admin token or office accounts)
// and the target administration routes (admin token).
func (s *Server) reportRoutes(mux *http.ServeMux) {
	mux.Handle("GET "+report.BreakdownPath, &report.Handler{Engine: s.Engine(),
		AdminToken: func() string { return s.adminToken }, Registry: s.reg, Log: s.log})
	mux.HandleFunc("POST /admin/targets/import", s.admin(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSheetBytes))
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, "read sheet: "+err.Error())
			return
		}
		sum, err := s.ImportTargets(r.Context(), data)
		var ie *targets.ImportError
		switch {
		case errors.As(err, &ie):
			httpjson.Error(w, http.StatusBadRequest, err.Error())
		case err != nil:
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
		default:
			httpjson.Write(w, sum)
		}
	}))
	mux.HandleFunc("POST /admin/targets/split", s.admin(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			targets.SplitRequest
			DryRun bool `json:"dry_run"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad split request: "+err.Error())
			return
		}
		var res *targets.SplitResult
		var err error
		if req.DryRun {
			res, err = targets.PlanSplit(r.Context(), s.Engine(), req.SplitRequest)
		} else {
			res, err = targets.Split(r.Context(), s.Engine(), s.in, req.SplitRequest)
		}
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		httpjson.Write(w, res)
	}))
	mux.HandleFunc("GET /admin/targets/template", s.admin(func(w http.ResponseWriter, r *http.Request) {
		xlsx := r.URL.Query().Get("format") != "csv"
		b, err := s.TargetTemplate(schema.Code(r.URL.Query().Get("unit")), xlsx)
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		if xlsx {
			w.Header().Set("Content-Type", report.FormatXLSX.ContentType())
		} else {
			w.Header().Set("Content-Type", report.FormatCSV.ContentType())
		}
		w.Write(b)
	}))
}
