package schema

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// wsPair returns both ends of a real websocket connection on loopback.
func wsPair(t *testing.T) (client, server *websocket.Conn) {
	t.Helper()
	accepted := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		accepted <- ws
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestFrames(t *testing.T) {
	hello := &Msg{Type: MsgHello, Hello: &Hello{Protocol: ProtocolVersion, Schema: SchemaVersion, Device: "dev-1"}}
	refusal := &Error{Code: ErrAuth, Message: "device revoked"}
	tests := []struct {
		name    string
		send    func(ws *websocket.Conn) error
		want    *Msg
		wantErr func(error) bool
	}{
		{name: "message round trip",
			send: func(ws *websocket.Conn) error { return WriteMsg(ws, hello, time.Second) },
			want: hello},
		{name: "peer's error comes back as its *Error",
			send: func(ws *websocket.Conn) error {
				return WriteMsg(ws, &Msg{Type: MsgError, Error: refusal}, time.Second)
			},
			wantErr: func(err error) bool {
				var e *Error
				return errors.As(err, &e) && *e == *refusal
			}},
		{name: "text frame",
			send:    func(ws *websocket.Conn) error { return ws.WriteMessage(websocket.TextMessage, []byte("hello")) },
			wantErr: func(err error) bool { return errors.Is(err, ErrTextFrame) }},
		{name: "frame over the limit",
			send: func(ws *websocket.Conn) error {
				return ws.WriteMessage(websocket.BinaryMessage, bytes.Repeat([]byte{0}, MaxFrameBytes+1))
			},
			wantErr: func(err error) bool { return errors.Is(err, ErrFrameTooBig) }},
		{name: "undecodable frame",
			send: func(ws *websocket.Conn) error { return ws.WriteMessage(websocket.BinaryMessage, []byte{0xff}) },
			wantErr: func(err error) bool {
				var e *Error
				return err != nil && !errors.As(err, &e) && strings.Contains(err.Error(), "decode frame")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := wsPair(t)
			sent := make(chan error, 1)
			go func() { sent <- tc.send(a) }()
			got, err := ReadMsg(b, 5*time.Second)
			if serr := <-sent; serr != nil {
				t.Fatalf("send: %v", serr)
			}
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("ReadMsg: %v, %+v", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != tc.want.Type || *got.Hello != *tc.want.Hello {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestReadMsgDeadline: a silent peer makes ReadMsg give up after its
// timeout with the network's timeout error, which callers classify.
func TestReadMsgDeadline(t *testing.T) {
	_, b := wsPair(t)
	start := time.Now()
	_, err := ReadMsg(b, 50*time.Millisecond)
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("ReadMsg from a silent peer: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("gave up after %s", d)
	}
}

// TestWriteMsgRefusesInvalid: a message that breaks its own shape is never
// put on the wire.
func TestWriteMsgRefusesInvalid(t *testing.T) {
	a, _ := wsPair(t)
	if err := WriteMsg(a, &Msg{Type: MsgHello}, time.Second); err == nil {
		t.Fatal("WriteMsg sent a hello without its payload")
	}
}
