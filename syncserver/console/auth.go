package console

import (
	"net/http"

	"laoxiao/schema"
)

// view is what every signed-in page knows: who is signed in, their unit,
// and the CSRF token its forms carry.
type view struct {
	Account AccountInfo
	Unit    schema.Unit // the account's own unit
	CSRF    string
	Menu    string // the current menu entry
	Title   string
	divs    *schema.Divisions
}

// handler is a page handler that runs signed in.
type handler func(w http.ResponseWriter, r *http.Request, v *view)

// session returns the view of the request's live session, or nil. A
// session whose account was disabled since sign-in ends here.
func (c *Console) session(r *http.Request) (*view, string) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ""
	}
	s, ok := c.sess.get(ck.Value)
	if !ok {
		return nil, ""
	}
	acct, ok := c.accts.Lookup(s.account)
	if !ok {
		c.sess.end(ck.Value)
		return nil, ""
	}
	divs := c.srv.Divisions()
	u, ok := divs.Lookup(acct.Unit)
	if !ok {
		u = schema.Unit{Code: acct.Unit, Name: string(acct.Unit), Level: acct.Unit.Level()}
	}
	return &view{Account: acct, Unit: u, CSRF: s.csrf, divs: divs}, ck.Value
}

// page wraps a GET handler: no live session → back to /login.
func (c *Console) page(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, _ := c.session(r)
		if v == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		h(w, r, v)
	}
}

// post wraps a form handler: it needs a live session and the session's
// CSRF token in the form field csrf. A missing or wrong token is 403 and
// nothing happens, whatever else the form says.
func (c *Console) post(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		v, _ := c.session(r)
		if v == nil {
			// Without a session there is no token to check against; a
			// cross-site POST lands here too.
			c.fail(w, r, nil, http.StatusForbidden, "会话已过期或未登录,请重新登录。")
			return
		}
		if !validCSRF(v.CSRF, r.PostFormValue("csrf")) {
			c.log.Warn("form without a valid CSRF token", "path", r.URL.Path, "account", v.Account.Name, "remote", r.RemoteAddr)
			c.fail(w, r, v, http.StatusForbidden, "表单已失效(缺少或错误的安全令牌),请返回页面重新提交。")
			return
		}
		h(w, r, v)
	}
}

// unitParam reads the unit a request is about (the query or form field
// unit; the account's own unit when absent) and checks it lies within the
// account's unit. It answers the request itself (400, 403 or 404) and
// returns false when the unit is not for this account.
func (c *Console) unitParam(w http.ResponseWriter, r *http.Request, v *view) (schema.Unit, bool) {
	s := r.FormValue("unit")
	if s == "" {
		return v.Unit, true
	}
	code, err := schema.ParseCode(s)
	if err != nil {
		c.fail(w, r, v, http.StatusBadRequest, "单位代码不正确:"+s)
		return schema.Unit{}, false
	}
	if !code.Within(v.Account.Unit) {
		c.log.Warn("unit outside the account's area", "account", v.Account.Name, "unit", code, "path", r.URL.Path)
		c.fail(w, r, v, http.StatusForbidden, "无权查看该单位:"+string(code)+" 不在本账号管辖范围("+v.Unit.Name+")内。")
		return schema.Unit{}, false
	}
	u, ok := v.divs.Lookup(code)
	if !ok {
		c.fail(w, r, v, http.StatusNotFound, "区划库中没有该单位:"+string(code))
		return schema.Unit{}, false
	}
	return u, true
}
