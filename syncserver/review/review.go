// Package review builds the period review list an office works through
// before it locks a period (审核): each township's figures for the period
// beside the previous period's, with what an office checks first flagged —
// occupied or nursing beds above beds, a figure that moved by more than
// half, an operating facility without a report, a township that never
// synced. `syncserver review` prints it as text or JSON; the office
// console shows the same list.
package review

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// Figures are a township's totals for one period. Capacity figures add up
// each facility's report for the period (for a year, its latest report in
// the year); Visits counts the visits dated in the period.
type Figures struct {
	Facilities       int   `json:"facilities"` // operating, opened by the period's end
	Reported         int   `json:"reported"`   // of them, with a report for the period
	BedsTotal        int64 `json:"beds_total"`
	BedsNursing      int64 `json:"beds_nursing"`
	BedsOccupied     int64 `json:"beds_occupied"`
	PlacesTotal      int64 `json:"places_total"`
	ChildrenEnrolled int64 `json:"children_enrolled"`
	Visits           int64 `json:"visits"`
}

// Flag is one thing an office should check, in both languages.
type Flag struct {
	Code     FlagCode `json:"code"`
	Facility string   `json:"facility,omitempty"` // facility id, for facility flags
	Field    string   `json:"field,omitempty"`    // the figure concerned
	Value    int64    `json:"value"`
	Previous int64    `json:"previous"`
	En       string   `json:"en"`
	Zh       string   `json:"zh"`
}

// FlagCode classifies flags; the strings are part of the JSON output.
type FlagCode string

// The flags.
const (
	FlagOccupiedAboveBeds FlagCode = "occupied_above_beds"
	FlagNursingAboveBeds  FlagCode = "nursing_above_beds"
	FlagBigChange         FlagCode = "big_change" // more than half up or down from the previous period
	FlagNoReport          FlagCode = "no_report"
	FlagNeverSynced       FlagCode = "never_synced"
)

// Township is one township's line of the review.
type Township struct {
	Code     schema.Code `json:"code"`
	Name     string      `json:"name"`
	Current  Figures     `json:"current"`
	Previous Figures     `json:"previous"`
	Devices  int         `json:"devices"`
	LastSync time.Time   `json:"last_sync,omitzero"`
	// Lock is the id of the lock in force over the township's period, ""
	// when the period is open.
	Lock  string `json:"lock,omitempty"`
	Flags []Flag `json:"flags"`
}

// Review is the list for one unit and period.
type Review struct {
	Unit      schema.Code `json:"unit"`
	UnitName  string      `json:"unit_name"`
	Period    string      `json:"period"`
	Previous  string      `json:"previous"`
	Townships []Township  `json:"townships"`
}

// Options say what to review.
type Options struct {
	// Unit is a county (or city, or one township): its townships are
	// listed.
	Unit schema.Code
	// Period is a month YYYY-MM or a year YYYY.
	Period    string
	Divisions *schema.Divisions
}

// Build reads the unit's records, devices and locks from st and makes the
// review. It reads every record under the unit once.
func Build(ctx context.Context, st store.Store, o Options) (*Review, error) {
	prev, err := PreviousPeriod(o.Period)
	if err != nil {
		return nil, err
	}
	if !o.Unit.Valid() || o.Unit.Level() > schema.LevelTownship {
		return nil, fmt.Errorf("review: unit %q is not a province, city, county or township code", o.Unit)
	}
	sc := newScan(o.Period, prev)
	if err := st.ScanRecords(ctx, o.Unit, sc.add); err != nil {
		return nil, fmt.Errorf("review %s %s: %w", o.Unit, o.Period, err)
	}
	sc.resolveMerged()
	r := &Review{Unit: o.Unit, UnitName: o.Divisions.Name(o.Unit), Period: o.Period, Previous: prev}
	for _, t := range townships(o.Divisions, o.Unit, sc.seen) {
		r.Townships = append(r.Townships, sc.township(t, o.Divisions.Name(t)))
	}
	if err := syncState(ctx, st, r); err != nil {
		return nil, err
	}
	if err := lockState(ctx, st, r); err != nil {
		return nil, err
	}
	return r, nil
}

// PreviousPeriod returns the month before a month, or the year before a
// year.
func PreviousPeriod(p string) (string, error) {
	if t, err := time.Parse(schema.MonthLayout, p); err == nil && len(p) == 7 {
		return t.AddDate(0, -1, 0).Format(schema.MonthLayout), nil
	}
	if y, err := strconv.Atoi(p); err == nil && len(p) == 4 {
		return strconv.Itoa(y - 1), nil
	}
	return "", fmt.Errorf("review: period %q is not a month YYYY-MM or a year YYYY", p)
}

// townships lists the registry's townships in unit, and any other
// township that holds records there (a unit added after the registry).
func townships(divs *schema.Divisions, unit schema.Code, seen map[schema.Code]bool) []schema.Code {
	out := divs.TownshipsOf(unit)
	known := map[schema.Code]bool{}
	for _, t := range out {
		known[t] = true
	}
	for t := range seen {
		if !known[t] {
			out = append(out, t)
		}
	}
	sortCodes(out)
	return out
}
