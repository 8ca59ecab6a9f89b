package console

import (
	"net/http"
	"strconv"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/report"
)

// tasksData is the 任务与项目 page: the unit's tasks with their latest
// progress and the progress form, the unit's projects and the project
// form. The rows are the task breakdown table's own (report.PlanParts),
// so the page and the table cannot disagree.
type tasksData struct {
	*view
	Target   schema.Unit
	Tasks    []report.TaskRow
	Projects []report.ProjectRow
	Progress progressForm
	Project  projectForm
	Done     string
	Statuses []schema.Choice // progress statuses
	PStatus  []schema.Choice // project statuses
}

// progressForm is the progress form as typed, with its problems by field.
type progressForm struct {
	Task, Status, Percent, Date, Note string
	Fields                            map[string]string
}

// projectForm is the project form as typed, with its problems by field.
type projectForm struct {
	ID, Status, Percent, Note string
	Name                      string // the project's, for the form's heading
	Fields                    map[string]string
}

func (c *Console) tasksPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	d := tasksData{Target: unit, Progress: progressForm{Task: r.FormValue("task"), Date: c.today()}}
	d.Project.ID = r.FormValue("project")
	c.showTasks(w, r, v, http.StatusOK, d)
}

// today is the console's date in China, the default report date.
func (c *Console) today() string { return schema.Today(c.now()) }

// showTasks reads the unit's tasks and projects into d and renders it; a
// project named by the form is found there to prefill its form.
func (c *Console) showTasks(w http.ResponseWriter, r *http.Request, v *view, status int, d tasksData) {
	tasks, projects, err := report.PlanParts(r.Context(), c.srv.Store(), v.divs, d.Target.Code)
	if err != nil {
		c.internal(w, r, v, "读取任务与项目", err)
		return
	}
	d.Tasks, d.Projects = tasks, projects
	if p := findProject(projects, d.Project.ID); p != nil {
		d.Project.Name = p.Project.Name
		if d.Project.Status == "" {
			d.Project.Status, d.Project.Percent, d.Project.Note = string(p.Project.Status), strconv.FormatInt(p.Project.Percent, 10), p.Project.Note
		}
	}
	v.Menu, v.Title = "tasks", "任务与项目"
	d.view, d.Statuses, d.PStatus = v, schema.ProgressStatuses, schema.ProjectStatuses
	c.render(w, status, "tasks", d)
}

func findProject(rows []report.ProjectRow, id string) *report.ProjectRow {
	for i := range rows {
		if rows[i].ID == id {
			return &rows[i]
		}
	}
	return nil
}

func findTask(rows []report.TaskRow, id string) *report.TaskRow {
	for i := range rows {
		if rows[i].ID == id {
			return &rows[i]
		}
	}
	return nil
}

// percentField reads a 0–100 percentage as typed; ok is false when it is
// not a whole number (the range is the schema's rule, checked there).
func percentField(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(s), "%"), 10, 64)
	return n, err == nil
}

// fieldProblems maps the schema's problems to form fields
// ("progress.percent" → "percent"), one message per field.
func fieldProblems(ps schema.Problems, into map[string]string) {
	for _, p := range ps {
		f := p.Field
		if i := strings.LastIndex(f, "."); i >= 0 {
			f = f[i+1:]
		}
		if _, dup := into[f]; !dup {
			into[f] = p.Zh
		}
	}
}
