package syncclient

import "laoxiao/schema"

// applyDownload merges one page of the server's log into the store, which
// keeps the page's cursor with it (ApplyRemote), so a page applied is not
// downloaded again. A page that says CaughtUp lets the session end once
// the uploads are done. Pages are as small as the hello asked
// (linkSizes), so on a link that breaks often each page that gets through
// is progress kept.
func (s *session) applyDownload(d *schema.Download) error {
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
	n, err := s.st.ApplyRemote(d.Entries, cursor)
	if err != nil {
		return err
	}
	s.res.Downloaded += n
	s.res.Cursor = d.Cursor
	s.pages++
	if d.CaughtUp && !s.caughtUp {
		s.c.link.caughtUp()
	}
	s.caughtUp = d.CaughtUp
	downloaded := s.res.Downloaded
	s.c.update(func(st *State) { st.Downloaded = downloaded })
	return nil
}
