// Package schema is the vocabulary the agent, the sync server and the
// desktop share, and the only thing they share: agent and syncserver never
// import each other. It holds what a record is, who may write it and how
// edits merge, how it is encoded on disk and on the wire, and the
// indicators computed from records. Beyond the standard library it
// imports only CBOR, uuid (record ids) and, for frame.go, the websocket
// package, so every side can link it.
//
// Where to find what, file by file:
//
// Records and their rules
//   - records.go: the record kinds and their typed values (Facility,
//     Capacity, Person, Visit, Population, Reported, Target), their enums
//     with Chinese labels, derived ids (CapacityID, PopulationID, …), and
//     NewValue/KindOf between kinds and types.
//   - lock.go: review locks and unlocks (审核锁定): what a lock covers per
//     kind, LockSet, and the refusal a locked period gives.
//   - validate.go: ValidateRecord and ValidateChange, every rule a record
//     or change must pass, reported all at once in English and Chinese.
//   - fieldlabels.go: every field's name in both languages (FieldLabel),
//     for messages and forms.
//   - idnumber.go: resident ID numbers (GB 11643) and their check digit.
//   - chinatime.go: China time (ChinaTime, Today, ThisMonth), the zone
//     every date and month in a record is in.
//
// Changes and merge
//   - change.go: Fields, Change, Record and Version, and Merge: per-field
//     last writer wins by (stamp, device), deletes as tombstones.
//   - clock.go: the hybrid logical clock (Stamp, Clock).
//
// Units
//   - division.go: division codes (Code) and their levels.
//   - divisions.go: the registry of units (Divisions), read from CSV, and
//     BuiltinDivisions, the 雅安 units every binary carries.
//
// Encoding
//   - codec.go: deterministic CBOR (Marshal) and the decoders with the
//     wire's limits (UnmarshalWire) and a store's (UnmarshalStored).
//   - recordview.go, cborview.go, fieldvalue.go: RecordView, reading a
//     stored record's bytes in place for reports that scan millions, and
//     the readers of its field values.
//   - wire.go: the sync protocol's messages (Msg, Hello, Upload, …) and
//     their versions; frame.go puts them on a websocket with deadlines.
//
// Indicators
//   - catalogue.go: the indicator catalogue and the plans' baselines and
//     targets, loaded from indicators/*.csv (data, not code).
//   - measure.go: the aggregates the indicator engine computes.
//
// Tests worth knowing: merge_test.go property-tests that merge ignores
// order and duplicates; wire_fuzz_test.go fuzzes DecodeMsg against an
// independent CBOR walker (cborcheck_test.go); recordview_fuzz_test.go
// fuzzes RecordView against the full decoder.
package schema
