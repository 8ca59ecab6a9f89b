package schema

import (
	"bytes"
	"testing"
)

// fuzzSeeds is the seed corpus: a valid frame of every message type and
// frames built to break each limit, so the fuzzer starts on both sides of
// every boundary.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, m := range sampleMsgs(t) {
		b, err := EncodeMsg(m)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	hello := cborMap(cborUint(1), cborUint(1), cborUint(2), helloPayload())
	seeds = append(seeds,
		nil,
		[]byte{0xa0},
		[]byte{0xf6},
		hello[:len(hello)-1],                     // truncated
		append(append([]byte{}, hello...), 0x00), // trailing byte
		nested(MaxNesting+1, cborUint(1)),        // too deep
		cborHead(4, 1<<40),                       // huge array header, no data
		cborHead(5, 1<<20),                       // huge map header
		cborHead(2, 1<<62),                       // huge byte string header
		[]byte{0xbf, 0x01, 0x01, 0xff},           // indefinite map
		[]byte{0x9f, 0x01, 0xff},                 // indefinite array
		[]byte{0x7f, 0x61, 'a', 0xff},            // indefinite text
		[]byte{0xc2, 0x41, 0x01},                 // bignum tag
		[]byte{0xf8, 0x01},                       // malformed simple value
		[]byte{0x1c},                             // reserved additional information
		cborMap(cborUint(1), cborUint(1), cborUint(1), cborUint(1), cborUint(2), helloPayload()),        // duplicate key
		cborMap(cborUint(1), cborUint(1), []byte{0x18, 0x01}, cborUint(1), cborUint(2), helloPayload()), // duplicate, non-minimal
		cborMap(cborText("1"), cborUint(1), cborUint(2), helloPayload()),                                // text key for an int key
		uploadFrame(cborMap(cborText("name"), cborText("a"), cborText("name"), cborText("b"))),
		uploadFrame(cborMap(cborText("name"), cborMap(cborUint(1), cborUint(1), cborUint(1), cborUint(2)))),
		uploadFrame(cborMap(cborText("name"), nested(MaxNesting-5, cborUint(1)))),
		uploadFrame(cborMap(cborText("name"), nested(MaxNesting-4, cborUint(1)))),
		uploadFrame(cborMap(cborText("categories"), cborHead(4, MaxArrayElements+1))),
		uploadFrame(cborMap(cborText("name"), []byte{0x62, 0xff, 0xfe})),
		uploadFrame(cborMap(cborText("x"), []byte{0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1})), // NaN payload
		uploadFrame(cborMap()),
		// The same in download frames, which the in-place decoder reads.
		downloadFrame(cborMap(cborText("name"), cborText("a"), cborText("name"), cborText("b"))),
		downloadFrame(cborMap(cborText("name"), cborMap(cborUint(1), cborUint(1), cborUint(1), cborUint(2)))),
		downloadFrame(cborMap(cborText("name"), nested(MaxNesting-6, cborUint(1)))),
		downloadFrame(cborMap(cborText("name"), nested(MaxNesting-5, cborUint(1)))),
		downloadFrame(cborMap(cborText("name"), []byte{0x62, 0xff, 0xfe})),
		cborMap(cborUint(1), cborUint(1), cborUint(2), cborMap(cborUint(3), []byte{0x62, 0xff, 0xfe})),
		cborMap(cborUint(1), cborUint(uint64(MsgError)), cborUint(7), cborMap(cborUint(1), cborText("auth"), cborUint(2), cborText("x"), cborUint(3), []byte{0xf5})),
	)
	return seeds
}

// FuzzDecodeMsg checks what the server and the agent rely on when a frame
// comes off the network: DecodeMsg never panics; it refuses every frame
// over MaxFrameBytes, nested deeper than MaxNesting, with an array over
// MaxArrayElements, a map over MaxMapPairs or a duplicate map key
// (checkWireLimits is the independent oracle); and whatever it accepts
// re-encodes and decodes to an equal message with the same bytes.
func FuzzDecodeMsg(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMsg(data)
		// The in-place decoders of uploads and downloads must agree with
		// the wire decoder on every input.
		want, werr := decodeReflective(data)
		if (err == nil) != (werr == nil) || (err == nil && !msgEqual(m, want)) {
			t.Fatalf("DecodeMsg gives %+v, %v; the wire decoder %+v, %v\n%x", m, err, want, werr, data)
		}
		if err != nil {
			return
		}
		if len(data) > MaxFrameBytes {
			t.Fatalf("accepted a frame of %d bytes", len(data))
		}
		if _, err := checkWireLimits(data); err != nil {
			t.Fatalf("accepted a frame the limits forbid: %v\n%x", err, data)
		}
		// Validation is the next thing the server does with an upload;
		// hostile field values must not crash it either.
		ctx := ValidationContext{Divisions: BuiltinDivisions(), Scope: "5118", Now: now}
		var changes []Change
		if m.Upload != nil {
			changes = m.Upload.Changes
		}
		if m.Download != nil {
			for _, e := range m.Download.Entries {
				changes = append(changes, e.Change)
			}
		}
		for i := range changes {
			_ = ValidateChange(nil, &changes[i], ctx)
		}
		b, err := EncodeMsg(m)
		if err != nil {
			t.Fatalf("accepted message does not re-encode: %v\n%+v", err, m)
		}
		m2, err := DecodeMsg(b)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v\n%x", err, b)
		}
		if !msgEqual(m, m2) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, m2)
		}
		b2, err := EncodeMsg(m2)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("second encoding differs: %v\n%x\n%x", err, b, b2)
		}
	})
}
