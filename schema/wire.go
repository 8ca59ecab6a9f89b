package schema

import (
	"fmt"
	"unicode/utf8"
)

// Versions both sides must agree on. ProtocolVersion changes when messages
// change shape; SchemaVersion when record fields change meaning.
//
// Schema 2 added the lock and unlock record kinds: a schema-1 agent could
// not store them, and would fail on every download that carries one, so
// it is told to update instead.
//
// Schema 3 added the task, progress and project kinds: tasks flow down to
// every township of a county, so a schema-2 agent would meet one at its
// next download.
const (
	ProtocolVersion = 1
	SchemaVersion   = 3
)

// MsgType tells which payload a Msg carries.
type MsgType uint8

// Message types of the sync protocol.
const (
	MsgHello    MsgType = 1 // device → server, first message
	MsgWelcome  MsgType = 2 // server → device, answer to hello
	MsgUpload   MsgType = 3 // device → server: a batch of the device's changes
	MsgAck      MsgType = 4 // server → device: the batch is durable, or where to resume
	MsgDownload MsgType = 5 // server → device: accepted changes after the cursor
	MsgError    MsgType = 6 // either way: a fatal error; the sender closes
	MsgAsk      MsgType = 7 // device → server: it has changes to send and no grant left (FeatureTurns)
	MsgGrant    MsgType = 8 // server → device: its turn, how many changes it may send (FeatureTurns)
)

var msgNames = map[MsgType]string{MsgHello: "hello", MsgWelcome: "welcome", MsgUpload: "upload",
	MsgAck: "ack", MsgDownload: "download", MsgError: "error", MsgAsk: "ask", MsgGrant: "grant"}

// String names the type for logs.
func (t MsgType) String() string {
	if n, ok := msgNames[t]; ok {
		return n
	}
	return fmt.Sprintf("msg(%d)", uint8(t))
}

// Msg is one websocket binary frame. Exactly the payload matching Type is
// set; Validate checks that.
type Msg struct {
	Type     MsgType   `cbor:"1,keyasint"`
	Hello    *Hello    `cbor:"2,keyasint,omitempty"`
	Welcome  *Welcome  `cbor:"3,keyasint,omitempty"`
	Upload   *Upload   `cbor:"4,keyasint,omitempty"`
	Ack      *Ack      `cbor:"5,keyasint,omitempty"`
	Download *Download `cbor:"6,keyasint,omitempty"`
	Error    *Error    `cbor:"7,keyasint,omitempty"`
	Ask      *Ask      `cbor:"8,keyasint,omitempty"`
	Grant    *Grant    `cbor:"9,keyasint,omitempty"`
}

// Hello opens a session. Cursor is the last server log sequence the
// device has applied; the server streams from after it. Health and
// AppVersion say how the device is doing; the server keeps the latest of
// each device for the offices (a device that sends none, an older build,
// is shown without).
type Hello struct {
	Protocol   int     `cbor:"1,keyasint"`
	Schema     int     `cbor:"2,keyasint"`
	Device     string  `cbor:"3,keyasint"`
	Cursor     uint64  `cbor:"4,keyasint"`
	ClockMS    int64   `cbor:"5,keyasint"` // the device's corrected wall clock
	AppVersion string  `cbor:"6,keyasint,omitempty"`
	Health     *Health `cbor:"7,keyasint,omitempty"`
	// PageBytes, when not 0, caps the estimated bytes (ChangeSize) of the
	// changes in each download frame below the server's own budget
	// (BatchBudget); a frame always carries at least one change. A device
	// on a link that breaks every few kilobytes asks for small pages: a
	// page arrives whole or not at all, so a page larger than what gets
	// through between breaks would be downloaded again forever.
	//
	// Trap: a server older than this field refuses a hello carrying it
	// (unknown fields are refused), so clients send it only once a link
	// broke mid-download, and servers must be updated before devices.
	PageBytes int `cbor:"8,keyasint,omitempty"`
	// Features says which optional parts of the protocol the device
	// speaks (FeatureIncarnation), so the server sends the matching
	// Welcome fields only to devices that can decode them: an older
	// device refuses a welcome with fields it does not know.
	//
	// Trap: a server older than this field refuses a hello carrying it
	// with a bad_frame error; the client then says hello again without
	// it (and finds a restored server by its high-water mark alone).
	Features Features `cbor:"9,keyasint,omitempty"`
}

// Features is a set of optional protocol parts (Hello.Features).
type Features uint

// Optional protocol parts.
const (
	// FeatureIncarnation: the device wants Welcome.Incarnation.
	FeatureIncarnation Features = 1 << iota
	// FeatureWindow: the device wants Welcome.Window and Ack.Window, and
	// keeps at most that many changes unacked.
	FeatureWindow
	// FeatureTurns: the device can take turns (Welcome.Turns): it asks
	// before it uploads (Ask) and sends only the changes granted (Grant).
	FeatureTurns
)

// Welcome answers Hello: the server's high-water mark for the device's
// sequence (every change up to it is durable on the server), the device's
// scope, and the server's clock so the device can correct its own.
type Welcome struct {
	Protocol     int    `cbor:"1,keyasint"`
	Schema       int    `cbor:"2,keyasint"`
	HighWater    uint64 `cbor:"3,keyasint"`
	Scope        Code   `cbor:"4,keyasint"`
	ServerTimeMS int64  `cbor:"5,keyasint"`
	MaxInFlight  int    `cbor:"6,keyasint"`
	MaxBatch     int    `cbor:"7,keyasint"`
	// Incarnation is the server store's incarnation id, sent only when
	// the hello asked for it (FeatureIncarnation). A device that saw
	// another id before knows the store was restored from a backup: it
	// offers again the changes the backup lacks and downloads its scope
	// afresh (the log after the backup was written anew).
	Incarnation string `cbor:"8,keyasint,omitempty"`
	// Window is how many changes the device may have unacked (sent only
	// when the hello asked, FeatureWindow): the server's share for each
	// device uploading, so that a batch waits for at most one group
	// commit however many devices sync at once. Acks carry it anew.
	Window int `cbor:"9,keyasint,omitempty"`
	// Turns, sent only when the hello asked (FeatureTurns), says the
	// server hands out turns: the device sends an Ask when it has changes
	// to upload and sends no more changes than Grants gave it. Windows do
	// not apply then (Window is 0). A server gives turns on every store;
	// with several server processes on one database each hands out its
	// own.
	Turns bool `cbor:"10,keyasint,omitempty"`
	// Grant is the device's first grant when Turns is set: the hello is
	// the device's first Ask, for FirstAsk of its Health, and what the
	// server could grant at once comes back here, saving a round
	// trip per session (on a link that breaks every few kilobytes, a
	// session lasts a few frames). 0 with changes waiting: the ask is in
	// line, and its Grant comes as a message.
	Grant int `cbor:"11,keyasint,omitempty"`
}

// FirstAsk is what a hello whose device takes turns asks for, the server's
// mark for the device being mark (Welcome.Grant): the changes waiting, or
// every seq the device issued past the mark when that is more (a server
// restored from an older copy is sent again what it lost), at most
// MaxBatchChanges; 0 when the device has nothing to send. Both sides call
// it, so the device knows whether its first ask is in line.
func FirstAsk(h *Health, mark uint64) int {
	if h == nil {
		return 0
	}
	n := h.Waiting
	if h.LastSeq > mark {
		n = max(n, int(min(h.LastSeq-mark, MaxBatchChanges)))
	}
	return min(n, MaxBatchChanges)
}

// Ask tells the server the device has changes to upload and none of its
// grant left. Changes is about how many wait (the server grants no more
// than that, and may grant fewer); at least 1. A device has one ask
// unanswered at most; a second replaces the first.
type Ask struct {
	Changes int `cbor:"1,keyasint"`
}

// Grant is the device's turn: it may send Changes more changes, over as
// many batches as it likes. Grants add up. The server hands them out in
// the order devices asked, each at most a fixed share, and only as many
// at once as it commits within its group latency: so a batch sent waits
// for about one group commit, however many devices upload, and every
// device gets its turn. The server ends a session that sends more than it
// was granted.
type Grant struct {
	Changes int `cbor:"1,keyasint"`
}

// Upload carries a batch of the device's changes in sequence order,
// starting at First. Batch numbers let the device match acks to batches
// while several are in flight.
type Upload struct {
	Batch   uint64   `cbor:"1,keyasint"`
	First   uint64   `cbor:"2,keyasint"`
	Changes []Change `cbor:"3,keyasint"`
	// Encoded, set on an upload to send instead of Changes, holds the
	// changes already encoded, each exactly as Marshal encodes a Change
	// (as a device's outbox keeps them): the frame carries them as they
	// are, and is the frame Changes would give. Decoders never set it.
	//
	// Trap: nothing checks the bytes on the way out; bytes that are not a
	// change make the server refuse the whole frame.
	Encoded [][]byte `cbor:"-"`
}

// Len is how many changes the upload carries.
func (u *Upload) Len() int { return len(u.Changes) + len(u.Encoded) }

// AckStatus says what happened to a batch.
type AckStatus uint8

// Ack statuses.
const (
	// AckApplied: the batch is durable; HighWater covers it.
	AckApplied AckStatus = 1
	// AckGap: the batch did not start right after the high-water mark;
	// nothing of it was applied; resend from HighWater+1.
	AckGap AckStatus = 2
	// AckDuplicate: every change of the batch was already applied.
	AckDuplicate AckStatus = 3
)

// Ack answers one Upload. Rejected lists the changes of the batch the
// server refused; they still count as handled (the high-water mark passes
// them), and the device parks them for the user to correct.
type Ack struct {
	Batch        uint64      `cbor:"1,keyasint"`
	Status       AckStatus   `cbor:"2,keyasint"`
	HighWater    uint64      `cbor:"3,keyasint"`
	Rejected     []Rejection `cbor:"4,keyasint,omitempty"`
	ServerTimeMS int64       `cbor:"5,keyasint"`
	// Window replaces Welcome.Window (FeatureWindow only).
	Window int `cbor:"6,keyasint,omitempty"`
}

// RejectCode classifies why a change was refused.
type RejectCode string

// Reject codes.
const (
	RejectInvalid     RejectCode = "invalid"      // fails validation
	RejectOutOfScope  RejectCode = "out_of_scope" // unit outside the device's scope
	RejectReadOnly    RejectCode = "read_only"    // kind a site may not write
	RejectClockAhead  RejectCode = "clock_ahead"  // stamped too far ahead of the server
	RejectUnitChanged RejectCode = "unit_changed" // edits a record under another unit
	RejectLocked      RejectCode = "locked"       // into a period an office locked; Rejection.Lock names the lock
)

// Rejection is the server's refusal of one change, with a reason in both
// languages. ClockAhead rejections are not parked: the device re-stamps
// and resends them.
type Rejection struct {
	Seq          uint64     `cbor:"1,keyasint"`
	Code         RejectCode `cbor:"2,keyasint"`
	Reason       string     `cbor:"3,keyasint"`
	ReasonZh     string     `cbor:"4,keyasint"`
	ServerTimeMS int64      `cbor:"5,keyasint,omitempty"`
	// Lock is the id of the lock that refused the change (RejectLocked).
	// The device has the lock record, or gets it in the same session's
	// download, so it can say who locked what and when.
	Lock string `cbor:"6,keyasint,omitempty"`
}

// LogEntry is one accepted change in the server's log, with the log's own
// sequence number.
type LogEntry struct {
	Seq    uint64 `cbor:"1,keyasint"`
	Change Change `cbor:"2,keyasint"`
	// Raw, when not empty, is the change already encoded (Marshal of a
	// *Change, as the server's log stores it): a sender sets it instead
	// of Change, and Marshal of the frame copies it in as it is, so a
	// download page costs no decode and re-encode of every change.
	// Decoders never set it. Trap: only Marshal's frame encoder knows
	// it; Change stays zero, so nothing else may read such an entry.
	Raw []byte `cbor:"-"`
	// set is Change.Set as the frame carried it (a map, its names in
	// deterministic order, checked), kept by the in-place decoder for
	// MarshalNewEntry; nil otherwise.
	set []byte
}

// Download streams accepted changes in the device's scope. Cursor is the
// log sequence the device may store once it has applied Entries (it can be
// past the last entry when the server skipped changes outside the scope).
// CaughtUp says the server had nothing newer when it sent this.
type Download struct {
	Entries  []LogEntry `cbor:"1,keyasint"`
	Cursor   uint64     `cbor:"2,keyasint"`
	CaughtUp bool       `cbor:"3,keyasint"`
}

// ErrorCode classifies protocol errors.
type ErrorCode string

// Error codes.
const (
	ErrVersion      ErrorCode = "version"       // protocol or schema the server cannot speak
	ErrAuth         ErrorCode = "auth"          // unknown, wrong or revoked token
	ErrBadFrame     ErrorCode = "bad_frame"     // undecodable or over a limit
	ErrProtocol     ErrorCode = "protocol"      // message out of order
	ErrOverloaded   ErrorCode = "overloaded"    // too many batches in flight
	ErrShuttingDown ErrorCode = "shutting_down" // server stopping
	ErrInternal     ErrorCode = "internal"      // server-side failure
)

// Error is a fatal protocol error. Retry says whether reconnecting later
// may succeed.
type Error struct {
	Code    ErrorCode `cbor:"1,keyasint"`
	Message string    `cbor:"2,keyasint"`
	Retry   bool      `cbor:"3,keyasint"`
}

// Error implements error so clients can return it.
func (e *Error) Error() string { return fmt.Sprintf("server error %s: %s", e.Code, e.Message) }

// EncodeMsg encodes a message for the wire.
func EncodeMsg(m *Msg) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return Marshal(m)
}

// DecodeMsg decodes and checks one frame: size and shape limits, then that
// the payload matches the type and batches stay within MaxBatchChanges.
// The message shares no memory with data.
func DecodeMsg(data []byte) (*Msg, error) { return decodeFrame(data, false) }

// decodeFrame is DecodeMsg; owned says nothing else holds data or will
// change it, so a download frame's message may share its memory
// (viewDownloadMsg) instead of a copy's.
func decodeFrame(data []byte, owned bool) (*Msg, error) {
	if m, ok := viewInPlace(data, owned); ok {
		// It checked the field values as it read them.
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("decode frame: %w", err)
		}
		return m, nil
	}
	var m Msg
	if err := UnmarshalWire(data, &m); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return checkDecoded(&m)
}

// checkDecoded applies DecodeMsg's checks after decoding.
func checkDecoded(m *Msg) (*Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	if err := m.checkFieldValues(); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return m, nil
}

// checkFieldValues applies the wire limits inside the changes' field
// values too. They stay raw CBOR while the frame is decoded, so the
// decoder checked their nesting, sizes and tags but never looked at their
// map keys; a value with duplicate keys would otherwise pass the frame
// check and mean different things to different decoders.
func (m *Msg) checkFieldValues() error {
	check := func(ch *Change) error {
		for name, raw := range ch.Set {
			if err := checkWireValue(raw); err != nil {
				return fmt.Errorf("change %s %s field %q: %w", ch.Kind, ch.ID, name, err)
			}
		}
		return nil
	}
	switch {
	case m.Upload != nil:
		for i := range m.Upload.Changes {
			if err := check(&m.Upload.Changes[i]); err != nil {
				return err
			}
		}
	case m.Download != nil:
		for i := range m.Download.Entries {
			if err := check(&m.Download.Entries[i].Change); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkWireValue is checkFieldValues' check of one value.
func checkWireValue(raw []byte) error {
	if scalarChecked(raw) {
		return nil
	}
	var v any
	return wireDec.Unmarshal(raw, &v)
}

// scalarChecked reports whether raw, a field value inside a frame the
// decoder already found well-formed and within the limits, is a number,
// simple value or byte string, or valid UTF-8 text: then decoding it
// again would find nothing more. Only lists and maps (duplicate keys, and
// text inside them) need the full decode; most fields are neither.
func scalarChecked(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	switch raw[0] >> 5 {
	case 0, 1, 2, 7:
		return true
	case 3:
		n, rest, ok := viewHeader(raw, 3)
		return ok && n == len(rest) && utf8.Valid(rest)
	}
	return false
}

// Validate checks that exactly the payload of Type is set and that batch
// sizes are within limits.
func (m *Msg) Validate() error {
	set := 0
	for _, p := range []bool{m.Hello != nil, m.Welcome != nil, m.Upload != nil, m.Ack != nil, m.Download != nil, m.Error != nil,
		m.Ask != nil, m.Grant != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("message %s carries %d payloads, want 1", m.Type, set)
	}
	ok := false
	switch m.Type {
	case MsgHello:
		ok = m.Hello != nil
	case MsgWelcome:
		ok = m.Welcome != nil
	case MsgUpload:
		ok = m.Upload != nil
		if ok && len(m.Upload.Changes) > 0 && len(m.Upload.Encoded) > 0 {
			return fmt.Errorf("upload carries both changes and encoded changes")
		}
		if ok && m.Upload.Len() > MaxBatchChanges {
			return fmt.Errorf("upload of %d changes exceeds the limit of %d", m.Upload.Len(), MaxBatchChanges)
		}
		if ok && m.Upload.Len() == 0 {
			return fmt.Errorf("empty upload batch")
		}
	case MsgAck:
		ok = m.Ack != nil
	case MsgDownload:
		ok = m.Download != nil
		if ok && len(m.Download.Entries) > MaxBatchChanges {
			return fmt.Errorf("download of %d changes exceeds the limit of %d", len(m.Download.Entries), MaxBatchChanges)
		}
	case MsgError:
		ok = m.Error != nil
	case MsgAsk:
		ok = m.Ask != nil
		if ok && m.Ask.Changes < 1 {
			return fmt.Errorf("ask for %d changes, want at least 1", m.Ask.Changes)
		}
	case MsgGrant:
		ok = m.Grant != nil
		if ok && m.Grant.Changes < 1 {
			return fmt.Errorf("grant of %d changes, want at least 1", m.Grant.Changes)
		}
	default:
		return fmt.Errorf("unknown message type %d", m.Type)
	}
	if !ok {
		return fmt.Errorf("message %s carries the wrong payload", m.Type)
	}
	return nil
}
