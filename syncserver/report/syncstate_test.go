package report

import (
	"testing"
	"time"
)

func TestSyncState(t *testing.T) {
	at := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		row  TownshipRow
		want string
	}{
		{"never synced", TownshipRow{}, "从未同步"},
		{"stale", TownshipRow{LastSync: at, Stale: true, Behind: true}, "超过30天未同步"},
		{"synced but a device is behind", TownshipRow{LastSync: at, Behind: true}, "待处理:修改超过7天未上传或退回未处理"},
		{"current", TownshipRow{LastSync: at}, "正常"},
	} {
		if got := syncState(tc.row); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
