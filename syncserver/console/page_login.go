package console

import (
	"net/http"
)

// loginData is the sign-in page.
type loginData struct {
	*view
	LoginCSRF, Username, Error string
}

// cookie makes a console cookie: HttpOnly (no script may read it, and the
// pages have none), SameSite=Strict (no other site's form or link carries
// it), Secure under TLS.
func (c *Console) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.cfg.SecureCookies}
}

// loginPage shows the sign-in form. The form's CSRF token is also set as
// a cookie: a POST is accepted only when both agree, so another site
// cannot sign a browser in to an account of its choosing.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if v, _ := c.session(r); v != nil {
		http.Redirect(w, r, "/sync", http.StatusSeeOther)
		return
	}
	c.showLogin(w, r, http.StatusOK, "", "")
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, username, msg string) {
	tok, err := randomToken()
	if err != nil {
		c.internal(w, r, nil, "登录令牌", err)
		return
	}
	http.SetCookie(w, c.cookie(loginCookie, tok, 3600))
	c.render(w, status, "login", loginData{view: &view{Title: "登录"}, LoginCSRF: tok, Username: username, Error: msg})
}

// login checks the form: CSRF token, lockout, then the password. Every
// failure of name or password gets the same message.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ck, err := r.Cookie(loginCookie)
	if err != nil || !validCSRF(ck.Value, r.PostFormValue("csrf")) {
		c.log.Warn("sign-in form without a valid CSRF token", "remote", r.RemoteAddr)
		c.fail(w, r, nil, http.StatusForbidden, "登录表单已失效(缺少或错误的安全令牌),请刷新登录页后重试。")
		return
	}
	name := normaliseName(r.PostFormValue("username"))
	if c.lock.locked(name) {
		c.log.Warn("sign-in to a locked account", "account", name, "remote", r.RemoteAddr)
		c.showLogin(w, r, http.StatusTooManyRequests, name, "密码错误次数过多,账号已暂时锁定,请15分钟后再试。")
		return
	}
	acct, ok := c.accts.Verify(name, r.PostFormValue("password"))
	if !ok {
		c.lock.fail(name)
		c.log.Warn("sign-in failed", "account", name, "remote", r.RemoteAddr)
		c.showLogin(w, r, http.StatusUnauthorized, name, "用户名或密码错误。")
		return
	}
	c.lock.succeed(name)
	id, _, err := c.sess.start(acct.Name)
	if err != nil {
		c.internal(w, r, nil, "创建会话", err)
		return
	}
	c.log.Info("signed in", "account", acct.Name, "unit", acct.Unit, "remote", r.RemoteAddr)
	http.SetCookie(w, c.cookie(loginCookie, "", -1))
	// No MaxAge: the cookie ends with the browser; the server ends the
	// session itself after SessionIdle or SessionMax.
	http.SetCookie(w, c.cookie(sessionCookie, id, 0))
	http.Redirect(w, r, "/sync", http.StatusSeeOther)
}

// logout ends the session (a POST with the CSRF token, so a link on
// another site cannot sign the user out).
func (c *Console) logout(w http.ResponseWriter, r *http.Request, v *view) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c.sess.end(ck.Value)
	}
	c.log.Info("signed out", "account", v.Account.Name)
	http.SetCookie(w, c.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
