package syncserver

import (
	"context"
	"net/http"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/review"
)

// Review builds the period review list of a unit's townships (see package
// review), what an office checks before it locks the period.
func (s *Server) Review(ctx context.Context, unit schema.Code, period string) (*review.Review, error) {
	return review.Build(ctx, s.st, review.Options{Unit: unit, Period: period, Divisions: s.Divisions()})
}

// reviewRoutes serves the review list to the admin token, so `syncserver
// review` works while the server runs.
func (s *Server) reviewRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/review", s.admin(func(w http.ResponseWriter, r *http.Request) {
		rv, err := s.Review(r.Context(), schema.Code(r.URL.Query().Get("unit")), r.URL.Query().Get("period"))
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		httpjson.Write(w, rv)
	}))
}
