package console

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// The 服务对象 pages: the persons of a unit and one person's page with
// visits. Both show names and ID numbers masked, for every account.
// An account with the personal-data permission may reveal one person at a
// time, with a reason; the syncserver package logs every page opened,
// every reveal (and every refused one) and every download before it
// answers, so nothing here can show a person without a trace.

// personsShow caps the list in the page; the download has everything.
const personsShow = 500

type personsData struct {
	*view
	Target  schema.Unit
	Persons []syncserver.PersonInfo
	More    bool
	Total   int
}

func (c *Console) personsPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	list, err := c.srv.Persons(r.Context(), unit.Code)
	if err != nil {
		c.internal(w, r, v, "读取服务对象", err)
		return
	}
	v.Menu, v.Title = "persons", "服务对象"
	d := personsData{view: v, Target: unit, Total: len(list), Persons: list}
	if len(list) > personsShow {
		d.Persons, d.More = list[:personsShow], true
	}
	c.render(w, http.StatusOK, "persons", d)
}

// personsCSV downloads the unit's persons, masked, after logging the
// export.
func (c *Console) personsCSV(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	list, err := c.srv.Persons(r.Context(), unit.Code)
	if err == nil {
		err = c.srv.LogExport(v.Account.Name, unit.Code, len(list))
	}
	if err != nil {
		c.internal(w, r, v, "导出服务对象", err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="persons-%s.csv"`, unit.Code))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"记录ID", "单位代码", "单位", "姓名", "身份证号", "出生年份", "类别", "在册状态", "去世或迁出日期", "身份信息删除日期"})
	for _, p := range list {
		cw.Write([]string{p.ID, string(p.Unit), csvSafe(p.UnitName), csvSafe(p.Name), p.IDNumber, p.BirthDate,
			strings.Join(p.Categories, "、"), p.Status, p.LeftOn, p.ErasedOn})
	}
	cw.Flush()
}

type personData struct {
	*view
	Person  syncserver.PersonInfo
	Visits  []syncserver.VisitInfo
	Problem string
}

func (c *Console) personPage(w http.ResponseWriter, r *http.Request, v *view) {
	id := strings.TrimSpace(r.FormValue("id"))
	p, visits, err := c.srv.ViewPerson(r.Context(), v.Account.Name, v.Account.Unit, id)
	if !c.personFound(w, r, v, id, err) {
		return
	}
	c.showPerson(w, v, http.StatusOK, personData{Person: p, Visits: visits})
}

// personReveal shows one person in full to an account with the
// personal-data permission and a reason; without the permission it is
// 403, logged as refused.
func (c *Console) personReveal(w http.ResponseWriter, r *http.Request, v *view) {
	id, reason := strings.TrimSpace(r.PostFormValue("id")), strings.TrimSpace(r.PostFormValue("reason"))
	if !v.Account.PersonalData {
		if err := c.srv.LogRefusedReveal(r.Context(), v.Account.Name, id, reason); err != nil {
			c.internal(w, r, v, "记录访问日志", err)
			return
		}
		c.log.Warn("reveal without the personal-data permission", "account", v.Account.Name, "person", id)
		c.fail(w, r, v, http.StatusForbidden, "本账号没有查看完整个人信息的权限(personal-data),此次请求已记录。")
		return
	}
	p, visits, err := c.srv.RevealPerson(r.Context(), v.Account.Name, v.Account.Unit, id, reason)
	if errors.Is(err, syncserver.ErrReasonRequired) {
		// The page again, masked (a view like any other), with the problem.
		p, visits, err = c.srv.ViewPerson(r.Context(), v.Account.Name, v.Account.Unit, id)
		if c.personFound(w, r, v, id, err) {
			c.showPerson(w, v, http.StatusBadRequest, personData{Person: p, Visits: visits, Problem: "查看原因:请填写查看完整信息的原因。"})
		}
		return
	}
	if !c.personFound(w, r, v, id, err) {
		return
	}
	c.showPerson(w, v, http.StatusOK, personData{Person: p, Visits: visits})
}

// personFound answers the request itself (404, 403 or 500) and returns
// false when err says the person cannot be shown.
func (c *Console) personFound(w http.ResponseWriter, r *http.Request, v *view, id string, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrNotFound):
		c.fail(w, r, v, http.StatusNotFound, "没有该服务对象:"+id)
	case errors.Is(err, syncserver.ErrOutOfScope):
		c.fail(w, r, v, http.StatusForbidden, "无权查看该服务对象:不在本账号管辖范围("+v.Unit.Name+")内。")
	default:
		c.internal(w, r, v, "读取服务对象", err)
	}
	return false
}

func (c *Console) showPerson(w http.ResponseWriter, v *view, status int, d personData) {
	v.Menu, v.Title = "persons", "服务对象"
	d.view = v
	c.render(w, status, "person", d)
}
