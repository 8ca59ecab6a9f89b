package agent

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Records are stored in schema's compact stored form (one copy of each
// distinct version instead of one per field: a third of the bytes), so
// downloads write less and a scan of a large township maps fewer pages
// of the value log. The form leaves out the record's kind, unit and id,
// which its key holds. Records written before are in the compact form
// with them, or in Marshal's form; decodeRecord reads all three, and each
// is rewritten in the current form when it next changes, so an old store
// opens as it is.

// setRecord writes rec under its key in the compact form.
func setRecord(txn *badger.Txn, rec *schema.Record) error {
	return setRecordAs(txn, rec, schema.MarshalStoredRecord(rec))
}

// setRecordAs writes stored, rec's compact form, under rec's key.
func setRecordAs(txn *badger.Txn, rec *schema.Record, stored []byte) error {
	k := recordKey(rec.Kind, rec.Unit, rec.ID)
	if err := txn.Set(k, stored); err != nil {
		return fmt.Errorf("write %s: %w", k, err)
	}
	return nil
}

// getRecord reads the record at k; found is false when absent.
func getRecord(txn *badger.Txn, k []byte) (rec *schema.Record, found bool, err error) {
	raw, err := getRaw(txn, k)
	if err != nil || raw == nil {
		return nil, false, err
	}
	rec, err = decodeRecord(k, raw)
	return rec, err == nil, err
}

// decodeRecord decodes a stored record of any form; k is its key, which
// holds its kind, unit and id.
func decodeRecord(k, raw []byte) (*schema.Record, error) {
	kind, unit, id, ok := splitRecordKey(k)
	if !ok {
		return nil, fmt.Errorf("decode %s: %w", k, errRecordKey)
	}
	var rec schema.Record
	if err := schema.UnmarshalStoredRecord(raw, kind, unit, id, &rec); err != nil {
		return nil, fmt.Errorf("decode %s: %w", k, err)
	}
	return &rec, nil
}

// errRecordKey: a key read as a record's is not laid out as recordKey
// lays one out.
var errRecordKey = errors.New("not a record key")

// splitRecordKey is the inverse of recordKey. Kinds and unit codes hold
// no slash; an id may, so it is all that follows the unit.
func splitRecordKey(k []byte) (kind schema.Kind, unit schema.Code, id string, ok bool) {
	rest, ok := bytes.CutPrefix(k, []byte(prefixRecord))
	if !ok {
		return "", "", "", false
	}
	kindB, rest, ok := bytes.Cut(rest, []byte("/"))
	if !ok {
		return "", "", "", false
	}
	unitB, idB, ok := bytes.Cut(rest, []byte("/"))
	if !ok {
		return "", "", "", false
	}
	return schema.KindNamed(kindB), schema.Code(unitB), string(idB), true
}
