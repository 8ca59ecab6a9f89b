package indicators

import (
	"context"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

// fixture writes records into a real Badger store the way the server's
// writer does: each edit is a change merged into the current record, and
// the merged records are committed in one group.
type fixture struct {
	t     *testing.T
	st    *badgerstore.DB
	recs  map[schema.Key]*schema.Record
	order []schema.Key
	stamp schema.Stamp
	seq   uint64
	marks map[string]store.Mark
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{t: t, st: st, recs: map[schema.Key]*schema.Record{}, marks: map[string]store.Mark{},
		stamp: schema.MakeStamp(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0)}
}

func (f *fixture) change(ch *schema.Change) {
	f.t.Helper()
	f.stamp++
	f.seq++
	ch.Stamp, ch.Device, ch.Seq = f.stamp, "fixture", f.seq
	k := ch.Key()
	merged, _, err := schema.Merge(f.recs[k], ch)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.recs[k] == nil {
		f.order = append(f.order, k)
	}
	f.recs[k] = merged
}

// put creates or edits a record from its typed value.
func (f *fixture) put(id string, unit schema.Code, v any) {
	f.t.Helper()
	ch := typedChange(f.t, id, unit, v)
	f.change(&ch)
}

// typedChange is the change that sets every field of the typed value v on
// the record id in unit.
func typedChange(t *testing.T, id string, unit schema.Code, v any) schema.Change {
	t.Helper()
	kind, err := schema.KindOf(v)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := schema.EncodeFields(v)
	if err != nil {
		t.Fatal(err)
	}
	return schema.Change{Kind: kind, ID: id, Unit: unit, Set: fields}
}

// del deletes a record put before.
func (f *fixture) del(kind schema.Kind, id string, unit schema.Code) {
	f.change(&schema.Change{Kind: kind, ID: id, Unit: unit, Delete: true})
}

// device enrols a device and records its last sync (zero: never).
func (f *fixture) device(id string, scope schema.Code, role store.Role, last time.Time) {
	f.t.Helper()
	if err := f.st.PutDevice(context.Background(), store.Device{ID: id, Scope: scope, Role: role}); err != nil {
		f.t.Fatal(err)
	}
	if !last.IsZero() {
		f.marks[id] = store.Mark{HighWater: 1, At: last}
	}
}

// commit writes everything put so far.
func (f *fixture) commit() {
	f.t.Helper()
	g := &store.Group{Marks: f.marks}
	for _, k := range f.order {
		g.Records = append(g.Records, f.recs[k])
	}
	if err := f.st.Commit(context.Background(), g); err != nil {
		f.t.Fatal(err)
	}
	f.order, f.marks = nil, map[string]store.Mark{}
}

// testDivisions is a small city: county 990201 with a street office
// (甲街道), a town and a township nobody entered anything for; county 990202
// with one town; county 990203 with no data at all.
func testDivisions(t *testing.T) *schema.Divisions {
	t.Helper()
	u := func(code, name string) schema.Unit {
		c := schema.Code(code)
		return schema.Unit{Code: c, Name: name, Level: c.Level(), Parent: c.Parent()}
	}
	d, err := schema.BuildDivisions([]schema.Unit{
		u("99", "测试省"), u("9902", "测试市"),
		u("990201", "甲区"), u("990202", "乙县"), u("990203", "丙县"),
		u("990201001", "甲街道"), u("990201001001", "一社区"), u("990201001002", "二社区"),
		u("990201002", "乙镇"), u("990201002001", "一村"), u("990201002002", "二村"), u("990201002003", "三村"),
		u("990201003", "丙乡"), u("990201003001", "一村"),
		u("990202001", "丁镇"), u("990202001001", "一村"), u("990202001002", "二村"),
		u("990203001", "戊镇"), u("990203001001", "一村"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
