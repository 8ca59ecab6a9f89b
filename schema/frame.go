package schema

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gorilla/websocket"
)

// Errors of frames that break the protocol's framing before any decoding.
var (
	// ErrFrameTooBig is a frame over MaxFrameBytes.
	ErrFrameTooBig = fmt.Errorf("frame exceeds the limit of %d bytes", MaxFrameBytes)
	// ErrTextFrame is a text frame: the protocol speaks binary CBOR only.
	ErrTextFrame = errors.New("text frame: want binary CBOR")
)

// ReadFrame reads one binary frame of at most MaxFrameBytes, without
// decoding it. It stops reading one byte past the limit, so a peer that
// announces a huge frame costs no more memory than a full-sized one, and
// the caller can say why it hangs up (gorilla's own read limit answers
// with a bare close). Deadlines are the caller's: ReadFrame sets none.
func ReadFrame(ws *websocket.Conn) ([]byte, error) {
	mt, r, err := ws.NextReader()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFrameBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFrameBytes {
		return nil, ErrFrameTooBig
	}
	if mt != websocket.BinaryMessage {
		return nil, ErrTextFrame
	}
	return data, nil
}

// ReadMsg waits up to timeout for one frame and decodes it (DecodeMsg).
// A MsgError from the peer comes back as its *Error, unwrapped, so the
// caller's error path learns why the peer gave up and whether to retry;
// every other failure (connection, deadline, framing, decoding) is a
// plain error.
func ReadMsg(ws *websocket.Conn, timeout time.Duration) (*Msg, error) {
	if err := ws.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	data, err := ReadFrame(ws)
	if err != nil {
		return nil, err
	}
	// ReadFrame's buffer is this call's alone: the message may keep it.
	m, err := decodeFrame(data, true)
	if err != nil {
		return nil, err
	}
	if m.Type == MsgError {
		return nil, m.Error
	}
	return m, nil
}

// WriteMsg encodes m (EncodeMsg) and sends it as one binary frame, giving
// up after timeout. gorilla allows one writer at a time per connection:
// the caller serialises WriteMsg with its other writes (WriteControl,
// for pings and closes, may run alongside).
func WriteMsg(ws *websocket.Conn, m *Msg, timeout time.Duration) error {
	b, err := EncodeMsg(m)
	if err != nil {
		return err
	}
	if err := ws.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	return ws.WriteMessage(websocket.BinaryMessage, b)
}
