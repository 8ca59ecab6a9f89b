package schema

import (
	"encoding/binary"
	"math"
)

// The in-place CBOR reading RecordView is built on. The view* functions
// read one item at the start of their input and return what follows it;
// the *Value functions read a whole field value. All return false for
// anything they do not expect and never read past their input: they run
// on whatever bytes a store hands back.

// viewHeader reads the head of an item of major type mt and returns its
// argument (length or value) and the bytes after the head.
func viewHeader(b []byte, mt byte) (int, []byte, bool) {
	if len(b) == 0 || b[0]>>5 != mt {
		return 0, nil, false
	}
	arg, rest, ok := viewArgument(b)
	if !ok || arg > uint64(len(b)) {
		return 0, nil, false
	}
	return int(arg), rest, true
}

// viewArgument decodes the argument of an item's head; indefinite lengths
// (which deterministic encoding never writes) are refused.
func viewArgument(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	ai := b[0] & 0x1f
	switch {
	case ai < 24:
		return uint64(ai), b[1:], true
	case ai == 24 && len(b) >= 2:
		return uint64(b[1]), b[2:], true
	case ai == 25 && len(b) >= 3:
		return uint64(binary.BigEndian.Uint16(b[1:])), b[3:], true
	case ai == 26 && len(b) >= 5:
		return uint64(binary.BigEndian.Uint32(b[1:])), b[5:], true
	case ai == 27 && len(b) >= 9:
		return binary.BigEndian.Uint64(b[1:]), b[9:], true
	}
	return 0, nil, false
}

// viewSkip returns the bytes after one complete item.
func viewSkip(b []byte, depth int) ([]byte, bool) { return skipItem(b, depth, false) }

// viewText reads a text string in place.
func viewText(b []byte) ([]byte, []byte, bool) {
	n, rest, ok := viewHeader(b, 3)
	if !ok || n > len(rest) {
		return nil, nil, false
	}
	return rest[:n], rest[n:], true
}

// viewUint reads an unsigned integer.
func viewUint(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 || b[0]>>5 != 0 {
		return 0, nil, false
	}
	return viewArgument(b)
}

// textValue decodes a field holding a string; ok is false for anything else.
func textValue(val []byte) ([]byte, bool) {
	s, rest, ok := viewText(val)
	return s, ok && len(rest) == 0
}

// intValue decodes a field holding an integer.
func intValue(val []byte) (int64, bool) {
	if len(val) == 0 {
		return 0, false
	}
	mt := val[0] >> 5
	if mt != 0 && mt != 1 {
		return 0, false
	}
	arg, rest, ok := viewArgument(val)
	if !ok || len(rest) != 0 || arg > math.MaxInt64 {
		return 0, false
	}
	if mt == 1 {
		return -1 - int64(arg), true
	}
	return int64(arg), true
}

// boolValue decodes a field holding true or false.
func boolValue(val []byte) (bool, bool) {
	if len(val) != 1 {
		return false, false
	}
	switch val[0] {
	case 0xf5:
		return true, true
	case 0xf4:
		return false, true
	}
	return false, false
}

// numberValue decodes a field holding a float (half, single or double
// precision, as deterministic encoding picks the shortest) or an integer.
func numberValue(val []byte) (float64, bool) {
	if i, ok := intValue(val); ok {
		return float64(i), true
	}
	switch {
	case len(val) == 3 && val[0] == 0xf9:
		return halfFloat(binary.BigEndian.Uint16(val[1:])), true
	case len(val) == 5 && val[0] == 0xfa:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(val[1:]))), true
	case len(val) == 9 && val[0] == 0xfb:
		return math.Float64frombits(binary.BigEndian.Uint64(val[1:])), true
	}
	return 0, false
}

// halfFloat converts an IEEE 754 half-precision float.
func halfFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

// eachTextValue calls fn with every string of a field holding a list of
// strings; false when the field is not one (fn may have been called for
// some of it).
func eachTextValue(val []byte, fn func([]byte)) bool {
	n, rest, ok := viewHeader(val, 4)
	if !ok {
		return val != nil && len(val) == 1 && val[0] == 0xf6 // null: empty list
	}
	for range n {
		var s []byte
		if s, rest, ok = viewText(rest); !ok {
			return false
		}
		fn(s)
	}
	return len(rest) == 0
}
