package syncserver

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/devices"
	"laoxiao/syncserver/session"
	"laoxiao/syncserver/store"
)

// EnrollRequest is what a device posts to /v1/enroll.
type EnrollRequest struct {
	Code   string `json:"code"`
	Device string `json:"device"`
	Name   string `json:"name"`
}

// EnrollResponse is the server's answer: the token to keep and the scope.
type EnrollResponse struct {
	Device       string      `json:"device"`
	Token        string      `json:"token"`
	Scope        schema.Code `json:"scope"`
	Role         store.Role  `json:"role"`
	ServerTimeMS int64       `json:"server_time_ms"`
}

// CodeRequest asks the admin API for a one-time enrolment code.
type CodeRequest struct {
	Unit     schema.Code `json:"unit"`
	Name     string      `json:"name"`
	Role     store.Role  `json:"role"`
	TTLHours float64     `json:"ttl_hours"`
}

// DeviceInfo is a device as the admin API lists it.
type DeviceInfo struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Scope     schema.Code `json:"scope"`
	Role      store.Role  `json:"role"`
	Enrolled  time.Time   `json:"enrolled"`
	Revoked   bool        `json:"revoked"`
	HighWater uint64      `json:"high_water"`
	LastSync  time.Time   `json:"last_sync,omitzero"`
	// Health is the device's report of itself at its last hello; nil
	// until it sent one (never synced, or an older build).
	Health *DeviceHealth `json:"health,omitempty"`
}

// DeviceHealth is what a device last said about itself, with the
// waiting changes its sync has handled since taken off (store.Health).
type DeviceHealth struct {
	ReportedAt     time.Time `json:"reported_at"`
	AppVersion     string    `json:"app_version"`
	Waiting        int       `json:"waiting"`
	OldestUnsynced time.Time `json:"oldest_unsynced,omitzero"`
	Parked         int       `json:"parked"`
	ClockOffsetMS  int64     `json:"clock_offset_ms"`
	// Behind: a change has waited more than store.MaxWait, or refusals
	// wait for someone to fix them.
	Behind bool `json:"behind"`
}

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req EnrollRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		httpjson.Error(w, http.StatusBadRequest, "bad enrol request: "+err.Error())
		return
	}
	e, err := s.reg.Trade(r.Context(), req.Code, req.Device, req.Name)
	if errors.Is(err, devices.ErrAuth) {
		s.log.Warn("enrolment refused", "remote", r.RemoteAddr, "err", err)
		httpjson.Error(w, http.StatusForbidden, "enrolment code unknown, used or expired / 注册码无效、已使用或已过期")
		return
	}
	if err != nil {
		httpjson.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	s.log.Info("device enrolled", "device", e.Device.ID, "scope", e.Device.Scope, "name", e.Device.Name)
	httpjson.Write(w, EnrollResponse{Device: e.Device.ID, Token: e.Token, Scope: e.Device.Scope, Role: e.Device.Role,
		ServerTimeMS: s.cfg.Now().UnixMilli()})
}

func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/codes", s.admin(func(w http.ResponseWriter, r *http.Request) {
		var req CodeRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		code, err := s.NewEnrollCode(r.Context(), req)
		if err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		httpjson.Write(w, map[string]string{"code": code})
	}))
	mux.HandleFunc("GET /admin/devices", s.admin(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.ListDevices(r.Context())
		if err != nil {
			httpjson.Error(w, http.StatusInternalServerError, err.Error())
			return
		}
		httpjson.Write(w, list)
	}))
	mux.HandleFunc("POST /admin/devices/{id}/revoke", s.admin(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Revoke(r.Context(), r.PathValue("id")); err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, store.ErrNotFound) {
				status = http.StatusNotFound
			}
			httpjson.Error(w, status, err.Error())
			return
		}
		httpjson.Write(w, map[string]string{"revoked": r.PathValue("id")})
	}))
	s.reportRoutes(mux)
	s.planRoutes(mux)
	s.auditRoutes(mux)
	s.lockRoutes(mux)
	s.personRoutes(mux)
	s.reviewRoutes(mux)
	s.duplicateRoutes(mux)
	s.mergeRoutes(mux)
	s.moveRoutes(mux)
	s.backupRoutes(mux)
}

// admin guards a handler with the admin token.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(session.BearerToken(r)), []byte(s.adminToken)) != 1 {
			httpjson.Error(w, http.StatusUnauthorized, "admin token required")
			return
		}
		h(w, r)
	}
}

// NewEnrollCode makes a one-time code (default lifetime 7 days).
func (s *Server) NewEnrollCode(ctx context.Context, req CodeRequest) (string, error) {
	if req.Role == "" {
		req.Role = store.RoleSite
	}
	ttl := time.Duration(req.TTLHours * float64(time.Hour))
	if ttl <= 0 {
		ttl = 7 * 24 * time.Hour
	}
	return s.reg.NewCode(ctx, req.Unit, req.Name, req.Role, ttl)
}

// ListDevices lists devices with their marks, by scope then name.
func (s *Server) ListDevices(ctx context.Context) ([]DeviceInfo, error) {
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	marks, err := s.st.Marks(ctx)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	healths, err := s.st.Healths(ctx)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	out := make([]DeviceInfo, 0, len(devs))
	for _, d := range devs {
		m := marks[d.ID]
		di := DeviceInfo{ID: d.ID, Name: d.Name, Scope: d.Scope, Role: d.Role, Enrolled: d.Enrolled,
			Revoked: d.Revoked, HighWater: m.HighWater, LastSync: m.At}
		if h, ok := healths[d.ID]; ok {
			di.Health = &DeviceHealth{ReportedAt: h.At, AppVersion: h.AppVersion, Waiting: h.Waiting(m),
				OldestUnsynced: h.OldestUnsynced(m), Parked: h.Report.Parked, ClockOffsetMS: h.Report.ClockOffsetMS,
				Behind: h.Behind(m, s.cfg.Now())}
		}
		out = append(out, di)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Scope != out[j].Scope {
			return out[i].Scope < out[j].Scope
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Revoke revokes a device and closes its open sessions.
func (s *Server) Revoke(ctx context.Context, id string) error {
	if err := s.reg.Revoke(ctx, id); err != nil {
		return err
	}
	s.ep.Kick(id)
	s.log.Info("device revoked", "device", id)
	return nil
}
