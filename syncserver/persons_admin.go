package syncserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// RevealRequest asks the admin API to reveal one person in full.
type RevealRequest struct {
	Account string `json:"account"` // who asks, e.g. cli:zhangsan
	ID      string `json:"id"`
	Reason  string `json:"reason"`
}

// personRoutes serves the person listing, reveals and retention to the
// admin token, so the commands work while the server runs. The admin
// token is the operator's: scope is the whole store, and every call is
// still logged in the access log under the account the command names.
func (s *Server) personRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/persons", s.admin(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		unit := schema.Code(q.Get("unit"))
		list, err := s.Persons(r.Context(), unit)
		if err == nil {
			err = s.LogExport(q.Get("account"), unit, len(list))
		}
		if err != nil {
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
			return
		}
		httpjson.Write(w, list)
	}))
	mux.HandleFunc("POST /admin/persons/reveal", s.admin(func(w http.ResponseWriter, r *http.Request) {
		var req RevealRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad reveal request: "+err.Error())
			return
		}
		p, _, err := s.RevealPerson(r.Context(), req.Account, "", req.ID, req.Reason)
		if err != nil {
			httpjson.Error(w, personStatus(err), err.Error())
			return
		}
		httpjson.Write(w, p)
	}))
	mux.HandleFunc("POST /admin/retention", s.admin(func(w http.ResponseWriter, r *http.Request) {
		var req ErasureRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad retention request: "+err.Error())
			return
		}
		res, err := s.ErasePersons(r.Context(), req)
		if err != nil {
			httpjson.Error(w, personStatus(err), err.Error())
			return
		}
		httpjson.Write(w, res)
	}))
}

// personStatus is the HTTP status for an error of the person calls.
func personStatus(err error) int {
	var re *RefusedError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrOutOfScope):
		return http.StatusForbidden
	case errors.Is(err, ErrReasonRequired), errors.Is(err, ErrBadRetention), errors.As(err, &re):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// CLIAccount names the operator in the access log: cli: and the login.
func CLIAccount(login string) string { return "cli:" + strings.TrimSpace(login) }
