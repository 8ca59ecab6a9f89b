package console

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver"
)

// Audit search bounds: the newest auditScan entries matching unit and
// record are read, then filtered by device and date, and at most
// auditShow are shown. An older entry needs a narrower unit or record.
const (
	auditScan = 5000
	auditShow = 500
)

// auditRow is an entry with its fields in name order, for the template.
type auditRow struct {
	syncserver.AuditEntry
	Changes []auditField
}

// auditField is one field a change set: its Chinese label (the field
// name when it has none) and the value as stored.
type auditField struct{ Name, Value string }

// auditData is the 审计 page.
type auditData struct {
	*view
	Target                     schema.Unit
	Kind, ID, Device, From, To string
	Kinds                      []schema.Kind
	Rows                       []auditRow
	Searched, More             bool
}

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return
	}
	v.Menu, v.Title = "audit", "审计"
	d := auditData{view: v, Target: unit, Kind: r.FormValue("kind"), ID: strings.TrimSpace(r.FormValue("id")),
		Device: strings.TrimSpace(r.FormValue("device")), From: r.FormValue("from"), To: r.FormValue("to"), Kinds: schema.Kinds}
	from, to, msg := dateRange(d.From, d.To)
	if msg != "" {
		c.fail(w, r, v, http.StatusBadRequest, msg)
		return
	}
	if r.URL.RawQuery == "" {
		c.render(w, http.StatusOK, "audit", d) // the empty form first
		return
	}
	d.Searched = true
	list, err := c.srv.Audit(r.Context(), syncserver.AuditQuery{Unit: unit.Code, Kind: schema.Kind(d.Kind), ID: d.ID, Limit: auditScan})
	if err != nil {
		c.internal(w, r, v, "查询审计记录", err)
		return
	}
	for i := len(list) - 1; i >= 0; i-- { // newest first
		e := list[i]
		if (d.Device != "" && e.Device != d.Device && e.Account != d.Device) ||
			(!from.IsZero() && e.Received.Before(from)) || (!to.IsZero() && !e.Received.Before(to)) {
			continue
		}
		if len(d.Rows) == auditShow {
			d.More = true
			break
		}
		d.Rows = append(d.Rows, auditRow{AuditEntry: e, Changes: sortedFields(e.Kind, e.Fields)})
	}
	c.render(w, http.StatusOK, "audit", d)
}

// dateRange reads the from and to dates (China time, to inclusive) into
// [from, to+1 day); empty means unbounded. msg is set for a bad date.
func dateRange(fromS, toS string) (from, to time.Time, msg string) {
	var err error
	if fromS != "" {
		if from, err = time.ParseInLocation("2006-01-02", fromS, schema.ChinaTime); err != nil {
			return from, to, "起始日期应为 2025-06-01 这样的格式:" + fromS
		}
	}
	if toS != "" {
		if to, err = time.ParseInLocation("2006-01-02", toS, schema.ChinaTime); err != nil {
			return from, to, "截止日期应为 2025-06-30 这样的格式:" + toS
		}
		to = to.AddDate(0, 0, 1)
	}
	return from, to, ""
}

// sortedFields lists a change's fields by field name (a stable order an
// auditor can compare between entries), labelled in Chinese.
func sortedFields(kind schema.Kind, m map[string]string) []auditField {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]auditField, 0, len(m))
	for _, k := range names {
		_, zh := schema.FieldLabel(kind, k)
		out = append(out, auditField{zh, m[k]})
	}
	return out
}
