package review

import (
	"fmt"
	"io"
	"text/tabwriter"

	"laoxiao/schema"
)

// WriteText prints the review for a terminal: one line per township with
// each figure beside the previous period's in brackets, then every flag,
// township by township. Names come last on their lines, since Chinese
// characters are two columns wide and would push the figures out of
// line.
func (r *Review) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "审核清单 / review: %s (%s) %s, compared with %s (括号内为上期)\n\n", r.UnitName, r.Unit, r.Period, r.Previous)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TOWNSHIP\tREPORTED\tBEDS\tNURSING\tOCCUPIED\tPLACES\tENROLLED\tVISITS\tLAST SYNC\tLOCK\tFLAGS\t\tNAME")
	for _, t := range r.Townships {
		c, p := t.Current, t.Previous
		last := "never"
		if !t.LastSync.IsZero() {
			last = t.LastSync.In(schema.ChinaTime).Format("2006-01-02 15:04")
		}
		lock := "-"
		if t.Lock != "" {
			lock = "locked"
		}
		fmt.Fprintf(tw, "%s\t%d/%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t\t%s\n", t.Code, c.Reported, c.Facilities,
			pair(c.BedsTotal, p.BedsTotal), pair(c.BedsNursing, p.BedsNursing), pair(c.BedsOccupied, p.BedsOccupied),
			pair(c.PlacesTotal, p.PlacesTotal), pair(c.ChildrenEnrolled, p.ChildrenEnrolled), pair(c.Visits, p.Visits),
			last, lock, len(t.Flags), t.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	flagged := 0
	for _, t := range r.Townships {
		if len(t.Flags) == 0 {
			continue
		}
		if flagged == 0 {
			fmt.Fprint(w, "\n待核查 / to check:\n")
		}
		flagged++
		fmt.Fprintf(w, "%s %s\n", t.Name, t.Code)
		for _, f := range t.Flags {
			fmt.Fprintf(w, "  ! %s / %s\n", f.Zh, f.En)
		}
	}
	if flagged == 0 {
		fmt.Fprint(w, "\n没有待核查的问题 / nothing flagged\n")
	}
	return nil
}

// pair writes a figure and the previous period's: "420 (400)".
func pair(now, then int64) string { return fmt.Sprintf("%d (%d)", now, then) }
