package console

import (
	"net/http"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/accesslog"
)

// accessShow caps the access log page, newest entries kept.
const accessShow = 500

type accessData struct {
	*view
	Target  schema.Unit
	Person  string
	Entries []accesslog.Entry
}

// accessPage is 审计 › 个人信息访问: who opened, revealed or downloaded
// persons of the unit, newest first. It reads the same log the
// syncserver audit --access command prints.
func (c *Console) accessPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	d := accessData{view: v, Target: unit, Person: strings.TrimSpace(r.FormValue("person"))}
	list, err := c.srv.AccessLog().Read(accesslog.Query{Unit: unit.Code, Person: d.Person, Limit: accessShow})
	if err != nil {
		c.internal(w, r, v, "读取访问日志", err)
		return
	}
	for i := len(list) - 1; i >= 0; i-- {
		d.Entries = append(d.Entries, list[i])
	}
	v.Menu, v.Title = "audit", "个人信息访问记录"
	c.render(w, http.StatusOK, "access", d)
}
