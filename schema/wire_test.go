package schema

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// sampleMsgs returns a valid message of every type, with changes carrying
// every kind of field value, for round-trip tests and the fuzz corpus.
func sampleMsgs(t testing.TB) []*Msg {
	t.Helper()
	fac, err := EncodeFields(validFacility())
	if err != nil {
		t.Fatal(err)
	}
	per, err := EncodeFields(Person{Name: "张三", Categories: []PersonCategory{CatTekun, CatDisabled}, BirthDate: "1940-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := EncodeFields(validReported())
	if err != nil {
		t.Fatal(err)
	}
	changes := []Change{
		{Kind: KindFacility, ID: "0190f1e2-0000-7000-8000-000000000001", Unit: village, Set: fac, Stamp: MakeStamp(1_750_000_000_000, 3), Device: "dev-1", Seq: 1},
		{Kind: KindPerson, ID: "p1", Unit: village, Set: per, Stamp: MakeStamp(1_750_000_000_001, 0), Device: "dev-1", Seq: 2},
		{Kind: KindReported, ID: ReportedID("511802", "pension_insurance_rate", "2024"), Unit: "511802", Set: rep, Stamp: 99, Device: "dev-1", Seq: 3},
		{Kind: KindFacility, ID: "f9", Unit: village, Delete: true, Stamp: MakeStamp(1_750_000_000_002, 0), Device: "dev-1", Seq: 4},
	}
	return []*Msg{
		{Type: MsgHello, Hello: &Hello{Protocol: ProtocolVersion, Schema: SchemaVersion, Device: "dev-1", Cursor: 42, ClockMS: 1_750_000_000_000, AppVersion: "0.1.0"}},
		{Type: MsgHello, Hello: &Hello{Protocol: ProtocolVersion, Schema: SchemaVersion, Device: "dev-2"}},
		{Type: MsgWelcome, Welcome: &Welcome{Protocol: 1, Schema: 1, HighWater: 7, Scope: "511802001", ServerTimeMS: 1_750_000_000_500, MaxInFlight: 4, MaxBatch: 200}},
		{Type: MsgUpload, Upload: &Upload{Batch: 1, First: 1, Changes: changes}},
		{Type: MsgAck, Ack: &Ack{Batch: 1, Status: AckApplied, HighWater: 4, ServerTimeMS: 1_750_000_000_600,
			Rejected: []Rejection{{Seq: 3, Code: RejectInvalid, Reason: "reported.value: bad", ReasonZh: "填报值有误"},
				{Seq: 4, Code: RejectClockAhead, Reason: "ahead", ReasonZh: "时间超前", ServerTimeMS: 1_750_000_000_600},
				{Seq: 5, Code: RejectLocked, Lock: "0190f1e2-0000-7000-8000-0000000000aa", Reason: "locked", ReasonZh: "已审核锁定"}}}},
		{Type: MsgAck, Ack: &Ack{Batch: 2, Status: AckGap, HighWater: 4}},
		{Type: MsgDownload, Download: &Download{Entries: []LogEntry{{Seq: 10, Change: changes[0]}, {Seq: 11, Change: changes[3]}}, Cursor: 12, CaughtUp: true}},
		{Type: MsgDownload, Download: &Download{Cursor: 12, CaughtUp: true}},
		{Type: MsgError, Error: &Error{Code: ErrVersion, Message: "protocol 9 not supported", Retry: false}},
		// Last, so the indexes other tests use stay put.
		{Type: MsgHello, Hello: &Hello{Protocol: ProtocolVersion, Schema: SchemaVersion, Device: "dev-3", AppVersion: "0.2.0",
			Health: &Health{Waiting: 12, OldestAgeS: 9 * 86400, Parked: 1, ClockOffsetMS: -3_600_000, LastSeq: 40}}},
		{Type: MsgHello, Hello: &Hello{Protocol: ProtocolVersion, Schema: SchemaVersion, Device: "dev-4", Features: FeatureIncarnation}},
		{Type: MsgWelcome, Welcome: &Welcome{Protocol: 1, Schema: 2, HighWater: 3, Scope: "511802001", MaxInFlight: 4, MaxBatch: 200,
			Incarnation: "9f86d081884c7d659a2feaa0c55ad015"}},
		{Type: MsgHello, Hello: &Hello{Protocol: ProtocolVersion, Schema: SchemaVersion, Device: "dev-5", Features: FeatureWindow | FeatureTurns}},
		{Type: MsgWelcome, Welcome: &Welcome{Protocol: 1, Schema: 3, HighWater: 9, Scope: "511802001", MaxInFlight: 4, MaxBatch: 500, Turns: true, Grant: 120}},
		{Type: MsgAsk, Ask: &Ask{Changes: 200}},
		{Type: MsgGrant, Grant: &Grant{Changes: 500}},
	}
}

// normalizeMsg maps the encodings omitempty cannot tell apart (an empty
// map or slice and none) to one form, so equality means "same message".
func normalizeMsg(m *Msg) *Msg {
	c := *m
	fixChange := func(ch *Change) {
		if len(ch.Set) == 0 {
			ch.Set = nil
		}
	}
	if m.Upload != nil {
		u := *m.Upload
		u.Changes = append([]Change(nil), m.Upload.Changes...)
		if m.Upload.Changes != nil && len(m.Upload.Changes) == 0 {
			u.Changes = []Change{}
		}
		for i := range u.Changes {
			fixChange(&u.Changes[i])
		}
		c.Upload = &u
	}
	if m.Download != nil {
		d := *m.Download
		// Nil and empty lists encode alike ([]), so compare them alike.
		d.Entries = append([]LogEntry{}, m.Download.Entries...)
		for i := range d.Entries {
			fixChange(&d.Entries[i].Change)
			d.Entries[i].set = nil // the in-place decoder's note, no part of the message
		}
		c.Download = &d
	}
	if m.Ack != nil {
		a := *m.Ack
		if len(a.Rejected) == 0 {
			a.Rejected = nil
		}
		c.Ack = &a
	}
	return &c
}

func msgEqual(a, b *Msg) bool { return reflect.DeepEqual(normalizeMsg(a), normalizeMsg(b)) }

func TestMsgRoundTrip(t *testing.T) {
	for _, m := range sampleMsgs(t) {
		b, err := EncodeMsg(m)
		if err != nil {
			t.Fatalf("%s: %v", m.Type, err)
		}
		if _, err := checkWireLimits(b); err != nil {
			t.Errorf("%s: encoded frame breaks the limits: %v", m.Type, err)
		}
		back, err := DecodeMsg(b)
		if err != nil {
			t.Fatalf("%s: %v", m.Type, err)
		}
		if !msgEqual(m, back) {
			t.Errorf("%s: round trip changed the message:\n%+v\n%+v", m.Type, m, back)
		}
		again, _ := EncodeMsg(back)
		if !bytes.Equal(b, again) {
			t.Errorf("%s: encoding is not deterministic", m.Type)
		}
	}
}

func TestMsgValidate(t *testing.T) {
	hello := &Hello{Protocol: 1, Schema: 1, Device: "d"}
	tooMany := make([]Change, MaxBatchChanges+1)
	for i := range tooMany {
		tooMany[i] = Change{Kind: KindFacility, ID: "f", Unit: village, Delete: true, Stamp: 1, Device: "d", Seq: uint64(i + 1)}
	}
	for _, tc := range []struct {
		name string
		m    *Msg
		want string
	}{
		{"no payload", &Msg{Type: MsgHello}, "0 payloads"},
		{"two payloads", &Msg{Type: MsgHello, Hello: hello, Error: &Error{}}, "2 payloads"},
		{"wrong payload", &Msg{Type: MsgWelcome, Hello: hello}, "wrong payload"},
		{"unknown type", &Msg{Type: 99, Hello: hello}, "unknown message type"},
		{"empty upload", &Msg{Type: MsgUpload, Upload: &Upload{Batch: 1, First: 1}}, "empty"},
		{"upload too big", &Msg{Type: MsgUpload, Upload: &Upload{Batch: 1, First: 1, Changes: tooMany}}, "exceeds"},
		{"download too big", &Msg{Type: MsgDownload, Download: &Download{Entries: make([]LogEntry, MaxBatchChanges+1)}}, "exceeds"},
		{"empty ask", &Msg{Type: MsgAsk, Ask: &Ask{}}, "ask for 0"},
		{"negative grant", &Msg{Type: MsgGrant, Grant: &Grant{Changes: -1}}, "grant of -1"},
		{"grant as ask", &Msg{Type: MsgAsk, Grant: &Grant{Changes: 1}}, "wrong payload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
			if _, err := EncodeMsg(tc.m); err == nil {
				t.Error("EncodeMsg accepted it")
			}
			// Bypass EncodeMsg to check the receiving side refuses it too.
			if b, err := Marshal(tc.m); err == nil {
				if _, err := DecodeMsg(b); err == nil {
					t.Error("DecodeMsg accepted it")
				}
			}
		})
	}
	if MsgType(42).String() != "msg(42)" || MsgUpload.String() != "upload" {
		t.Error("MsgType.String")
	}
	e := &Error{Code: ErrAuth, Message: "revoked"}
	if e.Error() != "server error auth: revoked" {
		t.Errorf("Error() = %q", e.Error())
	}
}

// helloFrame is a hand-built valid hello: {1: 1, 2: {1: 1, 2: 1, 3: "d", 4: 0, 5: 0}}.
func helloPayload(extra ...[]byte) []byte {
	kv := [][]byte{cborUint(1), cborUint(1), cborUint(2), cborUint(1), cborUint(3), cborText("d"), cborUint(4), cborUint(0), cborUint(5), cborUint(0)}
	return cborMap(append(kv, extra...)...)
}

// uploadFrame is an upload of one change setting set.
func uploadFrame(set []byte) []byte {
	upload := cborMap(cborUint(1), cborUint(1), cborUint(2), cborUint(1), cborUint(3), cborArray(frameChange(set)))
	return cborMap(cborUint(1), cborUint(uint64(MsgUpload)), cborUint(4), upload)
}

func TestHandBuiltFramesDecode(t *testing.T) {
	// The builders themselves make acceptable frames; otherwise the
	// refusals below would prove nothing.
	if _, err := DecodeMsg(cborMap(cborUint(1), cborUint(1), cborUint(2), helloPayload())); err != nil {
		t.Fatalf("hand-built hello: %v", err)
	}
	if _, err := DecodeMsg(uploadFrame(cborMap(cborText("name"), cborText("x")))); err != nil {
		t.Fatalf("hand-built upload: %v", err)
	}
}

func nested(depth int, leaf []byte) []byte {
	b := leaf
	for i := 0; i < depth; i++ {
		b = cborArray(b)
	}
	return b
}

func TestDecodeMsgRefusesOverLimits(t *testing.T) {
	big := make([]byte, MaxFrameBytes+1)
	copy(big, cborHead(2, uint64(MaxFrameBytes+1-5))) // a byte string filling the frame
	manyPairs := [][]byte{}
	for i := 0; i <= MaxMapPairs; i++ {
		manyPairs = append(manyPairs, cborText("f"+string(rune('a'+i%26))+strings.Repeat("z", i/26)), cborUint(1))
	}
	manyElems := make([][]byte, MaxArrayElements+1)
	for i := range manyElems {
		manyElems[i] = cborUint(0)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
		want  string
	}{
		{"frame over MaxFrameBytes", big, "frame limit"},
		{"nesting beyond MaxNesting in a field value", uploadFrame(cborMap(cborText("name"), nested(MaxNesting, cborUint(1)))), "nested"},
		{"nesting beyond MaxNesting at the top", nested(MaxNesting+1, cborUint(1)), "nested"},
		{"array over MaxArrayElements", uploadFrame(cborMap(cborText("categories"), cborArray(manyElems...))), "array"},
		{"array header claiming 2^32 elements", uploadFrame(cborMap(cborText("categories"), cborHead(4, 1<<32))), "array"},
		{"map over MaxMapPairs", uploadFrame(cborMap(manyPairs...)), "map"},
		{"duplicate key in the message", cborMap(cborUint(1), cborUint(1), cborUint(1), cborUint(1), cborUint(2), helloPayload()), "duplicate"},
		{"duplicate key spelled differently", cborMap(cborUint(1), cborUint(1), []byte{0x18, 0x01}, cborUint(1), cborUint(2), helloPayload()), "duplicate"},
		{"duplicate key in a payload", cborMap(cborUint(1), cborUint(1), cborUint(2), helloPayload(cborUint(3), cborText("e"))), "duplicate"},
		{"duplicate field name in a change", uploadFrame(cborMap(cborText("name"), cborText("a"), cborText("name"), cborText("b"))), "duplicate"},
		{"duplicate key inside a field value", uploadFrame(cborMap(cborText("name"), cborMap(cborUint(1), cborUint(1), cborUint(1), cborUint(2)))), "duplicate"},
		{"indefinite-length map", []byte{0xbf, 0x01, 0x01, 0xff}, "indefinite"},
		{"tag", uploadFrame(cborMap(cborText("name"), append([]byte{0xc1}, cborUint(1)...))), "tag"},
		{"unknown field", cborMap(cborUint(1), cborUint(1), cborUint(2), helloPayload(), cborUint(99), cborUint(0)), "unknown field"},
		{"trailing bytes", append(cborMap(cborUint(1), cborUint(1), cborUint(2), helloPayload()), 0x00), "extraneous"},
		{"truncated", cborMap(cborUint(1), cborUint(1), cborUint(2), helloPayload())[:10], "EOF"},
		{"invalid UTF-8", cborMap(cborUint(1), cborUint(1), cborUint(2), cborMap(cborUint(3), []byte{0x62, 0xff, 0xfe})), "UTF-8"},
		{"empty", nil, "EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeMsg(tc.frame)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.want)) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if len(tc.frame) <= MaxFrameBytes {
				if _, werr := checkWireLimits(tc.frame); werr == nil && !strings.Contains(tc.name, "unknown") &&
					!strings.Contains(tc.name, "UTF-8") {
					t.Errorf("the oracle sees nothing wrong with this frame")
				}
			}
		})
	}
	// Exactly at the limits is fine.
	atLimit := uploadFrame(cborMap(cborText("name"), nested(MaxNesting-5, cborUint(1))))
	if d, err := checkWireLimits(atLimit); err != nil || d != MaxNesting {
		t.Fatalf("oracle: depth %d, %v", d, err)
	}
	if _, err := DecodeMsg(atLimit); err != nil {
		t.Errorf("nesting of exactly MaxNesting refused: %v", err)
	}
	elems := make([][]byte, MaxArrayElements)
	for i := range elems {
		elems[i] = cborText("tekun")
	}
	if _, err := DecodeMsg(uploadFrame(cborMap(cborText("categories"), cborArray(elems...)))); err != nil {
		t.Errorf("array of exactly MaxArrayElements refused: %v", err)
	}
}

func TestCodec(t *testing.T) {
	// Deterministic: map order does not leak into bytes.
	a := MustMarshal(map[string]int{"b": 2, "a": 1, "ccc": 3})
	for i := 0; i < 20; i++ {
		if !bytes.Equal(a, MustMarshal(map[string]int{"ccc": 3, "a": 1, "b": 2})) {
			t.Fatal("map encoding depends on order")
		}
	}
	// A store may hold larger arrays than the wire allows.
	big := make([]int, MaxArrayElements+1)
	b := MustMarshal(big)
	var out []int
	if err := UnmarshalWire(b, &out); err == nil {
		t.Error("wire decoder accepted a too-large array")
	}
	if err := UnmarshalStored(b, &out); err != nil || len(out) != len(big) {
		t.Errorf("store decoder: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustMarshal of a channel did not panic")
			}
		}()
		MustMarshal(make(chan int))
	}()
}

// TestEncodedUploadIsTheSameFrame: an upload of changes as a device's
// outbox keeps them (Marshal of each) is byte for byte the frame of the
// same changes decoded, for every prefix of the sample batch, and decodes
// back to them.
func TestEncodedUploadIsTheSameFrame(t *testing.T) {
	var up *Upload
	for _, m := range sampleMsgs(t) {
		if m.Type == MsgUpload {
			up = m.Upload
		}
	}
	for n := 1; n <= len(up.Changes); n++ {
		chs := up.Changes[:n]
		enc := make([][]byte, n)
		for i := range chs {
			enc[i] = MustMarshal(&chs[i])
		}
		want, err := EncodeMsg(&Msg{Type: MsgUpload, Upload: &Upload{Batch: 7, First: chs[0].Seq, Changes: chs}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := EncodeMsg(&Msg{Type: MsgUpload, Upload: &Upload{Batch: 7, First: chs[0].Seq, Encoded: enc}})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d changes: encoded upload\n%x\nwant\n%x", n, got, want)
		}
		m, err := DecodeMsg(got)
		if err != nil || !msgEqual(m, &Msg{Type: MsgUpload, Upload: &Upload{Batch: 7, First: chs[0].Seq, Changes: chs}}) {
			t.Fatalf("%d changes: decoded %+v, %v", n, m, err)
		}
	}
	both := &Msg{Type: MsgUpload, Upload: &Upload{Batch: 1, First: 1, Changes: up.Changes[:1], Encoded: [][]byte{MustMarshal(&up.Changes[1])}}}
	if _, err := EncodeMsg(both); err == nil {
		t.Error("an upload with both changes and encoded changes was encoded")
	}
}
