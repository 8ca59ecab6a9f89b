package console

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// Sync-state thresholds the page flags.
const (
	staleWeek  = 7 * 24 * time.Hour
	staleMonth = 30 * 24 * time.Hour
)

// syncRow is one device of a township, or a township without devices.
type syncRow struct {
	Township  schema.Unit
	Device    string // id; empty for a township with no device
	Name      string
	Scope     schema.Code
	Role      store.Role
	LastSync  time.Time
	HighWater uint64
	Revoked   bool
	State     string // 正常, 超过7天未同步, 超过30天未同步, 从未同步, 无设备, 已停用
	Class     string // CSS class of the state
	// Health is what the device said of itself at its last hello (nil
	// before its first, or from an older build); sync_health.go formats it.
	Health                 *syncserver.DeviceHealth
	Waiting, Parked, Clock string
}

// syncData is the sync status page.
type syncData struct {
	*view
	Target         schema.Unit
	Rows           []syncRow
	Sort           string
	Never, Week    int
	Month, Devices int
	Parked, Behind int // devices with refusals nobody fixed; devices behind
	Query          string
}

// syncRows lists every township under unit with its devices, from the
// device registry and the marks the server keeps (the last time each
// device's changes moved), with what each device last said of its health:
// changes waiting, refusals nobody fixed, clock offset, app version.
func (c *Console) syncRows(ctx context.Context, v *view, unit schema.Unit) ([]syncRow, error) {
	devs, err := c.srv.ListDevices(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync status: %w", err)
	}
	now := c.now()
	byTown := map[schema.Code][]syncserver.DeviceInfo{}
	for _, d := range devs {
		if d.Scope.Within(unit.Code) && d.Scope.Level() >= schema.LevelTownship {
			t := d.Scope.Ancestor(schema.LevelTownship)
			byTown[t] = append(byTown[t], d)
		}
	}
	towns := v.divs.TownshipsOf(unit.Code)
	for t := range byTown {
		if !slices.Contains(towns, t) {
			towns = append(towns, t)
		}
	}
	var rows []syncRow
	for _, t := range towns {
		tu, ok := v.divs.Lookup(t)
		if !ok {
			tu = schema.Unit{Code: t, Name: string(t)}
		}
		if len(byTown[t]) == 0 {
			rows = append(rows, syncRow{Township: tu, State: "无设备", Class: "never"})
			continue
		}
		for _, d := range byTown[t] {
			r := syncRow{Township: tu, Device: d.ID, Name: d.Name, Scope: d.Scope, Role: d.Role,
				LastSync: d.LastSync, HighWater: d.HighWater, Revoked: d.Revoked, Health: d.Health}
			r.State, r.Class = syncState(d, now)
			r.Waiting, r.Parked, r.Clock = healthTexts(d.Health, now)
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// syncState flags a device by the age of its last sync.
func syncState(d syncserver.DeviceInfo, now time.Time) (string, string) {
	switch {
	case d.Revoked:
		return "已停用", "revoked"
	case d.LastSync.IsZero():
		return "从未同步", "never"
	case now.Sub(d.LastSync) > staleMonth:
		return "超过30天未同步", "month"
	case now.Sub(d.LastSync) > staleWeek:
		return "超过7天未同步", "week"
	}
	return "正常", "ok"
}

// sortRows orders rows by township code (default), by last sync (oldest
// and never first: who needs a phone call) or by state.
func sortRows(rows []syncRow, by string) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch by {
		case "last":
			if !a.LastSync.Equal(b.LastSync) {
				return a.LastSync.Before(b.LastSync)
			}
		case "name":
			if a.Name != b.Name {
				return a.Name < b.Name
			}
		}
		if a.Township.Code != b.Township.Code {
			return a.Township.Code < b.Township.Code
		}
		return a.Name < b.Name
	})
}

// sortedSync reads the unit of the request and its rows in the order
// asked for; it answers the request itself and returns false on failure.
func (c *Console) sortedSync(w http.ResponseWriter, r *http.Request, v *view) (schema.Unit, []syncRow, bool) {
	unit, ok := c.unitParam(w, r, v)
	if !ok {
		return unit, nil, false
	}
	rows, err := c.syncRows(r.Context(), v, unit)
	if err != nil {
		c.internal(w, r, v, "读取同步状态", err)
		return unit, nil, false
	}
	sortRows(rows, r.FormValue("sort"))
	return unit, rows, true
}

func (c *Console) syncPage(w http.ResponseWriter, r *http.Request, v *view) {
	unit, rows, ok := c.sortedSync(w, r, v)
	if !ok {
		return
	}
	by := r.FormValue("sort")
	v.Menu, v.Title = "sync", "同步状态"
	d := syncData{view: v, Target: unit, Rows: rows, Sort: by, Query: url.Values{"unit": {string(unit.Code)}}.Encode()}
	for _, row := range rows {
		switch row.Class {
		case "never":
			d.Never++
		case "week":
			d.Week++
		case "month":
			d.Month++
		}
		if row.Device != "" {
			d.Devices++
		}
		if h := row.Health; h != nil && !row.Revoked {
			if h.Parked > 0 {
				d.Parked++
			}
			if h.Behind {
				d.Behind++
			}
		}
	}
	c.render(w, http.StatusOK, "sync", d)
}

// syncCSV downloads the rows the page shows, in the same order.
func (c *Console) syncCSV(w http.ResponseWriter, r *http.Request, v *view) {
	unit, rows, ok := c.sortedSync(w, r, v)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sync-%s.csv"`, unit.Code))
	// A byte-order mark, so Excel on an office PC reads the Chinese right.
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"乡镇(街道)", "乡镇代码", "设备", "设备ID", "范围", "最近同步", "已处理变更序号", "状态",
		"待同步变更", "被拒未处理", "时钟偏差", "应用版本"})
	for _, row := range rows {
		last := ""
		if !row.LastSync.IsZero() {
			last = row.LastSync.In(schema.ChinaTime).Format("2006-01-02 15:04")
		}
		cw.Write([]string{csvSafe(row.Township.Name), string(row.Township.Code), csvSafe(row.Name), row.Device, string(row.Scope), last,
			strconv.FormatUint(row.HighWater, 10), row.State, row.Waiting, row.Parked, row.Clock, csvSafe(appVersion(row.Health))})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		c.log.Warn("sync CSV cut short", "err", err)
	}
}

// csvSafe keeps a spreadsheet from reading a name a township typed as a
// formula (=, +, -, @ first): it is prefixed with an apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
