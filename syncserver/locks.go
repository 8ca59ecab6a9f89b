package syncserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
)

// Review locks set from the server: an office reviews a unit's period and
// locks it (syncserver lock), and unlocks it when a township must correct
// it (syncserver unlock). Both are changes the server writes as itself, so
// they go through the single writer like any upload, land in the audit
// trail and flow down to every device below the unit.

// LockRequest asks to lock, or unlock, a unit's period.
type LockRequest struct {
	Unit   schema.Code `json:"unit"`
	Period string      `json:"period"` // YYYY or YYYY-MM
	Reason string      `json:"reason"`
	// By is who locks: the office and person, shown to township staff
	// whose save is refused.
	By string `json:"by"`
}

// LockInfo is a lock as `syncserver locks list` and the admin API show
// it, with the unlock that lifted it, if any.
type LockInfo struct {
	ID       string      `json:"id"`
	Unit     schema.Code `json:"unit"`
	UnitName string      `json:"unit_name"`
	Period   string      `json:"period"`
	By       string      `json:"by"`
	At       string      `json:"at"`
	Reason   string      `json:"reason"`
	Active   bool        `json:"active"`
	Unlock   *UnlockInfo `json:"unlock,omitempty"`
}

// UnlockInfo is the unlock that lifted a lock.
type UnlockInfo struct {
	ID     string `json:"id"`
	By     string `json:"by"`
	At     string `json:"at"`
	Reason string `json:"reason"`
}

// Errors of Lock and Unlock; test with errors.Is.
var (
	// ErrAlreadyLocked: a lock on exactly this unit and period is in force.
	ErrAlreadyLocked = errors.New("already locked (已锁定)")
	// ErrNoLock: no lock on exactly this unit and period is in force.
	ErrNoLock = errors.New("no lock in force on this unit and period (该单位该期间没有锁定)")
)

// RefusedError is a change the server's own writer refused (an unknown
// unit, a future period): the rejection says why, in both languages.
type RefusedError struct{ Rejection schema.Rejection }

// Error gives the reason in English and Chinese.
func (e *RefusedError) Error() string { return e.Rejection.Reason + " / " + e.Rejection.ReasonZh }

// Lock locks a unit's period. It fails with ErrAlreadyLocked when a lock
// on the same unit and period is in force, and with a *RefusedError when
// the request does not validate.
func (s *Server) Lock(ctx context.Context, req LockRequest) (LockInfo, error) {
	locks, err := s.Locks(ctx, req.Unit)
	if err != nil {
		return LockInfo{}, err
	}
	for _, l := range locks {
		if l.Active && l.Unit == req.Unit && l.Period == req.Period {
			return l, fmt.Errorf("%s %s: lock %s by %s at %s: %w", req.Unit, req.Period, l.ID, l.By, l.At, ErrAlreadyLocked)
		}
	}
	at := s.cfg.Now().In(schema.ChinaTime).Format(time.RFC3339)
	lock := schema.Lock{Period: req.Period, By: req.By, At: at, Reason: req.Reason}
	id := schema.NewID()
	if err := s.submitOne(ctx, schema.KindLock, id, req.Unit, lock); err != nil {
		return LockInfo{}, fmt.Errorf("lock %s %s: %w", req.Unit, req.Period, err)
	}
	s.log.Info("period locked", "lock", id, "unit", req.Unit, "period", req.Period, "by", req.By)
	return LockInfo{ID: id, Unit: req.Unit, UnitName: s.Divisions().Name(req.Unit), Period: req.Period,
		By: req.By, At: at, Reason: req.Reason, Active: true}, nil
}

// Unlock lifts every lock in force on exactly the unit and period (a
// county's lock is lifted on the county, not on one of its townships) and
// returns them. ErrNoLock when there is none.
func (s *Server) Unlock(ctx context.Context, req LockRequest) ([]LockInfo, error) {
	locks, err := s.Locks(ctx, req.Unit)
	if err != nil {
		return nil, err
	}
	at := s.cfg.Now().In(schema.ChinaTime).Format(time.RFC3339)
	var lifted []LockInfo
	for _, l := range locks {
		if !l.Active || l.Unit != req.Unit || l.Period != req.Period {
			continue
		}
		u := schema.Unlock{Lock: l.ID, Period: l.Period, By: req.By, At: at, Reason: req.Reason}
		id := schema.NewID()
		if err := s.submitOne(ctx, schema.KindUnlock, id, l.Unit, u); err != nil {
			return lifted, fmt.Errorf("unlock %s: %w", l.ID, err)
		}
		s.log.Info("period unlocked", "lock", l.ID, "unlock", id, "unit", l.Unit, "period", l.Period, "by", req.By)
		l.Active = false
		l.Unlock = &UnlockInfo{ID: id, By: req.By, At: at, Reason: req.Reason}
		lifted = append(lifted, l)
	}
	if len(lifted) == 0 {
		return nil, fmt.Errorf("unlock %s %s: %w", req.Unit, req.Period, ErrNoLock)
	}
	return lifted, nil
}

// submitOne writes one record as the server, refused or not.
func (s *Server) submitOne(ctx context.Context, kind schema.Kind, id string, unit schema.Code, v any) error {
	set, err := schema.EncodeFields(v)
	if err != nil {
		return err
	}
	ack, err := s.in.SubmitServer(ctx, []schema.Change{{Kind: kind, ID: id, Unit: unit, Set: set}})
	if err != nil {
		return err
	}
	if len(ack.Rejected) > 0 {
		return &RefusedError{Rejection: ack.Rejected[0]}
	}
	return nil
}

// Locks lists the locks on units within unit or above it (every lock for
// unit ""), lifted ones too, oldest first.
func (s *Server) Locks(ctx context.Context, unit schema.Code) ([]LockInfo, error) {
	byID := map[string]*LockInfo{}
	unlocks := map[string]*UnlockInfo{}
	err := s.st.ScanKind(ctx, schema.KindLock, func(r *schema.Record) error {
		var l schema.Lock
		if r.IsDeleted() || (!r.Unit.Within(unit) && !unit.Within(r.Unit)) {
			return nil
		}
		if err := r.Decode(&l); err != nil {
			return fmt.Errorf("lock %s: %w", r.ID, err)
		}
		byID[r.ID] = &LockInfo{ID: r.ID, Unit: r.Unit, UnitName: s.Divisions().Name(r.Unit), Period: l.Period,
			By: l.By, At: l.At, Reason: l.Reason, Active: true}
		return nil
	})
	if err == nil {
		err = s.st.ScanKind(ctx, schema.KindUnlock, func(r *schema.Record) error {
			var u schema.Unlock
			if err := r.Decode(&u); err != nil {
				return fmt.Errorf("unlock %s: %w", r.ID, err)
			}
			unlocks[u.Lock] = &UnlockInfo{ID: r.ID, By: u.By, At: u.At, Reason: u.Reason}
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("list locks: %w", err)
	}
	out := make([]LockInfo, 0, len(byID))
	for id, l := range byID {
		if u, ok := unlocks[id]; ok {
			l.Active, l.Unlock = false, u
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// lockRoutes serves lock, unlock and the list to the admin token, so the
// commands work while the server runs.
func (s *Server) lockRoutes(mux *http.ServeMux) {
	decode := func(w http.ResponseWriter, r *http.Request) (LockRequest, bool) {
		var req LockRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad lock request: "+err.Error())
			return req, false
		}
		return req, true
	}
	mux.HandleFunc("POST /admin/locks", s.admin(func(w http.ResponseWriter, r *http.Request) {
		if req, ok := decode(w, r); ok {
			l, err := s.Lock(r.Context(), req)
			answerLock(w, l, err)
		}
	}))
	mux.HandleFunc("POST /admin/locks/unlock", s.admin(func(w http.ResponseWriter, r *http.Request) {
		if req, ok := decode(w, r); ok {
			ls, err := s.Unlock(r.Context(), req)
			answerLock(w, ls, err)
		}
	}))
	mux.HandleFunc("GET /admin/locks", s.admin(func(w http.ResponseWriter, r *http.Request) {
		ls, err := s.Locks(r.Context(), schema.Code(r.URL.Query().Get("unit")))
		answerLock(w, ls, err)
	}))
}

// answerLock writes v, or err with the status its kind calls for.
func answerLock(w http.ResponseWriter, v any, err error) {
	var re *RefusedError
	switch {
	case err == nil:
		httpjson.Write(w, v)
	case errors.As(err, &re):
		httpjson.Error(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrAlreadyLocked):
		httpjson.Error(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrNoLock):
		httpjson.Error(w, http.StatusNotFound, err.Error())
	default:
		httpjson.Error(w, http.StatusInternalServerError, err.Error())
	}
}
