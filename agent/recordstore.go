package agent

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"laoxiao/schema"
)

// Records are stored in schema's compact stored form (one copy of each
// distinct version instead of one per field: a third of the bytes), so
// downloads write less and a scan of a large township maps fewer pages
// of the value log. Records written before it are in Marshal's form;
// decodeRecord reads both, and each is rewritten compact when it next
// changes, so an old store opens as it is.

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

// decodeRecord decodes a stored record of either form.
func decodeRecord(k, raw []byte) (*schema.Record, error) {
	var rec schema.Record
	if err := schema.UnmarshalStoredRecord(raw, &rec); err != nil {
		return nil, fmt.Errorf("decode %s: %w", k, err)
	}
	return &rec, nil
}
