package benchcity

import (
	"context"
	"fmt"
	"sync"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// benchWriter commits generated records in large groups from a few
// goroutines. Encoding a record costs about as much as Badger's write, so
// two writers keep both cores busy; groups do not read, so they never
// conflict.
type benchWriter struct {
	st      store.Store
	ctx     context.Context
	pending []*schema.Record
	groups  chan []*schema.Record
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
	written int
}

// benchGroup is sized well under Badger's transaction limit (a fraction
// of its 64 MB memtable) for records of a few hundred bytes.
const benchGroup = 8000

func newBenchWriter(ctx context.Context, st store.Store, workers int) *benchWriter {
	w := &benchWriter{st: st, ctx: ctx, groups: make(chan []*schema.Record, workers)}
	for range workers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for g := range w.groups {
				if err := st.Commit(ctx, &store.Group{Records: g}); err != nil {
					w.mu.Lock()
					if w.err == nil {
						w.err = fmt.Errorf("commit %d generated records: %w", len(g), err)
					}
					w.mu.Unlock()
				}
			}
		}()
	}
	return w
}

func (w *benchWriter) add(r *schema.Record) {
	w.pending = append(w.pending, r)
	w.written++
	if len(w.pending) >= benchGroup {
		w.groups <- w.pending
		w.pending = make([]*schema.Record, 0, benchGroup)
	}
}

func (w *benchWriter) close() error {
	if len(w.pending) > 0 {
		w.groups <- w.pending
	}
	close(w.groups)
	w.wg.Wait()
	return w.err
}

// fieldCache keeps the CBOR encoding of values that repeat (kinds, dates,
// categories), so generating a million visits does not encode "monthly" a
// million times.
type fieldCache map[any][]byte

func (fc fieldCache) enc(v any) []byte {
	if b, ok := fc[v]; ok {
		return b
	}
	b := schema.MustMarshal(v)
	fc[v] = b
	return b
}

// benchRecord makes a record whose every field was written by one version.
// Records of a kind share their Versions map: the store only reads it.
func benchRecord(kind schema.Kind, id string, unit schema.Code, f schema.Fields, versions map[string]schema.Version) *schema.Record {
	return &schema.Record{Kind: kind, ID: id, Unit: unit, Fields: f, Versions: versions}
}

func benchVersions(names ...string) map[string]schema.Version {
	v := schema.Version{Stamp: schema.MakeStamp(time.Date(Year, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli(), 0), Device: "bench"}
	m := make(map[string]schema.Version, len(names))
	for _, n := range names {
		m[n] = v
	}
	return m
}

// benchID makes a 36-character id shaped like the UUIDv7 a device makes,
// so keys and records have their real sizes, but deterministic.
func benchID(kind byte, n int) string {
	return fmt.Sprintf("%08x-%04x-7000-8000-%012x", 0x01900000+n/65536, n%65536, int(kind)<<32|n)
}

// catEnc is fieldCache.enc for a list of categories, which cannot be a
// map key itself.
func catEnc(fc fieldCache, cats []schema.PersonCategory) []byte {
	key := fmt.Sprint("cats", cats)
	if b, ok := fc[key]; ok {
		return b
	}
	b := schema.MustMarshal(cats)
	fc[key] = b
	return b
}
