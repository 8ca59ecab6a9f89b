package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"laoxiao/schema"
)

// The templates and the stylesheet are in the binary: a county intranet
// has no route to a CDN, and the console must look the same offline.
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/console.css
var consoleCSS []byte

// pages holds one template set per page, each the layout plus the page's
// own "content", so two pages never fight over a block name.
type pages struct {
	byName map[string]*template.Template
}

// pageNames are the pages; each has templates/NAME.html.
var pageNames = []string{"login", "error", "sync", "breakdown", "devices", "audit", "review", "duplicates", "persons", "person", "access", "targets", "tasks", "lineage"}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(schema.ChinaTime).Format("2006-01-02 15:04")
	},
	"menu": func() []menuItem { return menu },
	// stamp shows an RFC 3339 time a record carries (a lock's at) like
	// when does; a string it cannot read is shown as it is.
	"stamp": func(s string) string {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return s
		}
		return t.In(schema.ChinaTime).Format("2006-01-02 15:04")
	},
}

// menuItem is an entry of the top menu. Only pages that work are listed.
type menuItem struct{ Key, Label, Href string }

var menu = []menuItem{
	{"sync", "同步状态", "/sync"},
	{"breakdown", "任务分解表", "/breakdown"},
	{"targets", "目标", "/targets"},
	{"tasks", "任务与项目", "/tasks"},
	{"review", "审核", "/review"},
	{"persons", "服务对象", "/persons"},
	{"devices", "设备", "/devices"},
	{"audit", "审计", "/audit"},
}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// render executes a page into memory first, so a template error is a
// clean 500 instead of half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, data any) {
	t := c.pages.byName[name]
	var buf bytes.Buffer
	if t == nil {
		c.log.Error("unknown console page", "page", name)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, data); err != nil {
		c.log.Error("render console page", "page", name, "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	*view
	Status  int
	Message string
}

// fail answers with the error page; v may be nil (not signed in), then
// the page has no menu.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *view, status int, msg string) {
	if v == nil {
		v = &view{}
	}
	v.Title = http.StatusText(status)
	c.render(w, status, "error", errorPage{view: v, Status: status, Message: msg})
}

// internal logs err and answers 500 without showing its text, which may
// name files or other units.
func (c *Console) internal(w http.ResponseWriter, r *http.Request, v *view, what string, err error) {
	c.log.Error(what, "path", r.URL.Path, "err", err)
	c.fail(w, r, v, http.StatusInternalServerError, "服务器内部错误("+what+"),请稍后重试或联系管理员。")
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(consoleCSS)
}
