package schema

import (
	"fmt"
	"slices"
)

// The compact stored form of a record, for stores that keep many records
// on a small machine (the agent). Marshal's form gives every field its
// own version, and with it the writing device's 36-character id: a
// record written by one change, as most are, spends two thirds of its
// bytes repeating one version. The compact form keeps each distinct
// version once:
//
//	{4: fields,
//	 6: deleted [stamp, device]       (absent when zero)
//	 7: [[stamp, device], …]          the distinct versions: the one most
//	                                  fields have first, the rest ascending
//	 8: {name: index into 7, …}       versions other than the first, and
//	                                  of names without a field (absent
//	                                  when none)
//	 9: [name, …]}                    fields without a version (absent
//	                                  when none)
//
// Every field not in 8 or 9 has the first version. The record's kind, id
// and unit are not in it: the store keys the record by them and gives
// them to UnmarshalStoredRecord. Records written before held them as keys
// 1–3, and records written before the compact form are in Marshal's form
// (which always has key 5): UnmarshalStoredRecord reads all three.

// MarshalStoredRecord encodes r in the compact stored form.
func MarshalStoredRecord(r *Record) []byte {
	table := versionTable(r)
	var except []string
	var unversioned []string
	for name, v := range r.Versions {
		if _, ok := r.Fields[name]; !ok || v != table[0] {
			except = append(except, name)
		}
	}
	for name := range r.Fields {
		if _, ok := r.Versions[name]; !ok {
			unversioned = append(unversioned, name)
		}
	}
	n := uint64(2)
	for _, present := range []bool{!r.Deleted.IsZero(), len(except) > 0, len(unversioned) > 0} {
		if present {
			n++
		}
	}
	size := 64 + len(r.ID) + len(r.Unit) + len(r.Deleted.Device)
	for k, v := range r.Fields {
		size += len(k) + len(v) + 4
	}
	for _, v := range table {
		size += len(v.Device) + 12
	}
	b := appendHead(make([]byte, 0, size+len(except)*16), 5, n)
	b = appendFields(appendKey(b, 4), r.Fields)
	if !r.Deleted.IsZero() {
		b = appendPair(appendKey(b, 6), r.Deleted)
	}
	b = appendHead(appendKey(b, 7), 4, uint64(len(table)))
	for _, v := range table {
		b = appendPair(b, v)
	}
	if len(except) > 0 {
		b = appendKey(b, 8)
		sortNames(except)
		b = appendHead(b, 5, uint64(len(except)))
		for _, name := range except {
			b = appendHead(appendText(b, name), 0, uint64(slices.Index(table, r.Versions[name])))
		}
	}
	if len(unversioned) > 0 {
		b = appendKey(b, 9)
		sortNames(unversioned)
		b = appendHead(b, 4, uint64(len(unversioned)))
		for _, name := range unversioned {
			b = appendText(b, name)
		}
	}
	return b
}

// MarshalNewRecord is MarshalStoredRecord of the record ch makes from
// nothing (Merge(nil, ch)) when ch sets fields and deletes nothing,
// without building that record: most of a township's first download.
// Trap: for any other change the result is not that record.
func MarshalNewRecord(ch *Change) []byte {
	size := 32 + len(ch.Device)
	for k, v := range ch.Set {
		size += len(k) + len(v) + 4
	}
	b := appendFields(appendKey(appendHead(make([]byte, 0, size), 5, 2), 4), ch.Set)
	return appendNewVersion(b, ch)
}

// MarshalNewEntry is MarshalNewRecord of e's change. When the in-place
// frame decoder read e, it copies the fields as the frame carried them,
// already in the stored order, instead of sorting them again. Trap: it
// trusts that e.Change.Set was not changed since decoding (it checks only
// that the number of fields is the same).
func MarshalNewEntry(e *LogEntry) []byte {
	ch := &e.Change
	if n, _, ok := viewHeader(e.set, 5); !ok || n != len(ch.Set) {
		return MarshalNewRecord(ch)
	}
	b := append(appendKey(appendHead(make([]byte, 0, 32+len(ch.Device)+len(e.set)), 5, 2), 4), e.set...)
	return appendNewVersion(b, ch)
}

// appendNewVersion appends key 7 of the record ch makes from nothing: its
// one version.
func appendNewVersion(b []byte, ch *Change) []byte {
	return appendPair(appendHead(appendKey(b, 7), 4, 1), ch.Version())
}

// versionTable lists r's distinct versions: the one most fields have
// first (the oldest of equals), then the others, oldest first. A record
// without versions has the zero version alone, so the table always has
// a first.
func versionTable(r *Record) []Version {
	type count struct {
		v Version
		n int // fields that have it
	}
	var buf [4]count
	counts := buf[:0]
	for name, v := range r.Versions {
		i := slices.IndexFunc(counts, func(c count) bool { return c.v == v })
		if i < 0 {
			counts = append(counts, count{v: v})
			i = len(counts) - 1
		}
		if _, ok := r.Fields[name]; ok {
			counts[i].n++
		}
	}
	if len(counts) == 0 {
		return []Version{{}}
	}
	slices.SortFunc(counts, func(a, b count) int { return a.v.Compare(b.v) })
	first := 0
	for i, c := range counts {
		if c.n > counts[first].n {
			first = i
		}
	}
	table := append(make([]Version, 0, len(counts)), counts[first].v)
	for i, c := range counts {
		if i != first {
			table = append(table, c.v)
		}
	}
	return table
}

// appendPair appends a version as the array [stamp, device].
func appendPair(b []byte, v Version) []byte {
	b = appendHead(append(b, 0x82), 0, uint64(v.Stamp))
	return appendText(b, v.Device)
}

// viewPair reads a version written by appendPair.
func viewPair(b []byte) (Version, []byte, bool) {
	var v Version
	n, rest, ok := viewHeader(b, 4)
	if !ok || n != 2 {
		return v, nil, false
	}
	var s uint64
	if s, rest, ok = viewUint(rest); !ok {
		return v, nil, false
	}
	v.Stamp = Stamp(s)
	v.Device, rest, ok = viewString(rest)
	return v, rest, ok
}

// UnmarshalStoredRecord decodes a record stored under kind, unit and id
// (the store's key for it) in the compact stored form, or in either form
// written before (see above). A record that holds its own kind, id and
// unit keeps those. Field values are copied: data may be a store's
// buffer.
func UnmarshalStoredRecord(data []byte, kind Kind, unit Code, id string, r *Record) error {
	if rec, ok := viewStoredRecord(data); ok {
		if rec.Kind == "" && rec.ID == "" && rec.Unit == "" {
			rec.Kind, rec.ID, rec.Unit = kind, id, unit
		}
		*r = rec
		return nil
	}
	*r = Record{}
	if err := UnmarshalStored(data, r); err != nil {
		return fmt.Errorf("decode stored record: %w", err)
	}
	return nil
}

// viewStoredRecord decodes the compact form, with or without keys 1–3
// (the record's kind, id and unit, which it leaves empty when absent); ok
// is false for anything else, Marshal's form included.
func viewStoredRecord(b []byte) (Record, bool) {
	var r Record
	var table []Version
	var except map[string]uint64
	var unversioned []string
	identity := 0 // of keys 1–3, how many it holds
	rest, ok := viewKeys(b, 9, func(key uint64, val []byte) (rest []byte, ok bool) {
		switch key {
		case 1, 2, 3:
			identity++
			rest, ok = viewIdentity(key, val, &r.Kind, &r.ID, &r.Unit)
		case 4:
			r.Fields, rest, ok = viewFields(val)
		case 6:
			r.Deleted, rest, ok = viewPair(val)
		case 7:
			var n int
			if n, rest, ok = viewHeader(val, 4); !ok || n == 0 || n > storedMaxPairs {
				return nil, false
			}
			table = make([]Version, n)
			for i := range table {
				if table[i], rest, ok = viewPair(rest); !ok {
					return nil, false
				}
			}
		case 8:
			except = map[string]uint64{}
			_, rest, ok = viewNames(val, func(name string, val []byte) ([]byte, bool) {
				i, rest, ok := viewUint(val)
				except[name] = i
				return rest, ok && i < uint64(len(table))
			})
		case 9:
			var n int
			if n, rest, ok = viewHeader(val, 4); !ok || n > storedMaxPairs {
				return nil, false
			}
			unversioned = make([]string, n)
			for i := range unversioned {
				if unversioned[i], rest, ok = viewString(rest); !ok {
					return nil, false
				}
			}
		}
		return rest, ok
	})
	if !ok || len(rest) != 0 || table == nil || r.Fields == nil || (identity != 0 && identity != 3) {
		return Record{}, false
	}
	r.Versions = make(map[string]Version, len(r.Fields)+len(except))
	for name := range r.Fields {
		r.Versions[name] = table[0]
	}
	for _, name := range unversioned {
		delete(r.Versions, name)
	}
	for name, i := range except {
		r.Versions[name] = table[i]
	}
	return r, true
}
