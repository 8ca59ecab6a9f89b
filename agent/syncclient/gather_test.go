package syncclient

import (
	"testing"

	"laoxiao/schema"
)

// TestGatherPages: pages already received behind a page join it, the
// cursor and caught-up state of the last with them; a message of another
// kind ends the gathering and next returns it before what follows; a page
// that caught up is the last gathered.
func TestGatherPages(t *testing.T) {
	page := func(from, to uint64, caughtUp bool) *schema.Msg {
		d := &schema.Download{Cursor: to, CaughtUp: caughtUp}
		for seq := from; seq <= to; seq++ {
			d.Entries = append(d.Entries, schema.LogEntry{Seq: seq})
		}
		return &schema.Msg{Type: schema.MsgDownload, Download: d}
	}
	ack := &schema.Msg{Type: schema.MsgAck, Ack: &schema.Ack{Batch: 1}}
	s := &session{msgs: make(chan *schema.Msg, 8)}
	first := page(1, 2, false)
	for _, m := range []*schema.Msg{page(3, 4, false), page(5, 5, false), ack, page(6, 7, true), page(8, 8, false)} {
		s.msgs <- m
	}
	d, pages := s.gatherPages(first.Download)
	if pages != 3 || len(d.Entries) != 5 || d.Cursor != 5 || d.CaughtUp {
		t.Fatalf("gathered %d pages: %d entries, cursor %d, caught up %v; want 3, 5, 5, false", pages, len(d.Entries), d.Cursor, d.CaughtUp)
	}
	if len(first.Download.Entries) != 2 {
		t.Errorf("the first page's own entries changed to %d", len(first.Download.Entries))
	}
	if m, err := s.next(); err != nil || m != ack {
		t.Fatalf("next after the gathering: %v, %v; want the ack it stopped at", m, err)
	}
	m, err := s.next()
	if err != nil {
		t.Fatal(err)
	}
	d, pages = s.gatherPages(m.Download)
	if pages != 1 || d.Cursor != 7 || !d.CaughtUp {
		t.Errorf("a page that caught up gathered %d pages up to cursor %d", pages, d.Cursor)
	}
	if len(s.msgs) != 1 {
		t.Errorf("%d messages left behind the caught-up page, want 1", len(s.msgs))
	}
}
