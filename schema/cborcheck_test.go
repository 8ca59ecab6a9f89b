package schema

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// This file holds a small CBOR walker written independently of the codec,
// used as the oracle of the wire tests and the fuzzer: whatever DecodeMsg
// accepts must pass it.

// cborHead encodes a head: major type and argument in shortest form.
func cborHead(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= 0xff:
		return []byte{m | 24, byte(n)}
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16([]byte{m | 25}, uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32([]byte{m | 26}, uint32(n))
	}
	return binary.BigEndian.AppendUint64([]byte{m | 27}, n)
}

func cborText(s string) []byte { return append(cborHead(3, uint64(len(s))), s...) }

// cborMap builds a map from already encoded keys and values in the order
// given, duplicates included: that is the point.
func cborMap(kv ...[]byte) []byte {
	out := cborHead(5, uint64(len(kv)/2))
	for _, b := range kv {
		out = append(out, b...)
	}
	return out
}

func cborArray(items ...[]byte) []byte {
	out := cborHead(4, uint64(len(items)))
	for _, b := range items {
		out = append(out, b...)
	}
	return out
}

func cborUint(n uint64) []byte { return cborHead(0, n) }

// limitViolation describes why the wire limits forbid a frame.
type walker struct {
	data     []byte
	off      int
	maxDepth int
}

var errTruncated = errors.New("truncated")

func (w *walker) head() (major byte, ai byte, val uint64, err error) {
	if w.off >= len(w.data) {
		return 0, 0, 0, errTruncated
	}
	b := w.data[w.off]
	w.off++
	major, ai = b>>5, b&0x1f
	switch {
	case ai < 24:
		return major, ai, uint64(ai), nil
	case ai <= 27:
		n := 1 << (ai - 24)
		if w.off+n > len(w.data) {
			return 0, 0, 0, errTruncated
		}
		for i := 0; i < n; i++ {
			val = val<<8 | uint64(w.data[w.off+i])
		}
		w.off += n
		return major, ai, val, nil
	case ai == 31:
		return major, ai, 0, fmt.Errorf("indefinite length (major %d)", major)
	}
	return 0, 0, 0, fmt.Errorf("reserved additional information %d", ai)
}

// item walks one data item at nesting depth depth and returns its bytes.
func (w *walker) item(depth int) ([]byte, error) {
	start := w.off
	major, ai, val, err := w.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0, 1:
	case 2, 3:
		if val > uint64(len(w.data)-w.off) {
			return nil, errTruncated
		}
		w.off += int(val)
	case 4:
		depth++
		w.maxDepth = max(w.maxDepth, depth)
		if val > MaxArrayElements {
			return nil, fmt.Errorf("array of %d elements", val)
		}
		for i := uint64(0); i < val; i++ {
			if _, err := w.item(depth); err != nil {
				return nil, err
			}
		}
	case 5:
		depth++
		w.maxDepth = max(w.maxDepth, depth)
		if val > MaxMapPairs {
			return nil, fmt.Errorf("map of %d pairs", val)
		}
		keys := map[string]bool{}
		for i := uint64(0); i < val; i++ {
			k, err := w.item(depth)
			if err != nil {
				return nil, err
			}
			ck := canonicalKey(k)
			if keys[ck] {
				return nil, fmt.Errorf("duplicate map key %x", k)
			}
			keys[ck] = true
			if _, err := w.item(depth); err != nil {
				return nil, err
			}
		}
	case 6:
		return nil, fmt.Errorf("tag %d", val)
	case 7:
		if ai == 24 && val < 32 {
			return nil, fmt.Errorf("malformed simple value %d", val)
		}
	}
	return w.data[start:w.off], nil
}

// canonicalKey gives equal keys equal strings however they were encoded
// (1 and 0x1801 are the same key).
func canonicalKey(k []byte) string {
	var v any
	if err := cbor.Unmarshal(k, &v); err == nil {
		if b, err := encMode.Marshal(v); err == nil {
			return string(b)
		}
	}
	return "raw:" + string(k)
}

// checkWireLimits walks data and reports the first thing the wire limits
// forbid, or nil. It also returns the nesting depth.
func checkWireLimits(data []byte) (int, error) {
	if len(data) > MaxFrameBytes {
		return 0, fmt.Errorf("%d bytes", len(data))
	}
	w := &walker{data: data}
	if _, err := w.item(0); err != nil {
		return w.maxDepth, err
	}
	if w.off != len(data) {
		return w.maxDepth, fmt.Errorf("%d trailing bytes", len(data)-w.off)
	}
	if w.maxDepth > MaxNesting {
		return w.maxDepth, fmt.Errorf("nesting %d", w.maxDepth)
	}
	return w.maxDepth, nil
}
