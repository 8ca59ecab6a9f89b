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
	ch, rest, ok := viewChangeAs(raw, changeView{head: true})
	return ch, ok && len(rest) == 0
}

// HeadReader reads the change heads of a log's entries one after
// another, keeping one copy of each unit code and device id it meets: a
// walk of a township's log meets the same few again and again, so a head
// costs one allocation, its id, where it cost four. The zero value is
// ready. Not for concurrent use.
type HeadReader struct{ seen map[string]string }

// EntryChange reads the change at key of the map entry (a log entry as a
// store encodes it) in place: its bytes, a part of entry, and its head as
// ChangeHead reads it, in one walk, where MapValue and then ChangeHead
// walked the change twice. ok is false when entry is no such map or the
// change not in the encoders' shape; the caller then decodes it whole.
func (h *HeadReader) EntryChange(entry []byte, key uint64) (change []byte, head Change, ok bool) {
	if h.seen == nil {
		h.seen = map[string]string{}
	}
	n, rest, ok := viewHeader(entry, 5)
	for ; ok && n > 0; n-- {
		var k uint64
		if k, rest, ok = viewUint(rest); !ok {
			break
		}
		if k == key {
			head, after, ok := viewChangeAs(rest, changeView{head: true, texts: texts{seen: h.seen}})
			if !ok {
				return nil, Change{}, false
			}
			return rest[:len(rest)-len(after)], head, true
		}
		rest, ok = viewSkip(rest, 1)
	}
	return nil, Change{}, false
}
