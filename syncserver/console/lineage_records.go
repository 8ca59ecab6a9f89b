package console

import (
	"errors"
	"fmt"
	"net/http"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/indicators"
)

// maxLineageRows bounds the records listed per measure: a township's
// persons run to thousands, and the page is for checking, not export.
const maxLineageRows = 300

// lineagePart is the records one measure of a township's figure counted.
type lineagePart struct {
	Label string
	Note  string // why there are no records to list
	Total int    // records counted
	Sum   int64  // what they add up to
	Rows  []lineageRecord
}

// lineageRecord is one record counted, with who sent it and when. A
// person shows no name here: the link opens the masked person page, which
// logs the view.
type lineageRecord struct {
	Kind   schema.Kind
	ID     string
	Name   string // a facility's name
	Unit   schema.Code
	Figure int64
	Sent   *syncserver.AuditEntry
	Report *lineageReport
	Visits []lineageVisit
}

// lineageReport is the capacity report a facility's figure came from.
type lineageReport struct {
	ID, Period string
	Sent       *syncserver.AuditEntry
}

// lineageVisit is a visit that made a person count.
type lineageVisit struct {
	ID   string
	Sent *syncserver.AuditEntry
}

// lineageParts lists the records the township's figure counted, for its
// numerator and denominator, with the audit trail of each.
func (c *Console) lineageParts(r *http.Request, town schema.Code, ind schema.Indicator, p indicators.Period) ([]lineagePart, error) {
	trail, err := c.lastChanges(r, town)
	if err != nil {
		return nil, err
	}
	var out []lineagePart
	for _, m := range []schema.Measure{ind.Numerator, ind.Denominator} {
		if m == "" {
			continue
		}
		label, _ := indicators.MeasureLabel(m)
		part := lineagePart{Label: label}
		recs, err := c.srv.Engine().Counted(r.Context(), town, p, m)
		switch {
		case errors.Is(err, indicators.ErrNotRecords):
			part.Note = "该项按区划单位或人口数据计算,不是逐条记录之和(见区划库和人口数据)。"
		case err != nil:
			return nil, err
		}
		part.Total = len(recs)
		for i, rec := range recs {
			part.Sum += rec.Figure
			if i < maxLineageRows {
				part.Rows = append(part.Rows, c.lineageRow(r, rec, trail))
			}
		}
		out = append(out, part)
	}
	return out, nil
}

// lastChanges maps each record of the township to the last accepted
// change to it: one read of the township's trail, not one per record.
func (c *Console) lastChanges(r *http.Request, town schema.Code) (map[string]*syncserver.AuditEntry, error) {
	list, err := c.srv.Audit(r.Context(), syncserver.AuditQuery{Unit: town, Limit: 1 << 20})
	if err != nil {
		return nil, fmt.Errorf("audit trail of %s: %w", town, err)
	}
	out := make(map[string]*syncserver.AuditEntry, len(list))
	for i := range list {
		out[string(list[i].Kind)+"\x00"+list[i].ID] = &list[i]
	}
	return out, nil
}

// lineageRow resolves one counted record for the page: a facility's name
// and its capacity report, a person's visits, and who sent each.
func (c *Console) lineageRow(r *http.Request, rec indicators.CountedRecord, trail map[string]*syncserver.AuditEntry) lineageRecord {
	sent := func(k schema.Kind, id string) *syncserver.AuditEntry { return trail[string(k)+"\x00"+id] }
	row := lineageRecord{Kind: rec.Kind, ID: rec.ID, Unit: rec.Unit, Figure: rec.Figure, Sent: sent(rec.Kind, rec.ID)}
	if rec.Kind == schema.KindFacility {
		var f schema.Facility
		if stored, err := c.srv.Store().Record(r.Context(), schema.KindFacility, rec.ID); err == nil && stored.Decode(&f) == nil {
			row.Name = f.Name
		}
	}
	if rec.Report != "" {
		rep := &lineageReport{ID: rec.Report, Sent: sent(schema.KindCapacity, rec.Report)}
		var cp schema.Capacity
		if stored, err := c.srv.Store().Record(r.Context(), schema.KindCapacity, rec.Report); err == nil && stored.Decode(&cp) == nil {
			rep.Period = cp.Period
		}
		row.Report = rep
	}
	for _, id := range rec.Visits {
		row.Visits = append(row.Visits, lineageVisit{ID: id, Sent: sent(schema.KindVisit, id)})
	}
	return row
}
