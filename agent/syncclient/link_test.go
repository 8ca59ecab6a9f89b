package syncclient

import (
	"context"
	"net"
	"sync"
	"testing"

	"laoxiao/schema"
)

// cutConn is a connection that breaks after a budget of bytes written, as
// a rural link drops: the bytes within the budget go out, the rest never.
type cutConn struct {
	net.Conn
	mu   sync.Mutex
	left int
}

func (c *cutConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left <= len(b) {
		n, _ := c.Conn.Write(b[:max(0, c.left)])
		c.left = 0
		c.Conn.Close()
		return n, net.ErrClosed
	}
	c.left -= len(b)
	return c.Conn.Write(b)
}

// cutAfter makes c's connections break after upBytes written (0: never).
func cutAfter(c *Client, upBytes int) {
	d := *c.Dialer
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil || upBytes == 0 {
			return conn, err
		}
		return &cutConn{Conn: conn, left: upBytes}, nil
	}
	c.Dialer = &d
}

func TestBatchSizing(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	putFacilities(t, st, village(t, township, 0), 44)
	// A learned size well below the maximum, so growth shows.
	c.link.batch = 16
	// One client through every step: the size carries over.
	steps := []struct {
		name    string
		cut     int  // bytes the upload direction carries before it breaks; 0: never
		wantErr bool // the attempt fails, on a broken link once the dial went through
		want    int  // link.batch after the attempt
	}{
		// The upgrade and the hello take about 1 KiB; the cut lands in the
		// batches in flight, before any ack.
		{name: "a break before the acks halves the batch", cut: 2500, wantErr: true, want: 8},
		{name: "and again", cut: 2500, wantErr: true, want: 4},
		{name: "a break in the upgrade teaches nothing", cut: 100, wantErr: true, want: 4},
		// The turn grants all 44 changes. Four batches of 4 fill the
		// in-flight cap; each ack doubles the size and lets one more batch
		// go (8, 16, then the last 4), and each of the seven acks doubles
		// the size: 4 << 7 passes the maximum.
		{name: "acks double it up to the maximum", want: maxUploadBatch},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			cutAfter(c, step.cut)
			_, err := c.SyncOnce(t.Context())
			if (err != nil) != step.wantErr {
				t.Fatalf("sync: %v, want error %v", err, step.wantErr)
			}
			if err != nil && step.cut > 1000 && !linkBroke(err) {
				t.Errorf("%v is not taken for a broken link", err)
			}
			if got := c.link.batchSize(maxUploadBatch); got != step.want {
				t.Errorf("batch size %d, want %d", got, step.want)
			}
		})
	}
	if m := srv.mark(t, st); m != 44 {
		t.Errorf("server's mark %d, want 44", m)
	}
}

func TestLinkSizes(t *testing.T) {
	type sizes = struct{ batch, page int }
	tests := []struct {
		name  string
		start struct{ batch, page int }
		do    func(l *linkSizes)
		batch int // batchSize(500) after do
		page  int
	}{
		{name: "a fresh client sends the maximum and asks for no page size", do: func(*linkSizes) {}, batch: 500},
		{name: "acks do not grow past the maximum", start: sizes{batch: 300}, do: func(l *linkSizes) { l.acked(500) }, batch: 500},
		{name: "breaks halve down to one change", start: sizes{batch: 3}, do: func(l *linkSizes) {
			l.uploadBroke(500)
			l.uploadBroke(500)
			l.uploadBroke(500)
		}, batch: 1},
		{name: "a first break mid-download asks for small pages", do: func(l *linkSizes) { l.downloadBroke() }, batch: 500, page: firstPageBytes},
		{name: "pages halve down to the floor", start: sizes{page: 1024}, do: func(l *linkSizes) {
			l.downloadBroke()
			l.downloadBroke()
		}, batch: 500, page: minPageBytes},
		{name: "past the first size the client stops asking", start: sizes{page: firstPageBytes}, do: func(l *linkSizes) { l.caughtUp() }, batch: 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &linkSizes{batch: tc.start.batch, page: tc.start.page}
			tc.do(l)
			if got := l.batchSize(500); got != tc.batch {
				t.Errorf("batch %d, want %d", got, tc.batch)
			}
			if got := l.pageBytes(); got != tc.page {
				t.Errorf("page %d bytes, want %d", got, tc.page)
			}
		})
	}
}

// TestDownloadPages: the server cuts its download frames at the page size
// the hello asks for, one change at least, and the cursor stored with
// each page is where the next session resumes.
func TestDownloadPages(t *testing.T) {
	srv := startServer(t, nil)
	st, c := newSite(t, srv, township, nil)
	neighbour, nc := newSite(t, srv, township, nil)
	chs := putFacilities(t, neighbour, village(t, township, 1), 30)
	if _, err := nc.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	one := schema.ChangeSize(chs[0])
	tests := []struct {
		name     string
		page     int
		pages    int // pages to take before the connection drops
		maxEntry int // entries a page may carry
	}{
		{name: "three changes a page", page: 3 * one, pages: 2, maxEntry: 3},
		{name: "below one change a page still carries one", page: 1, pages: 4, maxEntry: 1},
		{name: "the server's own size", page: 0, pages: 1, maxEntry: 500},
	}
	var cursor uint64
	downloaded := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.link.page = tc.page
			s := handshaken(t, c)
			for taken := 0; taken < tc.pages && !s.caughtUp; {
				m, err := s.next()
				if err != nil {
					t.Fatal(err)
				}
				if m.Type != schema.MsgDownload {
					continue
				}
				if n := len(m.Download.Entries); n > tc.maxEntry || n == 0 && !m.Download.CaughtUp {
					t.Errorf("page of %d entries, want 1 to %d", n, tc.maxEntry)
				}
				if len(m.Download.Entries) > 0 && m.Download.Entries[0].Seq <= cursor {
					t.Errorf("page starts at log seq %d, at or before the stored cursor %d", m.Download.Entries[0].Seq, cursor)
				}
				if err := s.applyDownload(m.Download); err != nil {
					t.Fatal(err)
				}
				taken++
			}
			s.ws.Close() // the link drops mid-download
			// The session ends: the page it was writing is counted
			// once on disk (syncOnce does the same).
			if err := s.finishDownload(); err != nil {
				t.Fatal(err)
			}
			cursor = st.Cursor()
			downloaded += s.res.Downloaded
		})
	}
	if downloaded != len(chs) {
		t.Errorf("downloaded %d changes over the sessions, want %d, each once", downloaded, len(chs))
	}
}
