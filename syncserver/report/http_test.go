package report

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"laoxiao/schema"
	"laoxiao/syncserver/devices"
	"laoxiao/syncserver/store"
	"laoxiao/synth/benchcity"
)

func TestHTTPBreakdown(t *testing.T) {
	c := newCity(t)
	reg := &devices.Registry{St: c.st, Divisions: func() *schema.Divisions { return c.divs }, Now: func() time.Time { return reportNow }}
	token := func(unit schema.Code, role store.Role, id string) string {
		code, err := reg.NewCode(context.Background(), unit, id, role, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		e, err := reg.Trade(context.Background(), code, id, id)
		if err != nil {
			t.Fatal(err)
		}
		return e.Token
	}
	county := token("990101", store.RoleOffice, "county-office")
	city := token(benchcity.Code, store.RoleOffice, "city-office")
	site := token("990101001", store.RoleSite, "site")
	h := &Handler{Engine: c.eng, AdminToken: func() string { return "admin-secret" }, Registry: reg}

	get := func(tok, query string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, BreakdownPath+"?"+query, nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, c := range []struct {
		name, tok, query string
		status           int
	}{
		{"admin", "admin-secret", "unit=9901&year=2025&format=csv", http.StatusOK},
		{"city office, city", city, "unit=9901&year=2025&format=text", http.StatusOK},
		{"city office, county", city, "unit=990102&year=2025&format=html", http.StatusOK},
		{"county office, own county", county, "unit=990101&year=2025&format=xlsx", http.StatusOK},
		{"county office, the city", county, "unit=9901&year=2025", http.StatusForbidden},
		{"county office, another county", county, "unit=990102&year=2025", http.StatusForbidden},
		{"site device", site, "unit=990101001&year=2025", http.StatusForbidden},
		{"no token", "", "unit=9901&year=2025", http.StatusUnauthorized},
		{"wrong token", "county-office.forged", "unit=9901&year=2025", http.StatusUnauthorized},
		{"bad year", "admin-secret", "unit=9901&year=soon", http.StatusBadRequest},
		{"bad format", "admin-secret", "unit=9901&year=2025&format=pdf", http.StatusBadRequest},
		{"unknown unit", "admin-secret", "unit=990199&year=2025", http.StatusNotFound},
	} {
		w := get(c.tok, c.query)
		if w.Code != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, w.Code, w.Body.String(), c.status)
		}
	}
	w := get(county, "unit=990101&year=2025&format=xlsx")
	if ct := w.Header().Get("Content-Type"); ct != FormatXLSX.ContentType() {
		t.Errorf("content type %q", ct)
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "breakdown-990101-2025.xlsx") {
		t.Errorf("content disposition %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("served XLSX does not open: %v", err)
	}
	defer f.Close()
	// A county's table has a row per township.
	if v, _ := f.GetCellValue(sheetTable, "B5"); v != "990101001" {
		t.Errorf("first row of the county table is %q, want township 990101001", v)
	}
}
