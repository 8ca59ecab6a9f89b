package ingest

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store/badgerstore"
)

// TestPipelineMergesOnTopOfTheGroupInFlight: devices keep many batches in
// flight, each batch editing records the device's batch before it wrote,
// so with the pipeline a group merges into records whose commit is still
// in flight. Every batch must be applied once, on top of the one before
// (the last name wins), and never acked ahead of the store: its mark
// holds an ack's high-water mark when the ack arrives. (That the ack
// waits for the fsync itself no read can tell: a read waits for the
// commits in flight.)
func TestPipelineMergesOnTopOfTheGroupInFlight(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	now := time.Date(2025, 4, 10, 12, 0, 0, 0, schema.ChinaTime)
	// Small groups, so a device's batches span many.
	in, err := New(ctx, st, Options{Logger: quietLog, Now: func() time.Time { return now }, MaxGroupChanges: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.pipe == nil {
		t.Fatal("the Badger store offers no pipeline; this test would test nothing")
	}
	const devices, batches, records = 6, 40, 10
	unit := schema.Code("511802101200")
	facility, err := schema.EncodeFields(schema.Facility{Name: "幸福院", Kind: schema.FKRuralHappiness,
		Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Opened: "2019-03-01", Status: schema.StatusOperating})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	for d := 0; d < devices; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- uploadRenames(ctx, in, st, Account{Device: fmt.Sprintf("dev%d", d), Scope: unit[:9], Role: "site"},
				unit, now, facility, batches, records)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for d := 0; d < devices; d++ {
		for r := 0; r < records; r++ {
			rec, err := st.Record(ctx, schema.KindFacility, fmt.Sprintf("dev%d-fac%d", d, r))
			if err != nil {
				t.Fatal(err)
			}
			var f schema.Facility
			if err := rec.Decode(&f); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("name %d", batches); f.Name != want {
				t.Errorf("dev%d-fac%d is named %q, want %q (the last rename)", d, r, f.Name, want)
			}
		}
	}
	if head, want := in.Head(), uint64(devices*batches*records); head != want {
		t.Errorf("log head %d, want %d: every change logged once", head, want)
	}
	in.Close() // the writer's fields are the test's to read from here
	// A group merges on top of the one in flight only: the groups before
	// it are durable and in the view, and keeping them would chain a
	// burst's every group to the next.
	if in.deepestChain != 2 {
		t.Errorf("a group looked through %d groups, want 2 (itself and the one in flight)", in.deepestChain)
	}
}

// uploadRenames enqueues a device's batches without waiting: the first
// creates records facilities, each later one renames all of them. It
// then checks every ack in order.
func uploadRenames(ctx context.Context, in *Ingester, st *badgerstore.DB, acct Account, unit schema.Code, now time.Time,
	facility schema.Fields, batches, records int) error {
	var pending []Pending
	seq := uint64(0)
	for b := 1; b <= batches; b++ {
		up := &schema.Upload{Batch: uint64(b), First: seq + 1}
		for r := 0; r < records; r++ {
			seq++
			set := schema.Fields{"name": schema.MustMarshal(fmt.Sprintf("name %d", b))}
			if b == 1 {
				set = maps.Clone(facility)
				set["name"] = schema.MustMarshal("name 1")
			}
			up.Changes = append(up.Changes, schema.Change{Kind: schema.KindFacility, ID: fmt.Sprintf("%s-fac%d", acct.Device, r),
				Unit: unit, Set: set, Stamp: schema.MakeStamp(now.UnixMilli()-int64(batches-b), uint16(r)), Device: acct.Device, Seq: seq})
		}
		p, err := in.Enqueue(ctx, acct, up)
		if err != nil {
			return err
		}
		pending = append(pending, p)
	}
	for i, p := range pending {
		ack, err := p.Wait(ctx)
		if err != nil {
			return err
		}
		if ack.Status != schema.AckApplied || len(ack.Rejected) > 0 {
			return fmt.Errorf("%s batch %d: %v, refused %+v", acct.Device, i+1, ack.Status, ack.Rejected)
		}
		m, err := st.Mark(ctx, acct.Device)
		if err != nil {
			return err
		}
		if m.HighWater < ack.HighWater {
			return fmt.Errorf("%s batch %d acked up to %d while the store holds %d: acked before committed", acct.Device, i+1, ack.HighWater, m.HighWater)
		}
	}
	return nil
}

// TestPipelineAfterAGroupWithNothingToWrite: a group of duplicates only
// writes nothing; the group before it has just become durable, and the
// group after must see what that one wrote. A view of the store taken
// before it did not: the group after took a record it had for a new one
// (a partial edit then lacks required fields) and a resend's ack lost the
// refusals of the landed group, so the device released a refused change
// without parking it. Each batch is its own group (MaxGroupChanges 1),
// queued while a large batch keeps the writer busy.
func TestPipelineAfterAGroupWithNothingToWrite(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	now := time.Date(2025, 4, 10, 12, 0, 0, 0, schema.ChinaTime)
	in, err := New(ctx, st, Options{Logger: quietLog, Now: func() time.Time { return now }, MaxGroupChanges: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	unit := schema.Code("511802101200")
	facility, err := schema.EncodeFields(schema.Facility{Name: "幸福院", Kind: schema.FKRuralHappiness,
		Ownership: schema.OwnPublic, Filing: schema.FilingFiled, Opened: "2019-03-01", Status: schema.StatusOperating})
	if err != nil {
		t.Fatal(err)
	}
	acct := func(d string) Account { return Account{Device: d, Scope: unit[:9], Role: "site"} }
	change := func(dev string, seq uint64, id string, u schema.Code, set schema.Fields) schema.Change {
		return schema.Change{Kind: schema.KindFacility, ID: id, Unit: u, Set: set,
			Stamp: schema.MakeStamp(now.UnixMilli(), uint16(seq)), Device: dev, Seq: seq}
	}
	enqueue := func(dev string, up *schema.Upload) Pending {
		t.Helper()
		p, err := in.Enqueue(ctx, acct(dev), up)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	wait := func(p Pending) *schema.Ack {
		t.Helper()
		ack, err := p.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ack
	}
	// b has a batch applied, to resend later as a duplicate.
	bBatch := &schema.Upload{Batch: 1, First: 1, Changes: []schema.Change{change("b", 1, "b-fac", unit, facility)}}
	wait(enqueue("b", bBatch))

	// The writer is busy with c's large batch while the three below queue.
	busy := &schema.Upload{Batch: 1, First: 1}
	for i := 1; i <= 800; i++ {
		busy.Changes = append(busy.Changes, change("c", uint64(i), fmt.Sprintf("c-fac%d", i), unit, facility))
	}
	outside := schema.Code("511802102200") // another township's village
	first := &schema.Upload{Batch: 1, First: 1, Changes: []schema.Change{
		change("a", 1, "a-fac", unit, facility),
		change("a", 2, "a-out", outside, facility),
	}}
	edit := schema.Fields{"name": schema.MustMarshal("改名")}
	resend := &schema.Upload{Batch: 2, First: 1, Changes: []schema.Change{first.Changes[0], first.Changes[1],
		change("a", 3, "a-fac", unit, edit)}}
	pc := enqueue("c", busy)
	pa := enqueue("a", first)
	pb := enqueue("b", bBatch) // nothing to write
	pr := enqueue("a", resend)
	wait(pc)
	if ack := wait(pa); len(ack.Rejected) != 1 || ack.Rejected[0].Seq != 2 {
		t.Fatalf("first batch: refused %+v, want seq 2 out of scope", ack.Rejected)
	}
	if ack := wait(pb); ack.Status != schema.AckDuplicate {
		t.Fatalf("b's resend: %v, want a duplicate", ack.Status)
	}
	ack := wait(pr)
	if len(ack.Rejected) != 1 || ack.Rejected[0].Seq != 2 || ack.Rejected[0].Code != schema.RejectOutOfScope {
		t.Errorf("the resend's ack refuses %+v, want seq 2's refusal repeated and nothing else", ack.Rejected)
	}
	rec, err := st.Record(ctx, schema.KindFacility, "a-fac")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Fields["kind"]; !ok || string(rec.Fields["name"]) != string(edit["name"]) {
		t.Errorf("a-fac holds %v, want the created facility renamed", rec.Fields)
	}
}
