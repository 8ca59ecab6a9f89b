package badgerstore

import (
	"encoding/binary"

	"laoxiao/schema"
)

// Key layout. Records are keyed by unit code first, so everything in a
// county is one prefix scan: the report reads a county in a single pass.
//
//	r/<unit>/<kind>/<id>   current record state (schema.Record, CBOR)
//	i/<kind>/<id>          → unit, to find a record from a change that names
//	                         a different unit than it was created under
//	l/<seq:8>              log entry (store.LogEntry): the audit trail
//	x/<code>|<seq:8>       scope index of the log: code is the township a
//	                       change's unit lies in, or the unit itself when it
//	                       is above township level (targets of a county)
//	d/<device id>          device
//	h/<device id>          the device's mark (high-water of its sequence)
//	e/<hash>               one-time enrolment code
//	u/<code>               unit (division)
//	m/head                 sequence of the newest log entry
//	m/incarnation          the store's incarnation id (hex), see Incarnation
//	j/<device id>/<seq:8>  a refusal of one of the device's changes
//	                       (schema.Rejection), repeated in duplicate acks
//	g/<device id>          the device's latest health report (store.Health)
const (
	pRecord = "r/"
	pIndex  = "i/"
	pLog    = "l/"
	pScope  = "x/"
	pDevice = "d/"
	pMark   = "h/"
	pCode   = "e/"
	pUnit   = "u/"
	kHead   = "m/head"
	pRefuse = "j/"
	pHealth = "g/"
)

func recordKey(unit schema.Code, kind schema.Kind, id string) []byte {
	return []byte(pRecord + string(unit) + "/" + string(kind) + "/" + id)
}

func indexKey(kind schema.Kind, id string) []byte {
	return []byte(pIndex + string(kind) + "/" + id)
}

func logKey(seq uint64) []byte {
	k := make([]byte, len(pLog)+8)
	copy(k, pLog)
	binary.BigEndian.PutUint64(k[len(pLog):], seq)
	return k
}

// indexCode is the code under which a change is filed in the scope index.
func indexCode(unit schema.Code) schema.Code {
	if t := unit.Ancestor(schema.LevelTownship); t != "" {
		return t
	}
	return unit
}

func scopePrefix(code schema.Code) []byte { return []byte(pScope + string(code) + "|") }

func scopeKey(code schema.Code, seq uint64) []byte {
	p := scopePrefix(code)
	k := make([]byte, len(p)+8)
	copy(k, p)
	binary.BigEndian.PutUint64(k[len(p):], seq)
	return k
}

func seqOf(key []byte) uint64 { return binary.BigEndian.Uint64(key[len(key)-8:]) }

// refusedPrefix is the prefix of a device's refusals. Device ids never
// contain '/' (enrolment refuses them), so one device's prefix is never
// another's.
func refusedPrefix(device string) []byte { return []byte(pRefuse + device + "/") }

func refusedKey(device string, seq uint64) []byte {
	p := refusedPrefix(device)
	k := make([]byte, len(p)+8)
	copy(k, p)
	binary.BigEndian.PutUint64(k[len(p):], seq)
	return k
}
