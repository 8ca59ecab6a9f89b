package store

import (
	"context"

	"laoxiao/schema"
)

// RawLogReader is an optional Store capability: LogAfter without decoding
// the changes' fields. A download sends each change as the log stores it
// (schema.LogEntry.Raw), so decoding every change only to encode it again
// was most of what a download cost the server. The session uses it when
// the backend offers it and LogAfter otherwise.
type RawLogReader interface {
	// LogAfterRaw is LogAfter, except that the entry visible gets holds
	// only Seq and the change's head (schema.ChangeHead: everything but
	// its fields, and no Account or Received), and fn gets the seq and
	// the change's stored encoding, valid only during the call. Trap:
	// the entry too is valid only during the call to visible (a backend
	// may reuse it for the next); what visible keeps, it copies out.
	LogAfterRaw(ctx context.Context, scope schema.Code, exclude string, after uint64, limit int, visible func(*LogEntry) bool, fn func(seq uint64, change []byte) error) (uint64, error)
}
