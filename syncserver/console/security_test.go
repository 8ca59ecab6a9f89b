package console

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// client is a plain HTTP client with a cookie jar: what a script or
// another site's form can send, without a browser's help.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{t: t, base: base, hc: hc}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get returns the status and body of a GET.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// token reads the CSRF token of the first form of a page.
func (c *client) token(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("%s has no CSRF field", path)
	}
	return m[1]
}

// post sends a form and returns the status and the Location header.
func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// login signs in with the form's token and returns the status.
func (c *client) login(user, password string) int {
	c.t.Helper()
	st, _ := c.post("/login", url.Values{"csrf": {c.token("/login")}, "username": {user}, "password": {password}})
	return st
}

// signedIn is a client signed in as user.
func signedIn(t *testing.T, f *fixture, user string) *client {
	t.Helper()
	c := newClient(t, f.http.URL)
	if st := c.login(user, testPassword); st != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", user, st)
	}
	return c
}

// TestCSRF: a form without the token, or with another's, is refused and
// changes nothing, signed in or not.
func TestCSRF(t *testing.T) {
	f := newFixture(t)
	c := newClient(t, f.http.URL)
	c.get("/login") // has the login cookie, but sends no token
	if st, _ := c.post("/login", url.Values{"username": {yuchengUser}, "password": {testPassword}}); st != http.StatusForbidden {
		t.Fatalf("sign-in without a CSRF token: %d, want 403", st)
	}
	if st := c.login(yuchengUser, testPassword); st != http.StatusSeeOther {
		t.Fatalf("sign-in with the token: %d", st)
	}
	for _, form := range []url.Values{
		{"unit": {"511802003"}, "name": {"x"}},
		{"unit": {"511802003"}, "name": {"x"}, "csrf": {"forged"}},
	} {
		if st, _ := c.post("/devices/code", form); st != http.StatusForbidden {
			t.Errorf("enrolment code with csrf=%q: %d, want 403", form.Get("csrf"), st)
		}
	}
	if st, _ := c.post("/devices/revoke", url.Values{"id": {"dev-xicheng"}}); st != http.StatusForbidden {
		t.Errorf("revoke without a token: %d, want 403", st)
	}
	if st, _ := c.post("/logout", nil); st != http.StatusForbidden {
		t.Errorf("sign-out without a token: %d, want 403", st)
	}
	list, err := f.srv.ListDevices(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Revoked {
			t.Errorf("device %s revoked by a form without a token", d.ID)
		}
	}
	// With the token the same revoke goes through.
	if st, _ := c.post("/devices/revoke", url.Values{"id": {"dev-xicheng"}, "csrf": {c.token("/devices")}}); st != http.StatusOK {
		t.Errorf("revoke with the token: %d", st)
	}
}

// TestLockout: five wrong passwords lock the account, even against the
// right one, until the window passes; other accounts are not affected.
func TestLockout(t *testing.T) {
	f := newFixture(t)
	c := newClient(t, f.http.URL)
	for i := 0; i < DefaultMaxFailures; i++ {
		if st := c.login(lockUser, "wrong-password"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, st)
		}
	}
	if st := c.login(lockUser, testPassword); st != http.StatusTooManyRequests {
		t.Fatalf("right password on a locked account: %d, want 429", st)
	}
	if st := newClient(t, f.http.URL).login(yuchengUser, testPassword); st != http.StatusSeeOther {
		t.Fatalf("another account during the lock: %d", st)
	}
	f.clock.Advance(DefaultLockoutWindow + time.Second)
	if st := c.login(lockUser, testPassword); st != http.StatusSeeOther {
		t.Fatalf("after the lockout window: %d, want 303", st)
	}
}

// TestScope: a county account sees its county only, whatever the URL or
// form says; a disabled account's session ends at its next request.
func TestScope(t *testing.T) {
	f := newFixture(t)
	c := signedIn(t, f, mingshanUser)
	for _, p := range []string{"/sync?unit=511802", "/sync.csv?unit=511802001", "/audit?unit=511802",
		"/breakdown?unit=5118&year=2025", "/breakdown/download?unit=511802&year=2025&format=xlsx"} {
		if st, _ := c.get(p); st != http.StatusForbidden {
			t.Errorf("名山区 account, %s: %d, want 403", p, st)
		}
	}
	tok := c.token("/devices")
	if st, _ := c.post("/devices/revoke", url.Values{"id": {"dev-dongcheng"}, "csrf": {tok}}); st != http.StatusForbidden {
		t.Errorf("revoke a 雨城区 device from 名山区: %d, want 403", st)
	}
	if st, _ := c.post("/devices/code", url.Values{"unit": {"511802003"}, "name": {"x"}, "csrf": {tok}}); st != http.StatusForbidden {
		t.Errorf("enrol in 雨城区 from 名山区: %d, want 403", st)
	}
	st, body := c.get("/sync")
	if st != http.StatusOK || !strings.Contains(body, "dev-mingshan") || strings.Contains(body, "dev-dongcheng") {
		t.Errorf("名山区 sync page: %d, own device shown %v, 雨城区 device shown %v", st,
			strings.Contains(body, "dev-mingshan"), strings.Contains(body, "dev-dongcheng"))
	}
	if err := f.con.accts.Disable(mingshanUser); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.get("/sync"); st != http.StatusSeeOther {
		t.Errorf("disabled account's session: %d, want 303 to /login", st)
	}
}

// TestCookies: the session cookie is HttpOnly and SameSite=Strict; a
// console serving TLS marks its cookies Secure.
func TestCookies(t *testing.T) {
	f := newFixture(t)
	c := newClient(t, f.http.URL)
	resp, err := c.hc.PostForm(f.http.URL+"/login", url.Values{"csrf": {c.token("/login")}, "username": {yuchengUser}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := findCookie(resp.Cookies(), sessionCookie)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
		t.Errorf("session cookie over plain HTTP: %+v", ck)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	// The same server behind a console that serves TLS.
	sec, err := New(Config{Server: f.srv, Accounts: f.con.accts, Logger: quietLog(), SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	sec.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login", nil))
	if ck := findCookie(w.Result().Cookies(), loginCookie); ck == nil || !ck.Secure || !ck.HttpOnly {
		t.Errorf("cookie under TLS: %+v", ck)
	}
}

func findCookie(list []*http.Cookie, name string) *http.Cookie {
	for _, ck := range list {
		if ck.Name == name && ck.Value != "" {
			return ck
		}
	}
	return nil
}
