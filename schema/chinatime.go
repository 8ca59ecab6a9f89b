package schema

import "time"

// ChinaTime is China Standard Time (UTC+8, no daylight saving): the zone
// every date and month in a record is in, and the one "today" and "this
// month" mean for sites and offices alike. Laptops are often left on UTC,
// where a visit made at 07:00 in Beijing is still yesterday; convert with
// ChinaTime, never with time.Local.
//
// It is a fixed zone rather than time.LoadLocation("Asia/Shanghai") so it
// needs no tzdata on the machine. It is shared: do not assign to it.
var ChinaTime = time.FixedZone("CST", 8*3600)

// Today returns the date in China at now, as YYYY-MM-DD (DateLayout).
func Today(now time.Time) string { return now.In(ChinaTime).Format(DateLayout) }

// ThisMonth returns the month in China at now, as YYYY-MM (MonthLayout).
func ThisMonth(now time.Time) string { return now.In(ChinaTime).Format(MonthLayout) }
