package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/plans"
)

// Plan loads:
//
//	tasks load    --data DIR --plan ID --unit CODE   (decompose the plan's tasks to the counties of CODE)
//	projects load --data DIR --plan ID               (write the projects the plan lists)
//
// Plan ids: yaan, qianjiang, gangcheng, liuzhou, kunming.
func init() {
	Register("tasks load", func(ctx context.Context, args []string, stdout io.Writer) error {
		return planLoad(ctx, "tasks", args, stdout)
	})
	Register("projects load", func(ctx context.Context, args []string, stdout io.Writer) error {
		return planLoad(ctx, "projects", args, stdout)
	})
}

// planLoad runs "tasks load" or "projects load" (what) locally or
// through a running server's admin API.
func planLoad(ctx context.Context, what string, args []string, stdout io.Writer) error {
	fs, data := newFlags(what + " load")
	var req syncserver.PlanLoad
	fs.StringVar(&req.Plan, "plan", "", "plan id: yaan, qianjiang, gangcheng, liuzhou or kunming")
	unit := fs.String("unit", "", "tasks: the city or county whose counties the tasks are decomposed to (default: the plan's own unit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if req.Plan == "" {
		return fmt.Errorf("%s load: --plan is required", what)
	}
	req.Unit = schema.Code(*unit)
	if p, ok := schema.TaskPlanByID(req.Plan); ok && req.Unit == "" {
		req.Unit = p.Unit
	}
	var sum plans.Summary
	err := withServer(ctx, *data, func(s *syncserver.Server) (err error) {
		if what == "tasks" {
			sum, err = s.LoadPlanTasks(ctx, req)
		} else {
			sum, err = s.LoadPlanProjects(ctx, req)
		}
		return err
	}, func(ac *AdminClient) error {
		return ac.Do(ctx, http.MethodPost, "/admin/plans/"+what, req, &sum)
	})
	if err != nil {
		return err
	}
	if what == "tasks" {
		fmt.Fprintf(stdout, "loaded %d task records of %s for %d unit(s): %v\n", sum.Tasks, sum.Plan, len(sum.Units), sum.Units)
	} else {
		fmt.Fprintf(stdout, "loaded %d projects of %s\n", sum.Projects, sum.Plan)
	}
	return nil
}
