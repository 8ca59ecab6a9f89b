package store

import (
	"time"

	"laoxiao/schema"
)

// MarshalCBOR encodes the entry exactly as the reflective encoder would
// from the struct tags (logentry_codec_test compares the two), without
// reflection: the server writes one entry per accepted change, and
// encoding them was a large part of a commit's time. Decoding still goes
// by the tags.
func (e LogEntry) MarshalCBOR() ([]byte, error) {
	b := make([]byte, 0, schema.ChangeSize(&e.Change)+len(e.Account)+64)
	b = append(b, 0xa4, 1)
	b = schema.AppendUint(b, e.Seq)
	b = schema.AppendChange(append(b, 2), &e.Change)
	b = schema.AppendText(append(b, 3), e.Account)
	return appendUnixTime(append(b, 4), e.Received), nil
}

// appendUnixTime encodes t as the reflective encoder does under the
// schema's options: null for the zero time, else whole seconds since
// 1970 (Unix, which rounds down) as a CBOR integer.
func appendUnixTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0xf6)
	}
	return schema.AppendInt(b, t.Unix())
}
