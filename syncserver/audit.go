package syncserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// AuditQuery selects entries of the accepted-change log.
type AuditQuery struct {
	// Unit limits the entries to changes of records under this unit.
	Unit schema.Code `json:"unit"`
	// Kind and ID, when set, limit the entries to one record.
	Kind schema.Kind `json:"kind"`
	ID   string      `json:"id"`
	// Limit caps the answer (default 1,000), newest entries kept.
	Limit int `json:"limit"`
}

// AuditEntry is one accepted change as the audit trail shows it: who sent
// it, when the server received it, and what it set. A person's name and ID
// number are masked (schema.Mask).
type AuditEntry struct {
	Seq      uint64            `json:"seq"`
	Received time.Time         `json:"received"`
	Account  string            `json:"account"`
	Name     string            `json:"account_name,omitempty"`
	Kind     schema.Kind       `json:"kind"`
	ID       string            `json:"id"`
	Unit     schema.Code       `json:"unit"`
	Stamp    string            `json:"stamp"`
	Device   string            `json:"device"`
	DevSeq   uint64            `json:"device_seq"`
	Delete   bool              `json:"delete,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
}

// Audit reads the log of accepted changes: the server's answer to "where
// did this figure come from". The log is append-only; every change the
// server ever accepted is in it, with the account that uploaded it.
func (s *Server) Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	names := map[string]string{ingest.ServerDevice: "服务器 / server"}
	for _, d := range devs {
		names[d.ID] = d.Name
	}
	var out []AuditEntry
	visible := func(e *store.LogEntry) bool {
		ch := &e.Change
		return ch.Unit.Within(q.Unit) && (q.Kind == "" || ch.Kind == q.Kind) && (q.ID == "" || ch.ID == q.ID)
	}
	const page = 10000
	var cursor uint64
	for {
		n := 0
		next, err := s.st.LogAfter(ctx, q.Unit, "", cursor, page, visible, func(e *store.LogEntry) error {
			n++
			ae := AuditEntry{Seq: e.Seq, Received: e.Received, Account: e.Account, Name: names[e.Account], Kind: e.Change.Kind, ID: e.Change.ID,
				Unit: e.Change.Unit, Stamp: e.Change.Stamp.String(), Device: e.Change.Device, DevSeq: e.Change.Seq,
				Delete: e.Change.Delete, Fields: map[string]string{}}
			for name, raw := range e.Change.Set {
				var v any
				if err := schema.UnmarshalStored(raw, &v); err != nil {
					ae.Fields[name] = fmt.Sprintf("%x", []byte(raw))
				} else {
					// Masked for every caller (CLI, admin API, console):
					// the trail says who changed a person, not who the
					// person is.
					ae.Fields[name] = schema.Mask(e.Change.Kind, name, fmt.Sprint(v))
				}
			}
			out = append(out, ae)
			if len(out) > q.Limit {
				out = out[1:]
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if n < page { // LogAfter stops early only at a full page
			return out, nil
		}
		cursor = next
	}
}

func (s *Server) auditRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/audit", s.admin(func(w http.ResponseWriter, r *http.Request) {
		q := AuditQuery{Unit: schema.Code(r.URL.Query().Get("unit")), Kind: schema.Kind(r.URL.Query().Get("kind")),
			ID: r.URL.Query().Get("id")}
		q.Limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
		list, err := s.Audit(r.Context(), q)
		if err != nil {
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
			return
		}
		httpjson.Write(w, list)
	}))
}
