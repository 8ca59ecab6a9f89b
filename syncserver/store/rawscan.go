package store

import (
	"context"

	"laoxiao/schema"
)

// RawRecordScanner is an optional Store capability: iterating records in
// their stored encoding (schema.Marshal of a *schema.Record) without
// decoding them. Decoding every record into maps costs several times what
// reading it does, and a report that reads a whole city needs only a few
// fields of each; readers that can parse the encoding themselves (the
// indicator engine) use this when the backend offers it and fall back to
// ScanRecords otherwise.
type RawRecordScanner interface {
	// ScanRecordsRaw calls fn with the stored bytes of every record
	// (deleted ones included) whose unit lies within prefix, ordered by
	// unit, like ScanRecords. The bytes are valid only during the call.
	ScanRecordsRaw(ctx context.Context, prefix schema.Code, fn func(raw []byte) error) error
}
