package schema

import "bytes"

// viewDownloadMsg decodes a download frame in the shape appendMsg writes
// it, in place, checking what the wire decoder checks (UnmarshalWire)
// and what checkFieldValues checks:
// keys in increasing order (so none twice), no unknown keys, valid UTF-8,
// no tags or indefinite lengths, the array, map and nesting limits. ok is
// false for anything else, and DecodeMsg then decodes the frame with the
// wire decoder, which accepts every valid shape and says what is wrong.
// A page of a thousand changes took the reflective decoder most of what
// a download cost the device.
//
// The message shares data's memory: its strings and field values are
// data's bytes, not copies (a page's changes took five allocations each
// to copy them out). Trap: data belongs to the message from then on and
// must never be changed; DecodeMsg hands it a copy of its caller's.
func viewDownloadMsg(data []byte) (*Msg, bool) {
	m := &Msg{Download: new(Download)}
	return m, viewFrame(data, m, MsgDownload, 6, func(val []byte) ([]byte, bool) { return viewDownload(val, m.Download) })
}

// viewUploadMsg decodes an upload frame in the shape appendMsg writes it,
// in place and with the checks of viewDownloadMsg; ok false sends
// DecodeMsg to the wire decoder. Unlike a download's, an upload's
// strings and field values are copies (a device's unit and device once
// per frame): the server keeps the changes in its writer's groups after
// the frame is gone, and values pointing into it would keep whole frames
// alive. Decoding uploads by reflection was the largest part of what the
// server's reading of a batch cost.
func viewUploadMsg(data []byte) (*Msg, bool) {
	m := &Msg{Upload: new(Upload)}
	return m, viewFrame(data, m, MsgUpload, 4, func(val []byte) ([]byte, bool) { return viewUpload(val, m.Upload) })
}

// viewFrame reads a frame {1: mt, key: payload} into m's type, and its
// payload with payload; false if it is anything else.
func viewFrame(data []byte, m *Msg, mt MsgType, key uint64, payload func([]byte) ([]byte, bool)) bool {
	seen := false
	rest, ok := viewKeys(data, 2, func(k uint64, val []byte) (rest []byte, ok bool) {
		switch k {
		case 1:
			var t uint64
			t, rest, ok = viewUint(val)
			m.Type = MsgType(t)
			ok = ok && t == uint64(mt)
		case key:
			seen = true
			rest, ok = payload(val)
		}
		return rest, ok
	})
	return ok && len(rest) == 0 && seen
}

// viewInPlace decodes the frames sync sends by the thousand, uploads and
// downloads, with their in-place decoders; ok false for any other frame
// and for what those decoders leave to the wire decoder. A download's
// message shares its frame's memory, so unless owned says nothing else
// holds data, it is given a copy.
func viewInPlace(data []byte, owned bool) (*Msg, bool) {
	switch {
	case len(data) > MaxFrameBytes:
		return nil, false
	case framed(data, MsgDownload, 6):
		if !owned {
			data = bytes.Clone(data)
		}
		return viewDownloadMsg(data)
	case framed(data, MsgUpload, 4):
		return viewUploadMsg(data)
	}
	return nil, false
}

// framed reports whether data starts as appendMsg starts a frame of type
// mt with its payload under key, so that DecodeMsg tries the in-place
// decoder (and copies a download for it) only for what it will probably
// take.
func framed(data []byte, mt MsgType, key byte) bool {
	return len(data) > 3 && data[0] == 0xa2 && data[1] == 0x01 && data[2] == byte(mt) && data[3] == key
}

func viewUpload(b []byte, up *Upload) ([]byte, bool) {
	t := texts{seen: map[string]string{}}
	return viewKeys(b, 3, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1:
			up.Batch, rest, ok = viewUint(val)
		case 2:
			up.First, rest, ok = viewUint(val)
		case 3:
			var n int
			n, rest, ok = viewHeader(val, 4)
			if !ok || n > MaxArrayElements {
				return nil, false
			}
			up.Changes = make([]Change, n)
			for i := range up.Changes {
				ch := &up.Changes[i]
				if *ch, rest, ok = viewChangeAs(rest, changeView{texts: t, value: uploadWireValue}); !ok || len(ch.Set) > MaxMapPairs {
					return nil, false
				}
			}
		}
		return rest, ok
	})
}

// The nesting level of a field value in a frame: in a download, the
// frame, the download, its entries, an entry, its change and the
// change's fields hold it; in an upload, the frame, the upload, its
// changes, a change and its fields.
const (
	wireFieldDepth   = 7
	uploadFieldDepth = 6
)

func viewDownload(b []byte, d *Download) ([]byte, bool) {
	return viewKeys(b, 3, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1:
			var n int
			n, rest, ok = viewHeader(val, 4)
			if !ok || n > MaxArrayElements {
				return nil, false
			}
			d.Entries = make([]LogEntry, n)
			for i := range d.Entries {
				if rest, ok = viewWireEntry(rest, &d.Entries[i]); !ok {
					return nil, false
				}
			}
		case 2:
			d.Cursor, rest, ok = viewUint(val)
		case 3:
			ok = len(val) > 0 && (val[0] == 0xf4 || val[0] == 0xf5)
			if ok {
				d.CaughtUp, rest = val[0] == 0xf5, val[1:]
			}
		}
		return rest, ok
	})
}

func viewWireEntry(b []byte, e *LogEntry) ([]byte, bool) {
	return viewKeys(b, 2, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1:
			e.Seq, rest, ok = viewUint(val)
		case 2:
			e.Change, rest, ok = viewChangeAs(val, changeView{texts: texts{shared: true}, set: &e.set, value: wireValue})
			ok = ok && len(e.Change.Set) <= MaxMapPairs
		}
		return rest, ok
	})
}

// wireValue holds a field value, read by the stored-data rules, to the
// wire's, as the wire decoder and then checkFieldValues would: lists and
// maps nested no deeper than MaxNesting counts from the frame's top, and
// what checkFieldValues checks inside. Checking each value as it is read
// spares DecodeMsg two more walks of every change's fields map.
func wireValue(v []byte) bool { return wireValueAt(v, wireFieldDepth) }

// uploadWireValue is wireValue for a field value of an upload frame.
func uploadWireValue(v []byte) bool { return wireValueAt(v, uploadFieldDepth) }

func wireValueAt(v []byte, depth int) bool {
	if len(v) > 0 && v[0]>>5 >= 4 && v[0]>>5 <= 6 {
		if _, ok := skipItem(v, depth, true); !ok {
			return false
		}
	}
	return checkWireValue(v) == nil
}
