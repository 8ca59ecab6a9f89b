package schema

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Review and locks (审核锁定). An office reviews a unit's figures for a
// period and locks them with a Lock record; an Unlock record, naming the
// lock, lifts it. Both are insert-only (a lock is never edited or deleted:
// the audit trail keeps every lock and unlock with who, when and why) and
// written by offices only. They flow down to every device below their
// unit, so a lock on a county reaches its townships' laptops.
//
// What a lock covers is defined here once, for the agent (which refuses a
// save) and the server (which refuses an upload) alike: a lock on unit U
// for period P covers a record of a lockable kind when the record's unit
// lies within U (by code prefix, so a county's lock covers its townships
// and villages) and the record's period lies within P (a month lock
// "2025-03" covers the month's reports and the visits dated in it; a year
// lock "2025" covers every month and day of 2025 and the year's
// population). A record's period is, per kind (LockField):
//
//   - capacity: its report month;
//   - visit: its date;
//   - population: its year;
//   - reported: its period (a year or a month);
//   - target: its year, for writers other than offices (targets stay
//     office-only, and an office's own plan figures are not frozen by its
//     review of a township's reports).
//
// Facilities and persons are registers, not figures of a period, and are
// never locked. A yearly record is not covered by a lock of one month: a
// month lock "2025-03" does not freeze the 2025 population.

// Lock is a review lock on a unit's figures for a period. Its record's unit
// is the unit locked; its id is a fresh id (NewID), so locking the same
// period again after an unlock makes a new lock.
type Lock struct {
	Period string `cbor:"period"` // YYYY or YYYY-MM
	By     string `cbor:"by"`     // who locked it: the office and, ideally, the person
	At     string `cbor:"at"`     // when, RFC 3339
	Reason string `cbor:"reason"`
}

// Unlock lifts a lock. Its record's unit is the lock's unit, so it reaches
// every device the lock reached; Lock names the lock's id and Period
// repeats the lock's period for readers of the audit trail.
type Unlock struct {
	Lock   string `cbor:"lock"`
	Period string `cbor:"period"`
	By     string `cbor:"by"`
	At     string `cbor:"at"`
	Reason string `cbor:"reason"`
}

// Locking reports whether k is one of the lock record kinds (Lock, Unlock).
func (k Kind) Locking() bool { return k == KindLock || k == KindUnlock }

// FlowsDown reports whether records of kind k reach the devices below
// their unit as well as those within it: targets and tasks a higher
// office sets, and locks. A download for a township device carries these
// kinds from the township's county, city and province too.
func (k Kind) FlowsDown() bool { return k == KindTarget || k == KindTask || k.Locking() }

// Lockable reports whether a lock can refuse a change of kind k. byOffice
// says the writer is an office (or the server itself): only targets
// depend on it, since sites may not write them anyway and offices are not
// held to their own reviews for their plan figures.
func (k Kind) Lockable(byOffice bool) bool {
	switch k {
	case KindCapacity, KindVisit, KindPopulation, KindReported:
		return true
	case KindTarget:
		return !byOffice
	}
	return false
}

// LockField names the field that places a record of kind k in time for
// locks ("period" for capacity, "date" for a visit…), or "" for a kind
// that is never locked. A lock refusal is reported on this field, so
// forms show it beside the input the user would change.
func LockField(k Kind) string {
	switch k {
	case KindCapacity, KindReported:
		return "period"
	case KindVisit:
		return "date"
	case KindPopulation, KindTarget:
		return "year"
	}
	return ""
}

// LockPeriod returns the period of a record of kind k with fields f, as a
// lock compares it: YYYY-MM, YYYY-MM-DD or YYYY. ok is false when the kind
// is never locked or the field is missing or undecodable (validation
// reports that on its own).
func LockPeriod(k Kind, f Fields) (period string, ok bool) {
	name := LockField(k)
	raw, has := f[name]
	if name == "" || !has {
		return "", false
	}
	if name == "year" {
		var y int64
		if UnmarshalStored(raw, &y) != nil || y == 0 {
			return "", false
		}
		return strconv.FormatInt(y, 10), true
	}
	var s string
	if UnmarshalStored(raw, &s) != nil || s == "" {
		return "", false
	}
	return s, true
}

// Covers reports whether a lock on lockUnit for lockPeriod covers a record
// at unit whose period (LockPeriod) is period: the unit lies within the
// lock's unit and the period within the lock's period ("2025-03-14" within
// "2025-03" and "2025", "2025" within "2025" only).
func Covers(lockUnit Code, lockPeriod string, unit Code, period string) bool {
	return unit.Within(lockUnit) && PeriodWithin(period, lockPeriod)
}

// PeriodWithin reports whether period (YYYY, YYYY-MM or YYYY-MM-DD) lies
// within outer (YYYY or YYYY-MM): "2025-03-14" within "2025-03" and
// "2025", "2025" within "2025" only, never "2025-11" within "2025-1".
func PeriodWithin(period, outer string) bool {
	if outer == "" || !strings.HasPrefix(period, outer) {
		return false
	}
	return len(period) == len(outer) || period[len(outer)] == '-'
}

// ActiveLock is a lock as a LockSet holds it: the lock record's id and unit
// and what it says.
type ActiveLock struct {
	ID   string
	Unit Code
	Lock
}

// LockedAt returns when the lock was set, or the zero time when its at
// field does not parse.
func (l ActiveLock) LockedAt() time.Time {
	t, _ := time.Parse(time.RFC3339, l.At)
	return t
}

// LockSet is the locks in force, built from lock and unlock records in any
// order: an unlock that arrives before its lock still lifts it, so every
// device that has seen the same records agrees on what is locked. It is
// not safe for concurrent use; the agent builds one per write and the
// server's single writer owns its own.
type LockSet struct {
	locks    map[string]ActiveLock // every lock seen, lifted or not
	unlocked map[string]bool       // ids of lifted locks
}

// NewLockSet returns an empty set.
func NewLockSet() *LockSet {
	return &LockSet{locks: map[string]ActiveLock{}, unlocked: map[string]bool{}}
}

// Add takes a lock or unlock record; records of other kinds and deleted
// ones are ignored. A record whose fields do not decode is an error (a
// store that holds one was written without validation).
func (s *LockSet) Add(r *Record) error {
	if !r.Kind.Locking() || r.IsDeleted() {
		return nil
	}
	if r.Kind == KindLock {
		var l Lock
		if err := r.Decode(&l); err != nil {
			return fmt.Errorf("lock %s: %w", r.ID, err)
		}
		s.locks[r.ID] = ActiveLock{ID: r.ID, Unit: r.Unit, Lock: l}
		return nil
	}
	var u Unlock
	if err := r.Decode(&u); err != nil {
		return fmt.Errorf("unlock %s: %w", r.ID, err)
	}
	if u.Lock != "" {
		s.unlocked[u.Lock] = true
	}
	return nil
}

// Clone returns an independent copy, so a writer can try a group of
// changes and keep the result only if they commit.
func (s *LockSet) Clone() *LockSet {
	out := &LockSet{locks: make(map[string]ActiveLock, len(s.locks)), unlocked: make(map[string]bool, len(s.unlocked))}
	for k, v := range s.locks {
		out.locks[k] = v
	}
	for k := range s.unlocked {
		out.unlocked[k] = true
	}
	return out
}

// Lookup returns a lock by id, lifted or not, and whether it is in force.
func (s *LockSet) Lookup(id string) (l ActiveLock, active, found bool) {
	l, found = s.locks[id]
	return l, found && !s.unlocked[id], found
}

// Active returns the locks in force on units within unit or above it (all
// of them for unit ""), oldest first (by id, which is time-ordered for ids
// from NewID).
func (s *LockSet) Active(unit Code) []ActiveLock {
	var out []ActiveLock
	for id, l := range s.locks {
		if !s.unlocked[id] && (l.Unit.Within(unit) || unit.Within(l.Unit)) {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Covering returns the oldest lock in force that covers a record at unit
// with period (see Covers).
func (s *LockSet) Covering(unit Code, period string) (ActiveLock, bool) {
	var best ActiveLock
	found := false
	for id, l := range s.locks {
		if s.unlocked[id] || !Covers(l.Unit, l.Period, unit, period) {
			continue
		}
		if !found || id < best.ID {
			best, found = l, true
		}
	}
	return best, found
}

// Refusal returns the lock that refuses ch applied to cur (nil for a
// record not seen yet), or nil when no lock does. byOffice says an office
// or the server wrote ch (see Lockable). Both the record as it is and as
// the change leaves it are checked: a delete, or an edit of the other
// fields of a locked month's report, changes the locked month as much as
// a new report does.
func (s *LockSet) Refusal(cur *Record, ch *Change, byOffice bool) *PeriodLockedError {
	if len(s.locks) == 0 || !ch.Kind.Lockable(byOffice) {
		return nil
	}
	var periods []string
	if cur != nil {
		if p, ok := LockPeriod(ch.Kind, cur.Fields); ok {
			periods = append(periods, p)
		}
	}
	if p, ok := LockPeriod(ch.Kind, ch.Set); ok {
		periods = append(periods, p)
	}
	if len(periods) == 0 {
		// A partial edit of a record this side does not have: the id of
		// a report, population or target still says its period.
		if p, ok := periodFromID(ch.Kind, ch.ID); ok {
			periods = append(periods, p)
		}
	}
	for _, p := range periods {
		if l, ok := s.Covering(ch.Unit, p); ok {
			return &PeriodLockedError{Lock: l, Kind: ch.Kind, Unit: ch.Unit, Period: p}
		}
	}
	return nil
}

// periodFromID returns the period the derived id of a capacity report,
// population, reported value or target ends in (CapacityID and the
// others put it last, after a colon); ok is false for other kinds and
// for ids that end in no period.
func periodFromID(k Kind, id string) (string, bool) {
	switch k {
	case KindCapacity, KindPopulation, KindReported, KindTarget:
	default:
		return "", false
	}
	i := strings.LastIndexByte(id, ':')
	if i < 0 {
		return "", false
	}
	p := id[i+1:]
	if isMonth(p) || (len(p) == 4 && allDigits(p)) {
		return p, true
	}
	return "", false
}

// ErrPeriodLocked is the sentinel of a write refused because a lock covers it;
// the error carrying it is a *PeriodLockedError (errors.As) with the lock's
// details.
var ErrPeriodLocked = errors.New("period locked by review (已审核锁定)")

// PeriodLockedError is a write refused by a lock: which lock, and what was
// refused. errors.Is(err, ErrPeriodLocked) holds for it.
type PeriodLockedError struct {
	Lock   ActiveLock
	Kind   Kind   // the refused record's kind
	Unit   Code   // and unit
	Period string // and period, as LockPeriod gives it
}

// Error says which lock refused what, in English.
func (e *PeriodLockedError) Error() string {
	return fmt.Sprintf("%s of %s for %s is locked: lock %s on %s for %s, by %s at %s (%s); ask the office to unlock it",
		e.Kind, e.Unit, e.Period, e.Lock.ID, e.Lock.Unit, e.Lock.Period, e.Lock.By, e.Lock.At, e.Lock.Reason)
}

// Is makes errors.Is(err, ErrPeriodLocked) true.
func (e *PeriodLockedError) Is(target error) bool { return target == ErrPeriodLocked }

// Zh says the same in Chinese for township staff: which unit and period,
// who locked it and when, and that the county must unlock it. divs names
// the unit (nil prints the code).
func (e *PeriodLockedError) Zh(divs *Divisions) string {
	unit := string(e.Lock.Unit)
	if divs != nil {
		unit = divs.Name(e.Lock.Unit) + "(" + unit + ")"
	}
	when := e.Lock.At
	if t := e.Lock.LockedAt(); !t.IsZero() {
		when = t.In(ChinaTime).Format("2006-01-02 15:04")
	}
	msg := fmt.Sprintf("%s %s的数据已由%s于%s审核锁定", unit, periodZh(e.Lock.Period), e.Lock.By, when)
	if e.Lock.Reason != "" {
		msg += "(" + e.Lock.Reason + ")"
	}
	return msg + "，不能修改；如需修改，请联系区县民政部门解锁"
}

// Problem is the refusal as a problem on the record's LockField, so a
// form shows it beside the month, date or year input.
func (e *PeriodLockedError) Problem(divs *Divisions) Problem {
	return Problem{Field: string(e.Kind) + "." + LockField(e.Kind), En: e.Error(), Zh: e.Zh(divs)}
}

// Rejection is the refusal as the server answers an upload: code
// RejectLocked, the lock's id and the reason in both languages.
func (e *PeriodLockedError) Rejection(seq uint64, divs *Divisions) Rejection {
	return Rejection{Seq: seq, Code: RejectLocked, Lock: e.Lock.ID, Reason: e.Error(), ReasonZh: e.Zh(divs)}
}

// Validation returns the refusal as a *ValidationError holding Problem and
// wrapping e, so callers that show problems per field show it like any
// other and callers that test for ErrPeriodLocked find it.
func (e *PeriodLockedError) Validation(divs *Divisions) *ValidationError {
	return &ValidationError{Problems: Problems{e.Problem(divs)}, Cause: e}
}

// periodZh writes a lock period the Chinese way: 2025年3月, 2025年.
func periodZh(p string) string {
	y, m, month := strings.Cut(p, "-")
	if !month {
		return y + "年"
	}
	return y + "年" + strings.TrimPrefix(m, "0") + "月"
}
