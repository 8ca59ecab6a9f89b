package schema

// The field readers below read a FieldIter's Value. They take the fast
// path for the deterministic encoding validation enforces, and fall back
// to the general decoder for anything else a store may hold from before,
// so an odd record is read correctly, only slower. A value of the wrong
// type reads as zero, as it would when decoding the typed record.

// FieldText reads a text field. The bytes point into val when they can
// (valid as long as val is); nil for anything but text.
func FieldText(val []byte) []byte {
	if s, ok := textValue(val); ok {
		return s
	}
	var s string
	if UnmarshalStored(val, &s) != nil {
		return nil
	}
	return []byte(s)
}

// FieldInt reads an integer field; 0 for anything but an integer.
func FieldInt(val []byte) int64 {
	if n, ok := intValue(val); ok {
		return n
	}
	var n int64
	if UnmarshalStored(val, &n) != nil {
		return 0
	}
	return n
}

// FieldBool reads a true-or-false field; false for anything else.
func FieldBool(val []byte) bool {
	if b, ok := boolValue(val); ok {
		return b
	}
	var b bool
	if UnmarshalStored(val, &b) != nil {
		return false
	}
	return b
}

// FieldNumber reads a number field (a float in any precision, or an
// integer); 0 for anything else.
func FieldNumber(val []byte) float64 {
	if f, ok := numberValue(val); ok {
		return f
	}
	var f float64
	if UnmarshalStored(val, &f) != nil {
		return 0
	}
	return f
}

// EachFieldText calls fn with every string of a list-of-text field, in
// order. Trap: fn may be called again for the same strings, since a list
// the fast path gives up on halfway is read again by the general decoder;
// fn must be idempotent (set a flag, not count). The bytes are valid only
// during the call.
func EachFieldText(val []byte, fn func([]byte)) {
	if eachTextValue(val, fn) {
		return
	}
	var ss []string
	if UnmarshalStored(val, &ss) != nil {
		return
	}
	for _, s := range ss {
		fn([]byte(s))
	}
}
