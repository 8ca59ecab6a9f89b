package schema

import (
	"bytes"
	"strings"
	"testing"
)

// decodeReflective is DecodeMsg without the in-place download decoder:
// the oracle the fast path must agree with.
func decodeReflective(data []byte) (*Msg, error) {
	var m Msg
	if err := UnmarshalWire(data, &m); err != nil {
		return nil, err
	}
	return checkDecoded(&m)
}

// frameChange is a facility change setting set, as a frame carries it.
func frameChange(set []byte) []byte {
	return cborMap(
		cborUint(1), cborText("facility"), cborUint(2), cborText("f1"), cborUint(3), cborText(string(village)),
		cborUint(4), set, cborUint(6), cborUint(1), cborUint(7), cborText("d"), cborUint(8), cborUint(1))
}

func downloadFrame(set []byte) []byte {
	change := frameChange(set)
	entry := cborMap(cborUint(1), cborUint(5), cborUint(2), change)
	d := cborMap(cborUint(1), cborArray(entry), cborUint(2), cborUint(5), cborUint(3), []byte{0xf5})
	return cborMap(cborUint(1), cborUint(uint64(MsgDownload)), cborUint(6), d)
}

// TestDownloadDecodeMatchesWireDecoder: on every download frame of the
// samples, and on each of them with any one byte changed, DecodeMsg
// (which decodes downloads in place) accepts exactly what the wire
// decoder accepts, and decodes it to the same message.
func TestDownloadDecodeMatchesWireDecoder(t *testing.T) {
	frames := sampleFrames(t, MsgDownload)
	frames = append(frames, downloadFrame(cborMap(cborText("name"), cborArray(cborMap(cborText("a"), cborUint(1))))))
	matchesWireDecoder(t, frames, viewDownloadMsg, checkNewEntries)
}

// TestUploadDecodeMatchesWireDecoder is the same for upload frames, which
// the server decodes by viewUploadMsg.
func TestUploadDecodeMatchesWireDecoder(t *testing.T) {
	frames := sampleFrames(t, MsgUpload)
	if len(frames) == 0 {
		t.Fatal("no upload among the sample messages")
	}
	matchesWireDecoder(t, frames, viewUploadMsg, func(*testing.T, *Msg) {})
}

// sampleFrames encodes the sample messages of type mt.
func sampleFrames(t *testing.T, mt MsgType) [][]byte {
	var frames [][]byte
	for _, m := range sampleMsgs(t) {
		if m.Type == mt {
			frames = append(frames, MustMarshal(m))
		}
	}
	return frames
}

// matchesWireDecoder holds DecodeMsg to the wire decoder on frames and on
// each of them with any one byte changed; view is the in-place decoder
// that must take the frames as written and some of the changed ones, and
// check looks further at what it took.
func matchesWireDecoder(t *testing.T, frames [][]byte, view func([]byte) (*Msg, bool), check func(*testing.T, *Msg)) {
	t.Helper()
	fast := 0
	for _, f := range frames {
		if _, ok := view(f); !ok {
			t.Fatalf("the in-place decoder refuses a frame the encoder wrote: %x", f)
		}
		for i := 0; i <= len(f); i++ {
			for _, v := range []int{-1, 0x00, 0x01, 0x18, 0x1f, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xf5, 0xff} {
				b := bytes.Clone(f)
				switch {
				case i == len(f):
					b = b[:len(b)-1]
				case v < 0:
					b[i]++
				default:
					b[i] = byte(v)
				}
				got, gerr := DecodeMsg(b)
				want, werr := decodeReflective(b)
				if (gerr == nil) != (werr == nil) {
					t.Fatalf("frame %x: DecodeMsg says %v, the wire decoder %v", b, gerr, werr)
				}
				if gerr == nil && !msgEqual(got, want) {
					t.Fatalf("frame %x: decoded to %+v, the wire decoder to %+v", b, got, want)
				}
				if _, ok := view(b); ok && gerr == nil {
					fast++
					check(t, got)
				}
			}
		}
	}
	if fast == 0 {
		t.Fatal("no changed frame took the in-place path")
	}
}

// TestDownloadDecodeRefusesOverLimits: the wire limits hold inside a
// download's changes as they do in an upload's.
func TestDownloadDecodeRefusesOverLimits(t *testing.T) {
	refusesOverLimits(t, downloadFrame, viewDownloadMsg, wireFieldDepth)
}

// TestUploadDecodeRefusesOverLimits is the same for the server's upload
// decoder, whose field values lie one level higher in the frame.
func TestUploadDecodeRefusesOverLimits(t *testing.T) {
	refusesOverLimits(t, uploadFrame, viewUploadMsg, uploadFieldDepth)
}

// refusesOverLimits checks DecodeMsg refuses frames made by frame whose
// changes break a wire limit, and that view takes a field value nested
// exactly to MaxNesting, fieldDepth being the level such a value lies at.
func refusesOverLimits(t *testing.T, frame func(set []byte) []byte, view func([]byte) (*Msg, bool), fieldDepth int) {
	t.Helper()
	manyPairs := [][]byte{}
	for i := 0; i <= MaxMapPairs; i++ {
		manyPairs = append(manyPairs, cborText("f"+string(rune('a'+i%26))+strings.Repeat("z", i/26)), cborUint(1))
	}
	// The n arrays of nested(n, x) take the levels fieldDepth to
	// fieldDepth+n-1, and MaxNesting is the deepest level allowed.
	exact := MaxNesting - fieldDepth + 1
	for name, f := range map[string][]byte{
		"nesting beyond MaxNesting in a field value": frame(cborMap(cborText("name"), nested(exact+1, cborUint(1)))),
		"map over MaxMapPairs":                       frame(cborMap(manyPairs...)),
		"duplicate field name":                       frame(cborMap(cborText("name"), cborText("a"), cborText("name"), cborText("b"))),
		"duplicate key inside a field value":         frame(cborMap(cborText("name"), cborMap(cborUint(1), cborUint(1), cborUint(1), cborUint(2)))),
		"tag":                                        frame(cborMap(cborText("name"), append([]byte{0xc1}, cborUint(1)...))),
		"invalid UTF-8 in a field value":             frame(cborMap(cborText("name"), []byte{0x62, 0xff, 0xfe})),
		"invalid UTF-8 in a field name":              frame(cborMap([]byte{0x62, 0xff, 0xfe}, cborUint(1))),
	} {
		if _, err := DecodeMsg(f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := DecodeMsg(frame(cborMap(cborText("name"), nested(exact, cborUint(1))))); err != nil {
		t.Errorf("nesting of exactly MaxNesting refused: %v", err)
	}
	// The in-place decoder counts the innermost value as a level too, so
	// it leaves the last level to the wire decoder; short of it, it must
	// take the frame itself.
	if _, ok := view(frame(cborMap(cborText("name"), nested(exact-1, cborUint(1))))); !ok {
		t.Errorf("the in-place decoder refuses nesting one short of MaxNesting")
	}
}

// TestDownloadRawEntries: an entry sent as its stored bytes makes the
// frame an entry sent as a change makes.
func TestDownloadRawEntries(t *testing.T) {
	for _, m := range sampleMsgs(t) {
		if m.Type != MsgDownload {
			continue
		}
		raw := &Download{Cursor: m.Download.Cursor, CaughtUp: m.Download.CaughtUp}
		for _, e := range m.Download.Entries {
			raw.Entries = append(raw.Entries, LogEntry{Seq: e.Seq, Raw: MustMarshal(&e.Change)})
		}
		want := MustMarshal(m)
		if got := MustMarshal(&Msg{Type: MsgDownload, Download: raw}); !bytes.Equal(got, want) {
			t.Errorf("frame of raw entries %x, want %x", got, want)
		}
	}
}

// TestDownloadDecodeKeepsNoCallerBytes: the in-place decoder's message
// shares the frame's memory, so DecodeMsg must give it a copy: a caller
// that reuses its buffer afterwards changes nothing decoded.
func TestDownloadDecodeKeepsNoCallerBytes(t *testing.T) {
	for _, m := range sampleMsgs(t) {
		if m.Type != MsgDownload {
			continue
		}
		frame := MustMarshal(m)
		if !framed(frame, MsgDownload, 6) {
			t.Fatalf("an encoded download frame is not taken for one: %x", frame)
		}
		got, err := DecodeMsg(frame)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := decodeReflective(frame)
		for i := range frame {
			frame[i] = 'x'
		}
		if !msgEqual(got, want) {
			t.Fatalf("overwriting the frame changed the decoded message: %+v", got.Download)
		}
	}
}

// checkNewEntries: for every entry of a decoded download that makes a
// record from nothing, MarshalNewEntry (the fields as the frame carried
// them) gives MarshalNewRecord's bytes (the fields sorted again).
func checkNewEntries(t *testing.T, m *Msg) {
	t.Helper()
	for i := range m.Download.Entries {
		e := &m.Download.Entries[i]
		if e.Change.Delete || len(e.Change.Set) == 0 {
			continue
		}
		if e.set == nil {
			t.Fatalf("the in-place decoder kept no encoded fields of %+v", e.Change)
		}
		if got, want := MarshalNewEntry(e), MarshalNewRecord(&e.Change); !bytes.Equal(got, want) {
			t.Fatalf("MarshalNewEntry %x, MarshalNewRecord %x", got, want)
		}
	}
}

// TestMarshalNewEntryFallsBack: an entry the in-place decoder did not
// read, or whose fields changed in number since, is encoded from its
// fields.
func TestMarshalNewEntryFallsBack(t *testing.T) {
	m, err := DecodeMsg(downloadFrame(cborMap(cborText("name"), cborText("a"), cborText("type"), cborUint(2))))
	if err != nil {
		t.Fatal(err)
	}
	e := m.Download.Entries[0]
	if e.set == nil {
		t.Fatal("the in-place decoder kept no encoded fields")
	}
	built := LogEntry{Seq: e.Seq, Change: e.Change}
	built.Change.Set = Fields{"name": e.Change.Set["name"], "type": e.Change.Set["type"]}
	fewer := e
	fewer.Change.Set = Fields{"name": e.Change.Set["name"]}
	for name, c := range map[string]*LogEntry{"decoded": &e, "built": &built, "a field less": &fewer} {
		if got, want := MarshalNewEntry(c), MarshalNewRecord(&c.Change); !bytes.Equal(got, want) {
			t.Errorf("%s: MarshalNewEntry %x, MarshalNewRecord %x", name, got, want)
		}
	}
}
