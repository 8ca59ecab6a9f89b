package syncserver

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"laoxiao/schema"
	"laoxiao/syncserver/accesslog"
)

// Persons as offices see them. Every way a person leaves the server — the
// console's person pages, its export, a command-line reveal — goes through
// this file, so masking and access logging are written once: lists and
// pages show names and ID numbers masked (schema.Mask) and are logged as
// views or exports; RevealPerson shows one person in full, only with a
// reason, and logs it before it answers.

// ErrOutOfScope is returned (wrapped) when a person lies outside the unit
// the caller may see; nothing about the person is shown or logged as seen.
var ErrOutOfScope = errors.New("person outside the account's unit (不在本账号的管辖范围内)")

// ErrReasonRequired is returned (wrapped) by RevealPerson without a reason.
var ErrReasonRequired = errors.New("a reason is required to reveal a person's personal data (显示完整信息须填写原因)")

// PersonInfo is one person as an office sees them: Name and IDNumber are
// masked, BirthDate is the year only, unless the PersonInfo came from
// RevealPerson.
type PersonInfo struct {
	ID         string      `json:"id"`
	Unit       schema.Code `json:"unit"`
	UnitName   string      `json:"unit_name"`
	Name       string      `json:"name"`
	IDNumber   string      `json:"id_number"`
	BirthDate  string      `json:"birth_date"`
	Categories []string    `json:"categories"`
	Status     string      `json:"status"`
	LeftOn     string      `json:"left_on,omitempty"`
	ErasedOn   string      `json:"erased_on,omitempty"`
	Deleted    bool        `json:"deleted,omitempty"`
	Revealed   bool        `json:"revealed,omitempty"`
	// MergedInto is the survivor this person was merged into as a
	// duplicate (schema/merged.go), or "".
	MergedInto string `json:"merged_into,omitempty"`
}

// VisitInfo is one visit as a person's page lists it.
type VisitInfo struct {
	ID, Date, Kind, Visitor, Outcome, Supersedes string
}

// AccessLog is the log of who saw whose personal data, in the server's
// data directory.
func (s *Server) AccessLog() *accesslog.Log { return accesslog.Open(s.cfg.DataDir, s.cfg.Now) }

// Persons lists the persons registered within unit, masked, in the
// store's scan order, which is by unit. It does not log: callers that show or export the list
// log it (LogExport), as only they know whether it left the server.
func (s *Server) Persons(ctx context.Context, unit schema.Code) ([]PersonInfo, error) {
	var out []PersonInfo
	err := s.st.ScanRecords(ctx, unit, func(r *schema.Record) error {
		if r.Kind != schema.KindPerson {
			return nil
		}
		info, err := s.personInfo(r, false)
		if err != nil {
			return err
		}
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("persons of %s: %w", unit, err)
	}
	return out, nil
}

// LogExport logs that account took a list of n persons of unit out of
// the server (a download); it must be called before the list is sent.
func (s *Server) LogExport(account string, unit schema.Code, n int) error {
	return s.AccessLog().Append(accesslog.Entry{Account: account, Action: accesslog.ActionExport, Unit: unit, Count: n})
}

// ViewPerson returns one person within scope, masked, with their visits,
// and logs that account opened the person's page. It fails with
// store.ErrNotFound or ErrOutOfScope (wrapped).
func (s *Server) ViewPerson(ctx context.Context, account string, scope schema.Code, id string) (PersonInfo, []VisitInfo, error) {
	r, err := s.personIn(ctx, scope, id)
	if err != nil {
		return PersonInfo{}, nil, err
	}
	if err := s.AccessLog().Append(accesslog.Entry{Account: account, Action: accesslog.ActionView, Unit: r.Unit, Person: id}); err != nil {
		return PersonInfo{}, nil, err
	}
	info, err := s.personInfo(r, false)
	if err != nil {
		return PersonInfo{}, nil, err
	}
	visits, err := s.visitsOf(ctx, r.Unit, id)
	return info, visits, err
}

// RevealPerson returns one person in full, with their visits, and logs
// who asked and why before it answers; a missing reason is
// ErrReasonRequired. Whether the
// account may reveal at all is the caller's check (the console's
// personal-data permission; the operator's shell on the command line).
func (s *Server) RevealPerson(ctx context.Context, account string, scope schema.Code, id, reason string) (PersonInfo, []VisitInfo, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return PersonInfo{}, nil, ErrReasonRequired
	}
	r, err := s.personIn(ctx, scope, id)
	if err != nil {
		return PersonInfo{}, nil, err
	}
	e := accesslog.Entry{Account: account, Action: accesslog.ActionReveal, Unit: r.Unit, Person: id, Reason: reason}
	if err := s.AccessLog().Append(e); err != nil {
		return PersonInfo{}, nil, err
	}
	info, err := s.personInfo(r, true)
	if err != nil {
		return PersonInfo{}, nil, err
	}
	visits, err := s.visitsOf(ctx, r.Unit, id)
	return info, visits, err
}

// LogRefusedReveal logs a reveal asked for by an account without the
// permission; the console calls it before answering 403.
func (s *Server) LogRefusedReveal(ctx context.Context, account, id, reason string) error {
	var unit schema.Code
	if r, err := s.st.Record(ctx, schema.KindPerson, id); err == nil {
		unit = r.Unit
	}
	return s.AccessLog().Append(accesslog.Entry{Account: account, Action: accesslog.ActionRefused, Unit: unit, Person: id,
		Reason: strings.TrimSpace(reason)})
}

// personIn reads person id and checks it lies within scope.
func (s *Server) personIn(ctx context.Context, scope schema.Code, id string) (*schema.Record, error) {
	r, err := s.st.Record(ctx, schema.KindPerson, id)
	if err != nil {
		return nil, fmt.Errorf("person %s: %w", id, err)
	}
	if !r.Unit.Within(scope) {
		return nil, fmt.Errorf("person %s in %s, account sees %s: %w", id, r.Unit, scope, ErrOutOfScope)
	}
	return r, nil
}

func (s *Server) personInfo(r *schema.Record, full bool) (PersonInfo, error) {
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		return PersonInfo{}, fmt.Errorf("person %s: %w", r.ID, err)
	}
	info := PersonInfo{ID: r.ID, Unit: r.Unit, UnitName: s.Divisions().Name(r.Unit), Name: p.Name, IDNumber: p.IDNumber,
		BirthDate: p.BirthDate, Status: schema.LabelOf(schema.PersonStatuses, string(p.Status)), LeftOn: p.LeftOn,
		ErasedOn: p.ErasedOn, Deleted: r.IsDeleted(), Revealed: full, MergedInto: schema.MergedInto(r)}
	for _, c := range p.Categories {
		info.Categories = append(info.Categories, schema.LabelOf(schema.PersonCategories, string(c)))
	}
	if !full {
		info.Name = schema.Mask(schema.KindPerson, "name", p.Name)
		info.IDNumber = schema.Mask(schema.KindPerson, "id_number", p.IDNumber)
		info.BirthDate, _, _ = strings.Cut(p.BirthDate, "-")
	}
	return info, nil
}

// visitsOf lists the visits to person id recorded within unit, newest
// first, with those to the duplicates merged into it (schema/merged.go):
// they count for it.
func (s *Server) visitsOf(ctx context.Context, unit schema.Code, id string) ([]VisitInfo, error) {
	type visit struct {
		VisitInfo
		person string
	}
	var all []visit
	merged := schema.Redirects{}
	err := s.st.ScanRecords(ctx, unit, func(r *schema.Record) error {
		if r.Kind == schema.KindPerson {
			merged.Add(r)
			return nil
		}
		if r.Kind != schema.KindVisit || r.IsDeleted() {
			return nil
		}
		var v schema.Visit
		if err := r.Decode(&v); err != nil {
			return nil //nolint:nilerr // a visit this release cannot read is not this person's
		}
		all = append(all, visit{VisitInfo{ID: r.ID, Date: v.Date, Kind: schema.LabelOf(schema.VisitKinds, string(v.Kind)),
			Visitor: v.Visitor, Outcome: v.Outcome, Supersedes: v.Supersedes}, v.Person})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("visits of %s: %w", id, err)
	}
	var out []VisitInfo
	for _, v := range all {
		if v.person == id || merged.Resolve(v.person) == id {
			out = append(out, v.VisitInfo)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date > out[j].Date })
	return out, nil
}
