package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"laoxiao/agent"
)

// clockWarning is how far the computer's clock may be off before status
// asks the user to fix it; the server refuses stamps minutes ahead.
const clockWarning = 2 * time.Minute

func runStatus(_ context.Context, s *agent.Store, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("status takes no arguments (status 命令不需要参数)")
	}
	st, err := s.Status()
	if err != nil {
		return err
	}
	scope := string(st.Scope)
	if scope == "" {
		scope = "not enrolled, 未注册"
	} else {
		scope += " " + s.Divisions().Name(st.Scope)
	}
	// English labels are padded, Chinese ones follow the value: terminals
	// give a Chinese character two columns, which padding cannot count.
	p := func(label, value string) {
		en, zh, _ := strings.Cut(label, " (")
		fmt.Fprintf(stdout, "%-26s %s  (%s\n", en+":", value, zh)
	}
	p("device id (设备编号)", st.DeviceID)
	p("scope (管辖范围)", scope)
	p("changes made (已产生修改)", fmt.Sprint(st.LastSeq))
	p("acked by server (服务器已确认)", fmt.Sprint(st.AckedSeq))
	p("outbox, waiting to sync (待同步)", fmt.Sprint(st.Outbox))
	if st.Outbox > 0 {
		p("oldest unsynced change (最早未同步)", fmt.Sprintf("seq %d at %s", st.OldestSeq, st.OldestAt().Local().Format(time.DateTime)))
	} else {
		p("oldest unsynced change (最早未同步)", "-")
	}
	p("parked, refused by server (被拒绝)", fmt.Sprint(st.Parked))
	p("acked, kept for a restore (已确认并保留)", fmt.Sprint(st.Kept))
	if r := st.LastRefill; !r.At.IsZero() {
		p("server restored (服务器从备份恢复)", r.String())
	}
	p("clock offset (时钟偏差)", st.ClockOffset.String())
	if st.ClockOffset > clockWarning || st.ClockOffset < -clockWarning {
		fmt.Fprintf(stdout, "warning: this computer's clock is off by %s; please correct it (本机时钟偏差%s，请校准系统时间)\n",
			st.ClockOffset.Abs().Round(time.Second), st.ClockOffset.Abs().Round(time.Second))
	}
	p("download cursor (下载进度)", fmt.Sprint(st.Cursor))
	switch {
	case st.LastSync.At.IsZero():
		p("last sync (上次同步)", "never, 从未同步")
	case st.LastSync.Error != "":
		p("last sync (上次同步)", fmt.Sprintf("%s failed: %s", st.LastSync.At.Local().Format(time.DateTime), st.LastSync.Error))
	default:
		p("last sync (上次同步)", st.LastSync.At.Local().Format(time.DateTime))
	}
	return nil
}
