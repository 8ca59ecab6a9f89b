package console

import (
	"encoding/json"
	"errors"
	"net/http"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
)

// AddUserRequest is the body of POST /admin/users.
type AddUserRequest struct {
	Name     string      `json:"name"`
	Unit     schema.Code `json:"unit"`
	Password string      `json:"password"`
	// PersonalData grants the personal-data permission at creation.
	PersonalData bool `json:"personal_data"`
}

// PermitRequest is the body of POST /admin/users/{name}/personal-data.
type PermitRequest struct {
	PersonalData bool `json:"personal_data"`
}

// AdminRoutes adds the account routes to a running server's admin API, so
// the syncserver users commands change accounts through the server that
// holds them (the only process that may write AccountsFile while it runs):
//
//	POST /admin/users                  {name, unit, password}
//	GET  /admin/users                  → []AccountInfo
//	POST /admin/users/{name}/disable
//	POST /admin/users/{name}/personal-data  {personal_data}
//
// handle is syncserver.Server.HandleAdmin, which puts the admin token in
// front of each route.
func AdminRoutes(handle func(pattern string, h http.HandlerFunc), a *Accounts) {
	handle("POST /admin/users", func(w http.ResponseWriter, r *http.Request) {
		var req AddUserRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad request: "+err.Error())
			return
		}
		if err := a.Add(normaliseName(req.Name), req.Unit, req.Password); err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		if req.PersonalData {
			if err := a.SetPersonalData(normaliseName(req.Name), true); err != nil {
				httpjson.Error(w, http.StatusInternalServerError, err.Error())
				return
			}
		}
		httpjson.Write(w, map[string]string{"added": req.Name})
	})
	handle("GET /admin/users", func(w http.ResponseWriter, r *http.Request) {
		httpjson.Write(w, a.List())
	})
	handle("POST /admin/users/{name}/personal-data", func(w http.ResponseWriter, r *http.Request) {
		var req PermitRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad request: "+err.Error())
			return
		}
		err := a.SetPersonalData(r.PathValue("name"), req.PersonalData)
		switch {
		case errors.Is(err, ErrNoAccount):
			httpjson.Error(w, http.StatusNotFound, err.Error())
		case err != nil:
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
		default:
			httpjson.Write(w, req)
		}
	})
	handle("POST /admin/users/{name}/disable", func(w http.ResponseWriter, r *http.Request) {
		err := a.Disable(r.PathValue("name"))
		switch {
		case errors.Is(err, ErrNoAccount):
			httpjson.Error(w, http.StatusNotFound, err.Error())
		case err != nil:
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
		default:
			httpjson.Write(w, map[string]string{"disabled": r.PathValue("name")})
		}
	})
}
