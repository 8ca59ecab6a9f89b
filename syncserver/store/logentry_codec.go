package store

import (
	"fmt"

	"laoxiao/schema"
)

// MarshalCBOR encodes the entry exactly as the reflective encoder would
// from the struct tags (logentry_codec_test compares the two), without
// reflection: the server writes one entry per accepted change, and
// encoding them was a large part of a commit's time. Decoding still goes
// by the tags.
func (e LogEntry) MarshalCBOR() ([]byte, error) {
	t, err := schema.Marshal(e.Received)
	if err != nil {
		return nil, fmt.Errorf("encode log entry %d: %w", e.Seq, err)
	}
	b := make([]byte, 0, schema.ChangeSize(&e.Change)+len(e.Account)+len(t)+48)
	b = append(b, 0xa4, 1)
	b = schema.AppendUint(b, e.Seq)
	b = schema.AppendChange(append(b, 2), &e.Change)
	b = schema.AppendText(append(b, 3), e.Account)
	return append(append(b, 4), t...), nil
}
