package syncserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Moving a person to another township of the county (schema/moved.go has
// the model). Like a merge, a move is changes the server writes as itself
// in one batch: the new record in the new unit, the forward pointer on the
// old record and its delete commit together, go into the audit trail and
// flow down, the create to the new unit's devices and the delete to the
// old one's.

// MoveRequest asks to move Person to the unit To.
type MoveRequest struct {
	Person string `json:"person"`
	// To is the village or township the person now lives in. It must lie
	// in the same county as the person's current unit: the county office
	// moves its own people, a move between counties is a new registration.
	To     schema.Code `json:"to"`
	Reason string      `json:"reason"`
	// By is who moves: the office and person.
	By string `json:"by"`
}

// MoveInfo says what a move wrote.
type MoveInfo struct {
	From     string      `json:"from"` // the old record's id, now deleted
	FromUnit schema.Code `json:"from_unit"`
	To       string      `json:"to"` // the new record's id
	ToUnit   schema.Code `json:"to_unit"`
	ToName   string      `json:"to_name"` // the new unit's name
	By       string      `json:"by"`
	At       string      `json:"at"`
	Reason   string      `json:"reason"`
}

// Errors of MovePerson; test with errors.Is. Each message says in Chinese
// what the office should do.
var (
	ErrMovePerson = errors.New("no such person (没有该服务对象)")
	ErrMoveTarget = errors.New("the unit moved to must be a known township or village (迁入单位必须是已知的乡镇(街道)或村(社区))")
	ErrMoveCounty = errors.New("a person can only be moved within their county (只能在本县(区)内迁移)")
	ErrMoveSame   = errors.New("the person already belongs to that unit (该服务对象已属于该单位)")
	ErrMoveMerged = errors.New("a merged duplicate cannot be moved; move the record it was merged into (已合并的重复记录不能迁移，请迁移保留记录)")
	ErrMoveLeft   = errors.New("the person was already moved (该服务对象已迁移)")
)

// MovePerson moves req.Person to req.To: a new person record there with
// the person's fields and moved_from, and on the old one moved_to and a
// delete. Visits keep naming the old id and count for the new record
// through the redirect (schema.Redirects).
func (s *Server) MovePerson(ctx context.Context, req MoveRequest) (MoveInfo, error) {
	old, err := s.movable(ctx, req.Person)
	if err != nil {
		return MoveInfo{}, fmt.Errorf("move %s: %w", req.Person, err)
	}
	if err := s.checkMoveTarget(old.Unit, req.To); err != nil {
		return MoveInfo{}, fmt.Errorf("move %s to %s: %w", old.ID, req.To, err)
	}
	info := MoveInfo{From: old.ID, FromUnit: old.Unit, To: schema.NewID(), ToUnit: req.To,
		ToName: s.Divisions().Name(req.To), By: req.By, Reason: req.Reason,
		At: s.cfg.Now().In(schema.ChinaTime).Format(time.RFC3339)}
	created, pointer, err := moveFields(old, info)
	if err != nil {
		return MoveInfo{}, fmt.Errorf("move %s: %w", old.ID, err)
	}
	changes := []schema.Change{
		{Kind: schema.KindPerson, ID: info.To, Unit: info.ToUnit, Set: created},
		{Kind: schema.KindPerson, ID: old.ID, Unit: old.Unit, Set: pointer},
		// After the pointer in the batch, so stamped later: the record is
		// deleted with the pointer on it.
		{Kind: schema.KindPerson, ID: old.ID, Unit: old.Unit, Delete: true},
	}
	if err := s.submit(ctx, changes); err != nil {
		return MoveInfo{}, fmt.Errorf("move %s to %s: %w", old.ID, req.To, err)
	}
	s.log.Info("person moved", "from", old.ID, "from_unit", old.Unit, "to", info.To, "to_unit", info.ToUnit, "by", req.By)
	return info, nil
}

// movable reads a live person that may be moved.
func (s *Server) movable(ctx context.Context, id string) (*schema.Record, error) {
	r, err := s.st.Record(ctx, schema.KindPerson, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%q: %w", id, ErrMovePerson)
	}
	if err != nil {
		return nil, fmt.Errorf("read person %s: %w", id, err)
	}
	switch {
	case schema.MovedTo(r) != "":
		return nil, fmt.Errorf("moved to %s in %s: %w", schema.MovedTo(r), schema.MovedUnit(r), ErrMoveLeft)
	case r.IsDeleted():
		return nil, fmt.Errorf("%q deleted: %w", id, ErrMovePerson)
	case schema.MergedInto(r) != "":
		return nil, fmt.Errorf("merged into %s: %w", schema.MergedInto(r), ErrMoveMerged)
	}
	return r, nil
}

// checkMoveTarget refuses a unit that is not a known township or village
// of from's county, or is from itself.
func (s *Server) checkMoveTarget(from, to schema.Code) error {
	if lv := to.Level(); lv != schema.LevelTownship && lv != schema.LevelVillage {
		return fmt.Errorf("%q: %w", to, ErrMoveTarget)
	}
	if _, known := s.Divisions().Lookup(to); !known {
		return fmt.Errorf("%s not among the loaded units: %w", to, ErrMoveTarget)
	}
	if county := from.Ancestor(schema.LevelCounty); !to.Within(county) {
		return fmt.Errorf("%s is outside %s (%s): %w", to, county, s.Divisions().Name(county), ErrMoveCounty)
	}
	if to == from {
		return fmt.Errorf("%s: %w", to, ErrMoveSame)
	}
	return nil
}

// moveFields returns the fields of the new record (the old one's, less
// the office's pointers, plus moved_from) and the forward pointer set on
// the old one.
func moveFields(old *schema.Record, info MoveInfo) (created, pointer schema.Fields, err error) {
	created = schema.Fields{}
	for name, raw := range old.Fields {
		if !schema.IsOfficeField(name) {
			created[name] = raw
		}
	}
	pointer = schema.Fields{}
	common := map[string]string{"moved_by": info.By, "moved_at": info.At, "move_reason": info.Reason}
	err = errors.Join(
		setText(created, map[string]string{"moved_from": info.From, "moved_from_unit": string(info.FromUnit)}),
		setText(created, common),
		setText(pointer, map[string]string{"moved_to": info.To, "moved_to_unit": string(info.ToUnit)}),
		setText(pointer, common))
	return created, pointer, err
}

// moveRoutes serves the move to the admin token, so the command works
// while the server runs.
func (s *Server) moveRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/move", mergeRoute(s, s.MovePerson, answerMove))
}

// answerMove writes info, or err with the status its kind calls for.
func answerMove(w http.ResponseWriter, info MoveInfo, err error) {
	var re *RefusedError
	switch {
	case err == nil:
		httpjson.Write(w, info)
	case errors.Is(err, ErrMovePerson):
		httpjson.Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrMoveLeft), errors.Is(err, ErrMoveMerged):
		httpjson.Error(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrMoveTarget), errors.Is(err, ErrMoveCounty), errors.Is(err, ErrMoveSame), errors.As(err, &re):
		httpjson.Error(w, http.StatusBadRequest, err.Error())
	default:
		httpjson.Error(w, http.StatusInternalServerError, err.Error())
	}
}
