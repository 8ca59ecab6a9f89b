package syncclient

import "laoxiao/schema"

// applyDownload hands one page of the server's log to the store, which
// keeps the page's cursor with it (ApplyRemoteAsync), so a page applied is
// not downloaded again. A page that says CaughtUp lets the session end once
// the uploads are done. Pages are as small as the hello asked
// (linkSizes), so on a link that breaks often each page that gets through
// is progress kept.
//
// The page's transaction is written while the next page is taken: it is
// counted as downloaded (and its cursor and CaughtUp believed) only once
// durable, in finishDownload, which runs when the next page is handed
// over, at once for a page that caught up, and before the session ends.
func (s *session) applyDownload(d *schema.Download) error {
	d, pages := s.gatherPages(d)
	if len(d.Entries) > 0 {
		s.c.update(func(st *State) { st.Phase = PhaseReceiving })
	}
	cursor := d.Cursor
	if s.res.Refill != nil {
		// This session's stream started at the cursor the hello gave,
		// a position in the log the restored server no longer has: its
		// pages are merged, but the cursor stays at 0 for the next
		// session to download the scope afresh (end).
		cursor = 0
	}
	wait, err := s.st.ApplyRemoteAsync(d.Entries, cursor)
	if err != nil {
		return err
	}
	// The pages got through the link; whether the disk keeps them is
	// finishDownload's to learn.
	s.pages += pages
	// ApplyRemoteAsync waited for the page before: it is on disk now.
	if err := s.finishDownload(); err != nil {
		return err
	}
	s.pending = &pendingPage{d: d, wait: wait}
	if d.CaughtUp {
		return s.finishDownload()
	}
	// Not caught up while a page that is not is pending: the session
	// must not end before it is on disk.
	s.caughtUp = false
	return nil
}

// maxGathered bounds the entries gatherPages puts in one transaction.
const maxGathered = 4 * schema.MaxBatchChanges

// gatherPages appends to d the pages already received behind it, up to
// maxGathered entries or a page that caught up, and says how many pages
// the result holds: the device applies them in one transaction and so
// flushes its disk once for them while the server sends more. Each came
// whole and the cursor goes with the last, so a break costs no more than
// with pages applied one by one. A message of another kind ends the
// gathering and waits for next in s.held.
func (s *session) gatherPages(d *schema.Download) (*schema.Download, int) {
	pages := 1
	for len(d.Entries) < maxGathered && !d.CaughtUp && s.held == nil {
		var m *schema.Msg
		select {
		case m = <-s.msgs:
		default:
		}
		if m == nil { // nothing waiting, or the stream ended (next says why)
			return d, pages
		}
		if m.Type != schema.MsgDownload {
			s.held = m
			return d, pages
		}
		if pages == 1 {
			// Not the received page's own slice: appending must not
			// write into another page's array.
			d = &schema.Download{Entries: append([]schema.LogEntry(nil), d.Entries...)}
		}
		d.Entries = append(d.Entries, m.Download.Entries...)
		d.Cursor, d.CaughtUp = m.Download.Cursor, m.Download.CaughtUp
		pages++
	}
	return d, pages
}

// pendingPage is a downloaded page whose transaction is on its way to
// disk.
type pendingPage struct {
	d    *schema.Download
	wait func() (int, error)
}

// finishDownload waits for the pending page, if any, and counts it.
func (s *session) finishDownload() error {
	p := s.pending
	if p == nil {
		return nil
	}
	s.pending = nil
	n, err := p.wait()
	if err != nil {
		return err
	}
	s.res.Downloaded += n
	s.res.Cursor = p.d.Cursor
	if p.d.CaughtUp && !s.caughtUp {
		s.c.link.caughtUp()
	}
	s.caughtUp = p.d.CaughtUp
	downloaded := s.res.Downloaded
	s.c.update(func(st *State) { st.Downloaded = downloaded })
	return nil
}
