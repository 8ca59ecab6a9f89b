package pgstore

import (
	"context"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
)

// TestRedirectAcrossProcesses: one server process merges a duplicate (the
// server's own changes, numbered by it); a device's edit of the duplicate
// then reaches the other process, whose writer never wrote a server
// change. The edit must land on the survivor there too, numbered after
// the merge, rather than the group being refused for a stale server mark
// every time it is computed again.
func TestRedirectAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	defer a.Close()
	defer b.Close()
	ia, err := ingest.New(ctx, a, ingest.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer ia.Close()
	ib, err := ingest.New(ctx, b, ingest.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer ib.Close()
	const village schema.Code = "511802101200"
	site := ingest.Account{Device: "dev-site", Scope: "511802101", Role: store.RoleSite}
	elder, err := schema.EncodeFields(schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}})
	if err != nil {
		t.Fatal(err)
	}
	stamp := func() schema.Stamp { return schema.MakeStamp(time.Now().UnixMilli(), 0) }
	up := func(in *ingest.Ingester, seq uint64, ch schema.Change) *schema.Ack {
		t.Helper()
		ch.Device, ch.Seq, ch.Stamp = site.Device, seq, stamp()
		ack, err := in.Submit(ctx, site, &schema.Upload{First: seq, Changes: []schema.Change{ch}})
		if err != nil {
			t.Fatal(err)
		}
		if len(ack.Rejected) > 0 {
			t.Fatalf("refused: %+v", ack.Rejected)
		}
		return ack
	}
	up(ia, 1, schema.Change{Kind: schema.KindPerson, ID: "s", Unit: village, Set: elder})
	up(ia, 2, schema.Change{Kind: schema.KindPerson, ID: "d", Unit: village, Set: elder})
	if ack, err := ia.SubmitServer(ctx, []schema.Change{{Kind: schema.KindPerson, ID: "d", Unit: village,
		Set: schema.Fields{"merged_into": schema.MustMarshal("s")}}}); err != nil || len(ack.Rejected) > 0 {
		t.Fatal(err, ack)
	}
	time.Sleep(2 * time.Millisecond) // the edit is stamped after the merge
	up(ib, 3, schema.Change{Kind: schema.KindPerson, ID: "d", Unit: village,
		Set: schema.Fields{"note": schema.MustMarshal("已搬到女儿家")}})
	r, err := b.Record(ctx, schema.KindPerson, "s")
	if err != nil {
		t.Fatal(err)
	}
	var p schema.Person
	if err := r.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Note != "已搬到女儿家" {
		t.Errorf("survivor's note %q, want the edit of the duplicate", p.Note)
	}
	if m, err := b.Mark(ctx, ingest.ServerDevice); err != nil || m.HighWater != 2 {
		t.Errorf("server mark %d (%v), want 2: the merge, then the redirect", m.HighWater, err)
	}
}
