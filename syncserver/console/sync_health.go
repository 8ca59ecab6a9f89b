package console

import (
	"fmt"
	"time"

	"laoxiao/syncserver"
)

// clockTolerance is the clock offset the page calls right: a sync's
// round trip makes a second either way meaningless.
const clockTolerance = 2 * time.Second

// healthTexts says in Chinese what a device's health report means: the
// changes waiting and how long the oldest has waited, the refusals nobody
// fixed, and how wrong its clock is. All three are "—" before the device
// ever reported.
func healthTexts(h *syncserver.DeviceHealth, now time.Time) (waiting, parked, clock string) {
	if h == nil {
		return "—", "—", "—"
	}
	waiting = "无"
	if h.Waiting > 0 {
		waiting = fmt.Sprintf("%d 条", h.Waiting)
		if !h.OldestUnsynced.IsZero() {
			waiting += ",最早 " + ago(now.Sub(h.OldestUnsynced)) + "前"
		}
	}
	parked = "无"
	if h.Parked > 0 {
		parked = fmt.Sprintf("%d 条", h.Parked)
	}
	return waiting, parked, clockText(time.Duration(h.ClockOffsetMS) * time.Millisecond)
}

// clockText says how far a device's clock is off (offset: server minus
// device, so positive means the device's clock is behind).
func clockText(off time.Duration) string {
	switch {
	case off > -clockTolerance && off < clockTolerance:
		return "准确"
	case off > 0:
		return "慢 " + ago(off)
	default:
		return "快 " + ago(-off)
	}
}

// ago writes a duration the way a clerk says it: days, hours, minutes or
// seconds, the largest unit only.
func ago(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d 天", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%d 分钟", int(d/time.Minute))
	}
	return fmt.Sprintf("%d 秒", int(d/time.Second))
}

// appVersion is the version the device last reported, "" when none.
func appVersion(h *syncserver.DeviceHealth) string {
	if h == nil {
		return ""
	}
	return h.AppVersion
}
