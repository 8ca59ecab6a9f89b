package syncserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/plans"
)

// PlanLoad asks for a plan's tasks or projects to be loaded: Plan is a
// schema.TaskPlans id; Unit, for tasks, the city or county whose
// counties the tasks are decomposed to.
type PlanLoad struct {
	Plan string      `json:"plan"`
	Unit schema.Code `json:"unit,omitempty"`
}

// LoadPlanTasks writes a plan's tasks decomposed to the counties of
// req.Unit (see plans.LoadTasks).
func (s *Server) LoadPlanTasks(ctx context.Context, req PlanLoad) (plans.Summary, error) {
	return plans.LoadTasks(ctx, s.in, s.Divisions(), req.Plan, req.Unit)
}

// LoadPlanProjects writes a plan's projects (see plans.LoadProjects).
func (s *Server) LoadPlanProjects(ctx context.Context, req PlanLoad) (plans.Summary, error) {
	return plans.LoadProjects(ctx, s.in, s.st, req.Plan, s.cfg.Now())
}

// planRoutes serves the loads to the admin CLI while a server runs.
func (s *Server) planRoutes(mux *http.ServeMux) {
	for path, load := range map[string]func(context.Context, PlanLoad) (plans.Summary, error){
		"POST /admin/plans/tasks":    s.LoadPlanTasks,
		"POST /admin/plans/projects": s.LoadPlanProjects,
	} {
		mux.HandleFunc(path, s.admin(func(w http.ResponseWriter, r *http.Request) {
			var req PlanLoad
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
				httpjson.Error(w, http.StatusBadRequest, "bad plan load request: "+err.Error())
				return
			}
			sum, err := load(r.Context(), req)
			switch {
			case errors.Is(err, plans.ErrUnknownPlan):
				httpjson.Error(w, http.StatusNotFound, err.Error())
			case err != nil:
				httpjson.Error(w, http.StatusUnprocessableEntity, err.Error())
			default:
				httpjson.Write(w, sum)
			}
		}))
	}
}
