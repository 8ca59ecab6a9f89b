// Package accesslog keeps the log of who saw whose personal data: every
// reveal of a person's full name and ID number, every person page opened
// in the office console and every export that includes persons. The law
// (个人信息保护法) and 等保 2.0 ask that access to sensitive personal
// information be auditable; the change log says who wrote a record, this
// log says who read one.
//
// The log is a file of JSON lines in the server's data directory, only ever
// appended to. Each entry carries the SHA-256 of the entry before it, so a
// line removed or edited afterwards breaks the chain and Verify says where.
// Appends take an exclusive flock on the file, so the running server and a
// command-line reveal in another process never interleave or fork the
// chain, and every append is fsynced before it returns: an access that
// was shown was logged.
//
// The entries name persons by record id, never by name or ID number, so
// the log itself reveals nobody.
package accesslog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"laoxiao/schema"
)

// FileName is the log's file in the server's data directory.
const FileName = "access.log"

// Action is what was done with personal data.
type Action string

// The actions logged.
const (
	// ActionView: a person's page was opened (the data shown masked).
	ActionView Action = "view"
	// ActionReveal: a person's full name and ID number were shown, with a
	// reason, to an account with the personal-data permission.
	ActionReveal Action = "reveal"
	// ActionExport: a list of persons was downloaded (masked).
	ActionExport Action = "export"
	// ActionRefused: a reveal was asked for without the permission.
	ActionRefused Action = "refused"
)

// Label is the action's Chinese name, as the console shows it.
func (a Action) Label() string {
	switch a {
	case ActionView:
		return "查看"
	case ActionReveal:
		return "显示完整信息"
	case ActionExport:
		return "导出"
	case ActionRefused:
		return "拒绝显示(无权限)"
	}
	return string(a)
}

// Entry is one access.
type Entry struct {
	At      time.Time   `json:"at"`
	Account string      `json:"account"` // console account, or "cli:USER"
	Action  Action      `json:"action"`
	Unit    schema.Code `json:"unit"`             // the person's unit, or the exported unit
	Person  string      `json:"person,omitempty"` // record id; empty for an export of a list
	Count   int         `json:"count,omitempty"`  // persons in an export
	Reason  string      `json:"reason,omitempty"`
	// Prev is the hex SHA-256 of the line before this one ("" for the
	// first), which chains the log.
	Prev string `json:"prev"`
}

// ErrBroken is returned (wrapped) by Read and Verify when the chain does
// not hold: a line was removed, edited or inserted after it was written.
var ErrBroken = errors.New("access log chain broken")

// Log is the access log of one data directory. It holds no open file:
// each call opens, locks and closes, so several processes share it.
type Log struct {
	path string
	now  func() time.Time
}

// Open returns the log of a data directory; the file is made on the first
// append. now may be nil (time.Now).
func Open(dataDir string, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{path: filepath.Join(dataDir, FileName), now: now}
}

// Append writes e (At set to now when zero, Prev set by the log) and
// fsyncs it before returning.
func (l *Log) Append(e Entry) error {
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("access log lock: %w", err)
	}
	// The lock goes with the file's close; no explicit unlock needed.
	last, err := lastLine(f)
	if err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = l.now()
	}
	e.Prev = ""
	if last != nil {
		e.Prev = lineHash(last)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("access log write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("access log sync: %w", err)
	}
	return nil
}

// Query selects entries; zero fields match everything.
type Query struct {
	// Unit keeps entries whose unit lies within it.
	Unit   schema.Code
	Person string
	// Limit keeps the newest entries (default 1,000).
	Limit int
}

// Read returns the entries Query selects, oldest first, after checking the
// whole chain; a broken chain is an error wrapping ErrBroken that names
// the line, and no entries. A missing file is an empty log.
func (l *Log) Read(q Query) ([]Entry, error) {
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	var out []Entry
	err := l.scan(func(e Entry) {
		if (q.Unit != "" && !e.Unit.Within(q.Unit)) || (q.Person != "" && e.Person != q.Person) {
			return
		}
		out = append(out, e)
		if len(out) > q.Limit {
			out = out[1:]
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Verify checks the chain and returns the number of entries.
func (l *Log) Verify() (int, error) {
	n := 0
	err := l.scan(func(Entry) { n++ })
	return n, err
}

// scan reads every line under a shared lock, checks its link to the one
// before, and passes it to fn.
func (l *Log) scan(fn func(Entry)) error {
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		return fmt.Errorf("access log lock: %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	prev := ""
	for n := 1; sc.Scan(); n++ {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("access log line %d: %v: %w", n, err, ErrBroken)
		}
		if e.Prev != prev {
			return fmt.Errorf("access log line %d does not follow line %d: %w", n, n-1, ErrBroken)
		}
		prev = lineHash(sc.Bytes())
		fn(e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("access log: %w", err)
	}
	return nil
}

// lastLine returns the file's last line without its newline, nil when the
// file is empty. Lines are short, so reading back a few KiB finds it.
func lastLine(f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	size := st.Size()
	if size == 0 {
		return nil, nil
	}
	for back := int64(4096); ; back *= 4 {
		start := max(size-back, 0)
		buf := make([]byte, size-start)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("access log read: %w", err)
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return buf[i+1:], nil
		}
		if start == 0 {
			return buf, nil
		}
	}
}

func lineHash(line []byte) string {
	h := sha256.Sum256(line)
	return hex.EncodeToString(h[:])
}
