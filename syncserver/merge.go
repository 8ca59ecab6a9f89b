package syncserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"laoxiao/internal/httpjson"
	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Merging duplicates from the server: an office picks the survivor of a
// group `syncserver duplicates` listed and merges the others into it
// (schema/merged.go has the model). Merge and Unmerge are changes the
// server writes as itself, like locks: one batch, so the pointer on the
// duplicate and the fields filled in on the survivor commit together, go
// into the audit trail and flow down to the devices of both records'
// units.

// MergeRequest asks to merge Duplicate into Survivor.
type MergeRequest struct {
	// Unit is the office's unit: both records must lie within it.
	Unit      schema.Code `json:"unit"`
	Survivor  string      `json:"survivor"`
	Duplicate string      `json:"duplicate"`
	Reason    string      `json:"reason"`
	// By is who merges: the office and person.
	By string `json:"by"`
	// Keep names fields of the survivor to leave as they are even where
	// they are empty and the duplicate's are not; by default a merge
	// fills them from the duplicate so nothing only it knew is lost.
	Keep []string `json:"keep,omitempty"`
}

// UnmergeRequest asks to undo the merge of Duplicate.
type UnmergeRequest struct {
	Unit      schema.Code `json:"unit"`
	Duplicate string      `json:"duplicate"`
	Reason    string      `json:"reason"`
	By        string      `json:"by"`
}

// MergeInfo says what a merge or an unmerge wrote.
type MergeInfo struct {
	Kind      schema.Kind `json:"kind"`
	Survivor  string      `json:"survivor"`
	Duplicate string      `json:"duplicate"`
	By        string      `json:"by"`
	At        string      `json:"at"`
	Reason    string      `json:"reason"`
	// Filled names the survivor's fields a merge filled in from the
	// duplicate, or an unmerge emptied again.
	Filled []string `json:"filled,omitempty"`
}

// Errors of Merge and Unmerge; test with errors.Is. Each message says in
// Chinese what the office should do.
var (
	ErrMergeRecord   = errors.New("no such person or facility in this unit (本单位没有该服务对象或机构)")
	ErrMergeKinds    = errors.New("a person and a facility cannot be merged (服务对象和机构不能合并)")
	ErrMergeSelf     = errors.New("a record cannot be merged into itself (不能与自身合并)")
	ErrAlreadyMerged = errors.New("already merged (该记录已合并)")
	ErrNotMerged     = errors.New("not merged (该记录未合并)")
	// ErrSurvivorMerged: the chosen survivor was itself merged; merge
	// into the record it was merged into instead.
	ErrSurvivorMerged = errors.New("the survivor was itself merged into another record (保留记录本身已合并到其他记录)")
)

// Merge merges req.Duplicate into req.Survivor: the duplicate gets the
// merge pointer, the survivor the fields only the duplicate had (except
// those in req.Keep).
func (s *Server) Merge(ctx context.Context, req MergeRequest) (MergeInfo, error) {
	if req.Survivor == req.Duplicate {
		return MergeInfo{}, fmt.Errorf("merge %s: %w", req.Duplicate, ErrMergeSelf)
	}
	dup, err := s.mergeable(ctx, req.Unit, req.Duplicate, "")
	if err != nil {
		return MergeInfo{}, fmt.Errorf("merge: duplicate: %w", err)
	}
	surv, err := s.mergeable(ctx, req.Unit, req.Survivor, dup.Kind)
	if err != nil {
		return MergeInfo{}, fmt.Errorf("merge: survivor: %w", err)
	}
	if to := schema.MergedInto(dup); to != "" {
		return MergeInfo{}, fmt.Errorf("merge %s: merged into %s: %w", dup.ID, to, ErrAlreadyMerged)
	}
	if to := schema.MergedInto(surv); to != "" {
		return MergeInfo{}, fmt.Errorf("merge into %s: it was merged into %s: %w", surv.ID, to, ErrSurvivorMerged)
	}
	fill := schema.MergeFill(dup.Kind, surv.Fields, dup.Fields, req.Keep)
	info := MergeInfo{Kind: dup.Kind, Survivor: surv.ID, Duplicate: dup.ID, By: req.By,
		At: s.cfg.Now().In(schema.ChinaTime).Format(time.RFC3339), Reason: req.Reason, Filled: fill.FieldNames()}
	pointer, err := mergePointer(info.Survivor, info)
	if err != nil {
		return MergeInfo{}, err
	}
	changes := []schema.Change{{Kind: dup.Kind, ID: dup.ID, Unit: dup.Unit, Set: pointer}}
	if len(fill) > 0 {
		changes = append(changes, schema.Change{Kind: surv.Kind, ID: surv.ID, Unit: surv.Unit, Set: fill})
	}
	if err := s.submit(ctx, changes); err != nil {
		return MergeInfo{}, fmt.Errorf("merge %s into %s: %w", dup.ID, surv.ID, err)
	}
	s.log.Info("records merged", "kind", dup.Kind, "duplicate", dup.ID, "survivor", surv.ID, "filled", info.Filled, "by", req.By)
	return info, nil
}

// Unmerge undoes the merge of req.Duplicate: its pointer is cleared, so
// it and everything that refers to it count on their own again, and the
// survivor's fields the merge filled in are emptied again unless someone
// has changed them since.
func (s *Server) Unmerge(ctx context.Context, req UnmergeRequest) (MergeInfo, error) {
	dup, err := s.mergeable(ctx, req.Unit, req.Duplicate, "")
	if err != nil {
		return MergeInfo{}, fmt.Errorf("unmerge: %w", err)
	}
	to := schema.MergedInto(dup)
	if to == "" {
		return MergeInfo{}, fmt.Errorf("unmerge %s: %w", dup.ID, ErrNotMerged)
	}
	var was schema.Person // both kinds carry the pointer under the same names
	if err := dup.Decode(&was); err != nil {
		return MergeInfo{}, fmt.Errorf("unmerge %s: %w", dup.ID, err)
	}
	info := MergeInfo{Kind: dup.Kind, Survivor: to, Duplicate: dup.ID, By: req.By,
		At: s.cfg.Now().In(schema.ChinaTime).Format(time.RFC3339), Reason: req.Reason}
	pointer, err := mergePointer("", info)
	if err != nil {
		return MergeInfo{}, err
	}
	changes := []schema.Change{{Kind: dup.Kind, ID: dup.ID, Unit: dup.Unit, Set: pointer}}
	surv, err := s.st.Record(ctx, dup.Kind, to)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return MergeInfo{}, fmt.Errorf("unmerge %s: read survivor %s: %w", dup.ID, to, err)
	}
	if surv != nil && !surv.IsDeleted() {
		if empty := unfill(surv, dup, strings.Split(was.MergeFilled, ",")); len(empty) > 0 {
			changes = append(changes, schema.Change{Kind: surv.Kind, ID: surv.ID, Unit: surv.Unit, Set: empty})
			info.Filled = empty.FieldNames()
		}
	}
	if err := s.submit(ctx, changes); err != nil {
		return MergeInfo{}, fmt.Errorf("unmerge %s: %w", dup.ID, err)
	}
	s.log.Info("merge undone", "kind", dup.Kind, "duplicate", dup.ID, "survivor", to, "emptied", info.Filled, "by", req.By)
	return info, nil
}

// mergePointer encodes the merge pointer fields: into the survivor for a
// merge, "" for an unmerge, which also clears the list of filled fields.
func mergePointer(into string, info MergeInfo) (schema.Fields, error) {
	set := schema.Fields{}
	err := setText(set, map[string]string{"merged_into": into, "merged_by": info.By, "merged_at": info.At,
		"merge_reason": info.Reason, "merge_filled": strings.Join(info.Filled, ",")})
	return set, err
}

// setText encodes text fields into f.
func setText(f schema.Fields, vals map[string]string) error {
	for name, v := range vals {
		raw, err := schema.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		f[name] = raw
	}
	return nil
}

// unfill returns the survivor's fields a merge filled in from the
// duplicate, set back to empty, leaving out those edited since (their
// value is no longer the duplicate's).
func unfill(surv, dup *schema.Record, filled []string) schema.Fields {
	empty := schema.Fields{}
	blank, err := schema.NewValue(surv.Kind)
	if err != nil {
		return empty
	}
	for _, name := range filled {
		cur, ok := surv.Fields[name]
		if !ok || !bytes.Equal(cur, dup.Fields[name]) {
			continue
		}
		if raw, err := schema.Marshal(reflect.Zero(fieldType(blank, name)).Interface()); err == nil {
			empty[name] = raw
		}
	}
	return empty
}

// fieldType returns the Go type of the field whose cbor name is name in
// the struct v points to (string when there is none).
func fieldType(v any, name string) reflect.Type {
	t := reflect.TypeOf(v).Elem()
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("cbor"); tag == name || len(tag) > len(name) && tag[:len(name)+1] == name+"," {
			return t.Field(i).Type
		}
	}
	return reflect.TypeOf("")
}

// mergeable reads a live person or facility within unit (of kind, when
// given).
func (s *Server) mergeable(ctx context.Context, unit schema.Code, id string, kind schema.Kind) (*schema.Record, error) {
	kinds := []schema.Kind{schema.KindPerson, schema.KindFacility}
	for _, k := range kinds {
		r, err := s.st.Record(ctx, k, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s %s: %w", k, id, err)
		}
		if r.IsDeleted() || !r.Unit.Within(unit) {
			continue
		}
		if kind != "" && r.Kind != kind {
			return nil, fmt.Errorf("%s is a %s: %w", id, r.Kind.Label(), ErrMergeKinds)
		}
		return r, nil
	}
	return nil, fmt.Errorf("%q in %s: %w", id, unit, ErrMergeRecord)
}

// submit writes changes as the server in one batch, refused or not.
func (s *Server) submit(ctx context.Context, changes []schema.Change) error {
	ack, err := s.in.SubmitServer(ctx, changes)
	if err != nil {
		return err
	}
	if len(ack.Rejected) > 0 {
		return &RefusedError{Rejection: ack.Rejected[0]}
	}
	return nil
}

// mergeRoutes serves merge and unmerge to the admin token, so the
// commands work while the server runs.
func (s *Server) mergeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/merge", mergeRoute(s, s.Merge, answerMerge))
	mux.HandleFunc("POST /admin/unmerge", mergeRoute(s, s.Unmerge, answerMerge))
}

// mergeRoute decodes a request of type Req, does it and answers with
// answer (merges and moves share it).
func mergeRoute[Req, Info any](s *Server, do func(context.Context, Req) (Info, error),
	answer func(http.ResponseWriter, Info, error)) http.HandlerFunc {
	return s.admin(func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&req); err != nil {
			httpjson.Error(w, http.StatusBadRequest, "bad request: "+err.Error())
			return
		}
		info, err := do(r.Context(), req)
		answer(w, info, err)
	})
}

// answerMerge writes info, or err with the status its kind calls for.
func answerMerge(w http.ResponseWriter, info MergeInfo, err error) {
	var re *RefusedError
	switch {
	case err == nil:
		httpjson.Write(w, info)
	case errors.Is(err, ErrMergeRecord):
		httpjson.Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrAlreadyMerged), errors.Is(err, ErrNotMerged), errors.Is(err, ErrSurvivorMerged):
		httpjson.Error(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrMergeSelf), errors.Is(err, ErrMergeKinds), errors.As(err, &re):
		httpjson.Error(w, http.StatusBadRequest, err.Error())
	default:
		httpjson.Error(w, http.StatusInternalServerError, err.Error())
	}
}
