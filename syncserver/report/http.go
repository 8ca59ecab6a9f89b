package report

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/devices"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/store"
)

// BreakdownPath is where the server serves breakdown tables.
const BreakdownPath = "/v1/reports/breakdown"

// Handler serves breakdown tables:
//
//	GET /v1/reports/breakdown?unit=5118&year=2025&format=xlsx[&period=2025-06][&indicators=a,b]
//
// to the admin token, or to an office account whose scope contains the
// unit: a county office reads its county, a city office its city and
// counties. Site devices are refused: township staff see their own
// figures in the desktop app.
type Handler struct {
	Engine *indicators.Engine
	// AdminToken returns the server's admin bearer token.
	AdminToken func() string
	Registry   *devices.Registry
	Log        *slog.Logger
}

// ServeHTTP builds the table asked for and sends it; it renders into
// memory first, so a failure is an error status, not half a file.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	unit, err := schema.ParseCode(q.Get("unit"))
	if err != nil {
		httpjson.Error(w, http.StatusBadRequest, "unit: "+err.Error())
		return
	}
	if status, msg := h.authorise(r, unit); status != http.StatusOK {
		httpjson.Error(w, status, msg)
		return
	}
	o := Options{Unit: unit}
	if o.Year, err = strconv.Atoi(q.Get("year")); err != nil {
		httpjson.Error(w, http.StatusBadRequest, fmt.Sprintf("year %q: want a target year such as 2025", q.Get("year")))
		return
	}
	format := FormatXLSX
	if s := q.Get("format"); s != "" {
		if format, err = ParseFormat(s); err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	if s := q.Get("period"); s != "" {
		if o.Period, err = indicators.ParsePeriod(s); err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	if s := q.Get("indicators"); s != "" {
		o.Indicators = strings.Split(s, ",")
	}
	divs := schema.BuiltinDivisions()
	if h.Engine.Divisions != nil {
		divs = h.Engine.Divisions()
	}
	if _, ok := divs.Lookup(unit); !ok {
		httpjson.Error(w, http.StatusNotFound, fmt.Sprintf("unit %s is not in the division registry", unit))
		return
	}
	t, err := Build(r.Context(), h.Engine, o)
	if err != nil {
		h.log().Error("breakdown failed", "unit", unit, "year", o.Year, "err", err)
		httpjson.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	var buf bytes.Buffer
	if err := t.Write(&buf, format); err != nil {
		h.log().Error("breakdown render failed", "unit", unit, "format", format, "err", err)
		httpjson.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", format.ContentType())
	disposition := "inline"
	if format == FormatXLSX || format == FormatCSV {
		disposition = "attachment"
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s"`, disposition, FileName(unit, o.Year, format)))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// FileName is the file a table is saved as: breakdown-5118-2025.xlsx.
func FileName(unit schema.Code, year int, f Format) string {
	return fmt.Sprintf("breakdown-%s-%d.%s", unit, year, f.Ext())
}

// authorise checks the bearer token: the admin token, or an office
// account whose scope contains the unit.
func (h *Handler) authorise(r *http.Request, unit schema.Code) (int, string) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		return http.StatusUnauthorized, "bearer token required / 需要登录凭证"
	}
	if h.AdminToken != nil {
		if admin := h.AdminToken(); admin != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(admin)) == 1 {
			return http.StatusOK, ""
		}
	}
	if h.Registry == nil {
		return http.StatusUnauthorized, "not authorised / 无权访问"
	}
	d, err := h.Registry.Authenticate(r.Context(), tok)
	if errors.Is(err, devices.ErrAuth) {
		return http.StatusUnauthorized, "not authorised / 无权访问"
	}
	if err != nil {
		h.log().Error("authenticate report request", "err", err)
		return http.StatusInternalServerError, "cannot check the token"
	}
	if d.Role != store.RoleOffice {
		return http.StatusForbidden, "reports are for office accounts / 报表仅对区县、市级账号开放"
	}
	if !unit.Within(d.Scope) {
		return http.StatusForbidden, fmt.Sprintf("unit %s is outside this account's area %s / 该单位不在本账号管辖范围内", unit, d.Scope)
	}
	return http.StatusOK, ""
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}
