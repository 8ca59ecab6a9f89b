package syncserver

import (
	"context"
	"errors"
	"fmt"

	"laoxiao/schema"
)

// Retention: persons who died or moved away are kept, with their names and
// ID numbers, for the period the county sets, and then the server erases
// their identifying fields (name, ID number, birth date). The erasure is a
// change the server writes as itself, like a lock, so it lands in the
// audit trail and flows down to every device of the township, which erase
// them too. The person record stays, with its categories, status and
// visits: figures of past periods that counted the person do not change.

// ErasureRequest asks to erase the persons of a unit whose retention
// period ended.
type ErasureRequest struct {
	Unit schema.Code `json:"unit"`
	// KeepYears is the county's retention period, counted from the date
	// the person died or moved away (Person.LeftOn); at least 1.
	KeepYears int `json:"keep_years"`
	// DryRun lists the persons without erasing them.
	DryRun bool `json:"dry_run"`
}

// ErasureResult lists the persons erased (or, for a dry run, due).
type ErasureResult struct {
	Erased []PersonInfo `json:"erased"`
	// Cutoff is the newest LeftOn date that was due.
	Cutoff string `json:"cutoff"`
}

// ErrBadRetention is returned (wrapped) for a retention period below a
// year or a unit that is not a valid code.
var ErrBadRetention = errors.New("bad retention request")

// ErasePersons erases the identifying fields of every person within
// req.Unit who died or moved away, or whose record was deleted, at least
// req.KeepYears ago (China's calendar) and is not erased yet. A deleted
// record stays deleted. The persons listed come back masked.
func (s *Server) ErasePersons(ctx context.Context, req ErasureRequest) (ErasureResult, error) {
	if req.KeepYears < 1 {
		return ErasureResult{}, fmt.Errorf("keep_years %d: at least 1 year (保存期限至少1年): %w", req.KeepYears, ErrBadRetention)
	}
	if !req.Unit.Valid() {
		return ErasureResult{}, fmt.Errorf("unit %q is not a division code (单位代码无效): %w", req.Unit, ErrBadRetention)
	}
	today := s.cfg.Now().In(schema.ChinaTime)
	res := ErasureResult{Cutoff: today.AddDate(-req.KeepYears, 0, 0).Format(schema.DateLayout)}
	due, err := s.personsDue(ctx, req.Unit, res.Cutoff)
	if err != nil {
		return res, err
	}
	for _, r := range due {
		info, err := s.personInfo(r, false)
		if err != nil {
			return res, err
		}
		if !req.DryRun {
			if err := s.erase(ctx, r, today.Format(schema.DateLayout)); err != nil {
				return res, fmt.Errorf("erase person %s: %w", r.ID, err)
			}
		}
		res.Erased = append(res.Erased, info)
	}
	return res, nil
}

// personsDue returns the persons within unit who still carry their
// identity and left on or before cutoff: died or moved away (LeftOn), or
// deleted (a mistaken entry, or the old record of a person the county
// moved to another township) on or before it.
func (s *Server) personsDue(ctx context.Context, unit schema.Code, cutoff string) ([]*schema.Record, error) {
	var due []*schema.Record
	err := s.st.ScanRecords(ctx, unit, func(r *schema.Record) error {
		if r.Kind != schema.KindPerson {
			return nil
		}
		var p schema.Person
		if err := r.Decode(&p); err != nil {
			return fmt.Errorf("person %s: %w", r.ID, err)
		}
		if p.Erased() || !p.HasIdentity() {
			return nil
		}
		left := p.LeftOn
		if !p.Left() {
			left = ""
		}
		if r.IsDeleted() {
			left = r.Deleted.Stamp.Time().In(schema.ChinaTime).Format(schema.DateLayout)
		}
		if left != "" && left <= cutoff {
			due = append(due, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("persons due for erasure in %s: %w", unit, err)
	}
	return due, nil
}

// erase writes the change that blanks a person's identity: only the
// identifying fields and the erasure date, so nothing else a township
// edits concurrently is overwritten. A deleted person is deleted again
// after it in the same batch (stamped later), since an edit newer than a
// delete would bring the record back.
func (s *Server) erase(ctx context.Context, r *schema.Record, today string) error {
	all, err := schema.EncodeFields(&schema.Person{ErasedOn: today})
	if err != nil {
		return err
	}
	set := schema.Fields{"erased_on": all["erased_on"]}
	for _, f := range schema.IdentityFields {
		set[f] = all[f]
	}
	changes := []schema.Change{{Kind: schema.KindPerson, ID: r.ID, Unit: r.Unit, Set: set}}
	if r.IsDeleted() {
		changes = append(changes, schema.Change{Kind: schema.KindPerson, ID: r.ID, Unit: r.Unit, Delete: true})
	}
	ack, err := s.in.SubmitServer(ctx, changes)
	if err != nil {
		return err
	}
	if len(ack.Rejected) > 0 {
		return &RefusedError{Rejection: ack.Rejected[0]}
	}
	return nil
}
