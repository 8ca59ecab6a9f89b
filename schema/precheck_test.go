package schema

import (
	mathrand "math/rand"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/quick"
	"time"
)

// TestPrecheckAgrees holds Prechecked.ValidateMerge to ValidateMerge: for
// valid changes of every kind and random, mutated and mis-enveloped ones,
// against no record, a record it extends, a record it conflicts with and
// a record of another unit, one Prechecked must give exactly the answer
// ValidateMerge gives, however many records it is finished against.
func TestPrecheckAgrees(t *testing.T) {
	ctx := testCtx()
	cfg := &quick.Config{MaxCount: 60, Rand: mathrand.New(mathrand.NewSource(11))}
	for _, k := range Kinds {
		proto, err := NewValue(k)
		if err != nil {
			t.Fatal(err)
		}
		typ := reflect.TypeOf(proto).Elem()
		check := func(seed int64) bool {
			r := rand.New(rand.NewPCG(uint64(seed), 5))
			for _, f := range fieldVariants(randomTyped(t, typ, r), r) {
				for _, ch := range envelopeVariants(k, f, r) {
					if !precheckAgrees(t, ch, ctx, r) {
						return false
					}
				}
			}
			return true
		}
		if err := quick.Check(check, cfg); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	for _, ch := range validChanges(t) {
		if _, _, ps := Precheck(ch, ctx).ValidateMerge(nil, ch, ctx); len(ps) > 0 {
			t.Errorf("%s %s: valid change refused: %v", ch.Kind, ch.ID, ps)
		}
		if !precheckAgrees(t, ch, ctx, rand.New(rand.NewPCG(1, 2))) {
			return
		}
	}
}

// TestPrecheckChecksAgainAnotherDay: a visit dated the day after the
// precheck's date is refused then as in the future; checked the next day
// it is valid, and the Prechecked must not answer with the old refusal.
func TestPrecheckChecksAgainAnotherDay(t *testing.T) {
	ctx := testCtx()
	v := validVisit()
	v.Date = now.AddDate(0, 0, 1).Format(DateLayout)
	ch := change(t, KindVisit, NewID(), village, v)
	p := Precheck(ch, ctx)
	if _, _, ps := p.ValidateMerge(nil, ch, ctx); !ps.Has("visit.date") {
		t.Fatalf("a visit dated tomorrow passed: %v", ps)
	}
	next := ctx
	next.Now = now.Add(24 * time.Hour)
	if _, _, ps := p.ValidateMerge(nil, ch, next); len(ps) > 0 {
		t.Errorf("checked the next day, the visit was still refused: %v", ps)
	}
	other := ctx
	other.Scope = "511803"
	if _, _, ps := p.ValidateMerge(nil, ch, other); !ps.Has("record.unit") && !ps.Has("visit.unit") {
		t.Errorf("checked under another scope, the precheck's answer was reused: %v", ps)
	}
}

// envelopeVariants returns a change of kind k setting f, and copies of it
// with the envelope broken one way each.
func envelopeVariants(k Kind, f Fields, r *rand.Rand) []*Change {
	base := Change{Kind: k, ID: NewID(), Unit: village, Set: f, Stamp: MakeStamp(now.UnixMilli(), 0), Device: "dev-1", Seq: 1}
	out := []*Change{&base}
	for _, edit := range []func(*Change){
		func(c *Change) { c.Kind = "nonsense" },
		func(c *Change) { c.ID = "" },
		func(c *Change) { c.Unit = "511802" },
		func(c *Change) { c.Unit = "999999999999" },
		func(c *Change) { c.Set = nil },
		func(c *Change) { c.Delete = true },
		func(c *Change) { c.Delete, c.Set = true, nil },
		func(c *Change) { c.Stamp, c.Seq, c.Device = 0, 0, "" },
	} {
		if r.IntN(3) == 0 {
			c := base
			edit(&c)
			out = append(out, &c)
		}
	}
	return out
}

// precheckAgrees finishes one Prechecked of ch against several records
// and compares each answer with ValidateMerge's.
func precheckAgrees(t *testing.T, ch *Change, ctx ValidationContext, r *rand.Rand) bool {
	t.Helper()
	p := Precheck(ch, ctx)
	for _, cur := range recordsFor(t, ch, r) {
		wantRec, wantChanged, wantPs := ValidateMerge(cur, ch, ctx)
		gotRec, gotChanged, gotPs := p.ValidateMerge(cur, ch, ctx)
		if !reflect.DeepEqual(gotPs, wantPs) || gotChanged != wantChanged || !gotRec.Equal(wantRec) {
			t.Errorf("%s %+v against %+v:\nprechecked %v %v %+v\nvalidated  %v %v %+v",
				ch.Kind, ch, cur, gotChanged, gotPs, gotRec, wantChanged, wantPs, wantRec)
			return false
		}
	}
	return true
}

// recordsFor returns records ch may meet: none, its own record as another
// device left it earlier and later than ch, and its record in another unit.
func recordsFor(t *testing.T, ch *Change, r *rand.Rand) []*Record {
	out := []*Record{nil}
	if !ch.Kind.Valid() {
		return out
	}
	proto, err := NewValue(ch.Kind)
	if err != nil {
		t.Fatal(err)
	}
	other := randomTyped(t, reflect.TypeOf(proto).Elem(), r)
	for _, stamp := range []Stamp{ch.Stamp - 1, ch.Stamp + 1} {
		prev := &Change{Kind: ch.Kind, ID: ch.ID, Unit: ch.Unit, Set: other, Stamp: stamp, Device: "dev-2", Seq: 4}
		out = append(out, apply(t, nil, prev))
	}
	moved := *out[1]
	moved.Unit = "511802002001"
	return append(out, &moved)
}
