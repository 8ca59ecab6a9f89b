package console

import (
	"errors"
	"net/http"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/report"
)

// tasksProgress enters a progress report on a task within the account's
// unit, under the task's own unit (the county the task is decomposed to),
// through the server's single writer. Problems come back by field.
func (c *Console) tasksProgress(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	f := progressForm{Task: r.PostFormValue("task"), Status: r.PostFormValue("status"), Percent: strings.TrimSpace(r.PostFormValue("percent")),
		Date: strings.TrimSpace(r.PostFormValue("date")), Note: strings.TrimSpace(r.PostFormValue("note")), Fields: map[string]string{}}
	d := tasksData{Target: unit, Progress: f}
	tasks, _, err := report.PlanParts(r.Context(), c.srv.Store(), v.divs, unit.Code)
	if err != nil {
		c.internal(w, r, v, "读取任务", err)
		return
	}
	task := findTask(tasks, f.Task)
	if task == nil {
		f.Fields["task"] = "请选择本单位的任务"
	}
	p := schema.Progress{Task: f.Task, Date: f.Date, Status: schema.ProgressStatus(f.Status), Note: f.Note}
	pct, ok := percentField(f.Percent)
	if !ok {
		f.Fields["percent"] = "完成进度应为0至100之间的整数"
	}
	p.Percent = pct
	if task != nil {
		fieldProblems(schema.ValidateRecord(schema.KindProgress, task.Unit.Code, &p,
			schema.ValidationContext{Divisions: v.divs, Now: c.now()}), f.Fields)
	}
	if len(f.Fields) == 0 {
		_, err = c.srv.SaveProgress(r.Context(), task.Unit.Code, p)
		if msg := refusal(err); msg != "" {
			f.Fields["task"] = msg
		} else if err != nil {
			c.internal(w, r, v, "保存任务进展", err)
			return
		}
	}
	d.Progress = f
	if len(f.Fields) > 0 {
		c.showTasks(w, r, v, http.StatusBadRequest, d)
		return
	}
	c.log.Info("task progress entered in the console", "account", v.Account.Name, "task", task.ID, "status", p.Status)
	d.Done = "已保存任务进展:" + task.Task.Title + "(" + task.Unit.Name + ")" + schema.LabelOf(schema.ProgressStatuses, f.Status) + " " + f.Percent + "%。"
	d.Progress = progressForm{Date: c.today()}
	c.showTasks(w, r, v, http.StatusOK, d)
}

// tasksProject updates a project's status, progress and note; the
// project must lie within the account's unit.
func (c *Console) tasksProject(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	f := projectForm{ID: r.PostFormValue("project"), Status: r.PostFormValue("status"), Percent: strings.TrimSpace(r.PostFormValue("percent")),
		Note: strings.TrimSpace(r.PostFormValue("note")), Fields: map[string]string{}}
	_, projects, err := report.PlanParts(r.Context(), c.srv.Store(), v.divs, unit.Code)
	if err != nil {
		c.internal(w, r, v, "读取项目", err)
		return
	}
	row := findProject(projects, f.ID)
	if row == nil {
		c.fail(w, r, v, http.StatusNotFound, "本单位没有该项目:"+f.ID)
		return
	}
	u := syncserver.ProjectUpdate{Status: schema.ProjectStatus(f.Status), Note: f.Note}
	var pctOK bool
	if u.Percent, pctOK = percentField(f.Percent); !pctOK {
		f.Fields["percent"] = "建设进度应为0至100之间的整数"
	}
	// The rules (status and progress agree, 0–100) are the schema's, on
	// the project as it will read after the update.
	next := row.Project
	next.Status, next.Percent, next.Note = u.Status, u.Percent, u.Note
	fieldProblems(schema.ValidateRecord(schema.KindProject, row.Unit.Code, &next,
		schema.ValidationContext{Divisions: v.divs, Now: c.now()}), f.Fields)
	if len(f.Fields) == 0 {
		err = c.srv.UpdateProject(r.Context(), row.ID, row.Unit.Code, u)
		if msg := refusal(err); msg != "" {
			f.Fields["status"] = msg
		} else if err != nil {
			c.internal(w, r, v, "更新项目", err)
			return
		}
	}
	d := tasksData{Target: unit, Project: f, Progress: progressForm{Date: c.today()}}
	if len(f.Fields) > 0 {
		c.showTasks(w, r, v, http.StatusBadRequest, d)
		return
	}
	c.log.Info("project updated in the console", "account", v.Account.Name, "project", row.ID, "status", u.Status)
	d.Done = "已更新项目:" + row.Project.Name + " " + schema.LabelOf(schema.ProjectStatuses, f.Status) + " " + f.Percent + "%。"
	d.Project = projectForm{}
	c.showTasks(w, r, v, http.StatusOK, d)
}

// refusal is the writer's reason for refusing a change, in Chinese, or ""
// when err is not a refusal (nil, or a server fault).
func refusal(err error) string {
	var re *syncserver.RefusedError
	if !errors.As(err, &re) {
		return ""
	}
	if re.Rejection.ReasonZh != "" {
		return "服务器拒收:" + re.Rejection.ReasonZh
	}
	return "服务器拒收:" + re.Rejection.Reason
}
