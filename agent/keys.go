package agent

import (
	"encoding/binary"
	"fmt"
	"strings"

	"laoxiao/schema"
)

// Key layout. Every key the store writes is built in this file, so the
// layout can be read (and changed) in one place.
//
//	r/<kind>/<unit>/<id>      the merged schema.Record (CBOR). Kind first, then
//	                          the unit code, so "records of a kind under a unit"
//	                          is one prefix scan: unit codes nest as prefixes
//	                          (511802 is a prefix of every township and village
//	                          in county 511802). The id comes last, so an id
//	                          containing '/' can never shift the other parts.
//	i/<kind>/<id>             → unit code. Finds a record from its id alone.
//	                          Capacity ids embed facility and period
//	                          (cap:<facility>:<YYYY-MM>), so a facility's reports
//	                          are a prefix here, ordered by period.
//	v/<person>/<visit>        → empty. Visits of a person. A person id holding
//	                          '/' could make this prefix match another person's
//	                          visits, so readers check the visit's person field.
//	o/<seq, 8 bytes BE>       an outbox schema.Change not yet acked by the
//	                          server. Big-endian so key order is seq order.
//	p/<seq, 8 bytes BE>       a parked change the server refused (Parked, CBOR).
//	k/<seq, 8 bytes BE>       a change the server acked, kept for the retention
//	                          window: the ack time (unix ms, 8 bytes BE) then
//	                          the change as the outbox held it (kept.go).
//	m/<name>                  meta: device id, last seq, clock, cursor, scope…
//
// Meta values are CBOR (numbers and small structs) except strings, which are
// stored raw so they can be read in a hex dump when debugging a site.
const (
	prefixRecord = "r/"
	prefixIndex  = "i/"
	prefixVisits = "v/"
	prefixOutbox = "o/"
	prefixParked = "p/"
	prefixKept   = "k/"
	prefixMeta   = "m/"
)

// Meta keys.
var (
	metaDevice     = []byte("m/device")      // string: this device's id
	metaSeq        = []byte("m/seq")         // uint64: last sequence number issued
	metaAcked      = []byte("m/acked")       // uint64: server's durable high-water mark
	metaAckedStamp = []byte("m/acked-stamp") // Stamp: greatest stamp of a released change
	metaClock      = []byte("m/clock")       // Stamp: greatest stamp issued or observed
	metaObserved   = []byte("m/observed")    // Stamp: greatest stamp seen from other devices
	metaOffset     = []byte("m/offset")      // int64 ns: clock correction learned at sync
	metaPrevOffset = []byte("m/prev-offset") // int64 ns: the correction before the last change of it
	metaOffsetAt   = []byte("m/offset-at")   // Stamp: the clock's last stamp when the correction changed
	metaCursor     = []byte("m/cursor")      // uint64: server log sequence applied
	metaScope      = []byte("m/scope")       // string: the unit the device may write
	metaEnroll     = []byte("m/enrollment")  // Enrollment (CBOR)
	metaLastSync   = []byte("m/last-sync")   // SyncResult (CBOR)
	metaIncarn     = []byte("m/incarnation") // string: the server store's incarnation at the last sync
	metaRefilling  = []byte("m/refilling")   // uint64: the restored server's mark while a Refill runs
	metaRefill     = []byte("m/refill")      // Refill (CBOR): the last refill of a restored server
	metaPruned     = []byte("m/pruned")      // uint64: greatest seq of a kept change pruned
	metaRestamping = []byte("m/restamping")  // restamping (CBOR): a Restamp in progress
	metaRestampDue = []byte("m/restamp-due") // uint 1: the correction jumped forward and no Restamp followed yet
)

func recordKey(kind schema.Kind, unit schema.Code, id string) []byte {
	return []byte(prefixRecord + string(kind) + "/" + string(unit) + "/" + id)
}

// recordPrefix is the prefix of every record of kind under unit; unit ""
// gives every record of the kind.
func recordPrefix(kind schema.Kind, unit schema.Code) []byte {
	if unit == "" {
		return []byte(prefixRecord + string(kind) + "/")
	}
	// No trailing slash: unit codes nest, so 511802 must also match the
	// keys of its townships, r/<kind>/511802001/....
	return []byte(prefixRecord + string(kind) + "/" + string(unit))
}

func indexKey(kind schema.Kind, id string) []byte {
	return []byte(prefixIndex + string(kind) + "/" + id)
}

func indexPrefix(kind schema.Kind, idPrefix string) []byte {
	return []byte(prefixIndex + string(kind) + "/" + idPrefix)
}

// idFromIndexKey returns the id part of an i/<kind>/<id> key.
func idFromIndexKey(kind schema.Kind, k []byte) string {
	return string(k[len(prefixIndex)+len(kind)+1:])
}

func visitKey(person, visit string) []byte {
	return []byte(prefixVisits + person + "/" + visit)
}

func visitPrefix(person string) []byte {
	return []byte(prefixVisits + person + "/")
}

func seqKey(prefix string, seq uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], seq)
	return k
}

func outboxKey(seq uint64) []byte { return seqKey(prefixOutbox, seq) }
func parkedKey(seq uint64) []byte { return seqKey(prefixParked, seq) }
func keptKey(seq uint64) []byte   { return seqKey(prefixKept, seq) }

// seqFromKey decodes the sequence number of an o/, p/ or k/ key.
func seqFromKey(k []byte) (uint64, error) {
	if len(k) != 10 {
		return 0, fmt.Errorf("malformed sequence key %q", k)
	}
	return binary.BigEndian.Uint64(k[2:]), nil
}

// checkID refuses ids that would make keys ambiguous or unreadable. Ids made
// by schema.NewID and the schema's derived ids always pass.
func checkID(id string) error {
	if id == "" {
		return fmt.Errorf("empty record id")
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("record id of %d bytes exceeds %d", len(id), maxIDLen)
	}
	if strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("record id %q holds control characters", id)
	}
	return nil
}

// maxIDLen bounds ids so keys stay small. It matches the schema's limit,
// so anything the server accepted fits.
const maxIDLen = 128
