package syncserver

import (
	"context"
	"fmt"
	"net/http"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/duplicates"
)

// Duplicates lists the candidate duplicate persons and facilities within
// unit (see package duplicates), for an office to review and merge.
func (s *Server) Duplicates(ctx context.Context, unit schema.Code) ([]duplicates.Group, error) {
	if _, ok := s.Divisions().Lookup(unit); !ok {
		return nil, fmt.Errorf("duplicates: unit %q is not in the division registry (区划代码不存在)", unit)
	}
	return duplicates.Find(ctx, s.st, s.Divisions(), unit)
}

// duplicateRoutes serves the list to the admin token, so `syncserver
// duplicates` works while the server runs.
func (s *Server) duplicateRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/duplicates", s.admin(func(w http.ResponseWriter, r *http.Request) {
		gs, err := s.Duplicates(r.Context(), schema.Code(r.URL.Query().Get("unit")))
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		httpjson.Write(w, gs)
	}))
}
