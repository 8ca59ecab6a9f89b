package agent

import (
	"fmt"
	"sync"
	"testing"

	"laoxiao/schema"
)

// TestReleaseMappedLosesNothing releases the store's mapped pages while
// another goroutine writes, then reads every record back: release only
// ever gives pages back to the kernel, whatever the mappings hold.
func TestReleaseMappedLosesNothing(t *testing.T) {
	s := openTemp(t)
	const unit schema.Code = "511802101001"
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			mustPut(t, s, schema.KindFacility, fmt.Sprintf("f%03d", i), unit, facility(fmt.Sprintf("机构%03d", i)))
		}
	}()
	for i := 0; i < 20; i++ {
		if err := s.ReleaseMapped(); err != nil {
			t.Fatalf("release: %v", err)
		}
	}
	wg.Wait()
	if err := s.ReleaseMapped(); err != nil {
		t.Fatalf("release: %v", err)
	}
	n := 0
	err := s.List(schema.KindFacility, unit, func(r *schema.Record) error {
		_, v, err := s.GetTyped(schema.KindFacility, r.ID)
		if err != nil {
			return err
		}
		if want := "机构" + r.ID[1:]; v.(*schema.Facility).Name != want {
			return fmt.Errorf("record %s has name %q, want %s", r.ID, v.(*schema.Facility).Name, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 200 {
		t.Fatalf("read %d records after release, want 200", n)
	}
}
