package agent

import (
	"strings"
	"testing"
	"time"

	"laoxiao/schema"
)

// TestApplyRemoteBigPage applies a page whose records together exceed
// one Badger transaction: it goes in parts, every record arrives, and the
// cursor is stored.
func TestApplyRemoteBigPage(t *testing.T) {
	s := openAt(t, t.TempDir(), Options{})
	base := time.Now().Add(-time.Hour)
	var entries []schema.LogEntry
	for i := 0; i < 1000; i++ {
		f := facility("远程机构")
		f.Address = strings.Repeat("很长的地址", 150) // over 2 KiB: inline (under 4 KiB), counts fully
		entries = append(entries, schema.LogEntry{Seq: uint64(i + 1), Change: schema.Change{Kind: schema.KindFacility,
			ID: schema.NewID(), Unit: village, Set: mustFields(t, f), Device: "other-device", Seq: uint64(i + 1),
			Stamp: schema.MakeStamp(base.UnixMilli(), uint16(i))}})
	}
	n, err := s.ApplyRemote(entries, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(entries) {
		t.Fatalf("applied %d of %d", n, len(entries))
	}
	if s.Cursor() != 1000 {
		t.Fatalf("cursor %d, want 1000", s.Cursor())
	}
	got := 0
	if err := s.List(schema.KindFacility, "", func(*schema.Record) error { got++; return nil }); err != nil {
		t.Fatal(err)
	}
	if got != len(entries) {
		t.Fatalf("store holds %d records, want %d", got, len(entries))
	}
}
