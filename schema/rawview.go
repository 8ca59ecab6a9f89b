package schema

// In-place readers for code outside this package that passes encoded
// changes along without decoding their fields: the server's download
// stream reads each change's head to decide who sees it and sends the
// stored bytes as they are.

// MapValue returns the encoded value at integer key in the CBOR map at
// the start of raw, in place (it aliases raw). ok is false when raw does
// not start with a map keyed by unsigned integers, or the key is absent.
func MapValue(raw []byte, key uint64) (val []byte, ok bool) {
	n, rest, ok := viewHeader(raw, 5)
	for ; ok && n > 0; n-- {
		var k uint64
		if k, rest, ok = viewUint(rest); !ok {
			return nil, false
		}
		after, ok := viewSkip(rest, 1)
		if !ok {
			return nil, false
		}
		if k == key {
			return rest[:len(rest)-len(after)], true
		}
		rest = after
	}
	return nil, false
}

// ChangeHead reads an encoded change (Marshal of a *Change) without its
// fields: the result holds every key but Set, which stays nil. ok is
// false for anything that is not a change in the encoders' shape; the
// caller then decodes it whole.
func ChangeHead(raw []byte) (Change, bool) {
	ch, rest, ok := viewChangeFields(raw, false, false, nil)
	return ch, ok && len(rest) == 0
}
