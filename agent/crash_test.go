package agent

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"laoxiao/schema"
)

// crashEnv switches the test binary into the child that writes until it is
// killed.
const crashEnv = "LAOXIAO_CRASH_CHILD"

// TestCrashChild is the child side of TestCrashKeepsEveryReturnedWrite: it
// writes records in a loop and prints each id only after the write that
// made it returned, so every printed id is a promise the store must keep.
func TestCrashChild(t *testing.T) {
	s := childStore(t, crashEnv, "TestCrashKeepsEveryReturnedWrite")
	say := func(id string) { os.Stdout.WriteString(id + "\n") } // unbuffered on purpose
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	var facs, people []string
	for i := 0; ; i++ {
		switch {
		case i%7 == 6:
			items := []Item{
				{Kind: schema.KindPerson, ID: schema.NewID(), Unit: village, Value: person(fmt.Sprintf("批量%d-1", i))},
				{Kind: schema.KindPerson, ID: schema.NewID(), Unit: village, Value: person(fmt.Sprintf("批量%d-2", i))},
			}
			if _, err := s.PutBatch(items); err != nil {
				fail(err)
			}
			for _, it := range items {
				people = append(people, it.ID)
				say(it.ID)
			}
		case i%5 == 4 && len(facs) > 0:
			f := facs[rand.IntN(len(facs))]
			ch, err := s.Put(schema.KindCapacity, "", village, schema.Capacity{Facility: f, Period: fmt.Sprintf("2025-%02d", 1+i%12), BedsTotal: int64(i)})
			if err != nil {
				fail(err)
			}
			say(ch.ID)
		case i%3 == 2 && len(people) > 0:
			id, err := s.AddVisit(village, schema.Visit{Person: people[rand.IntN(len(people))], Date: "2025-03-01", Kind: schema.VisitMonthly})
			if err != nil {
				fail(err)
			}
			say(id)
		default:
			ch, err := s.Put(schema.KindFacility, "", village, facility(fmt.Sprintf("机构%d", i)))
			if err != nil {
				fail(err)
			}
			facs = append(facs, ch.ID)
			say(ch.ID)
		}
	}
}

// TestCrashKeepsEveryReturnedWrite kills a writing child with SIGKILL at
// random moments, several times on the same directory, and checks that
// every write that returned survived and that the outbox is whole.
func TestCrashKeepsEveryReturnedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var promised []string
	for round := range 5 {
		ids, stderr := runCrashChild(t, dir, time.Duration(100+rng.IntN(700))*time.Millisecond)
		if len(ids) == 0 {
			t.Fatalf("round %d: child wrote nothing; stderr:\n%s", round, stderr)
		}
		promised = append(promised, ids...)
		t.Logf("round %d: %d writes returned before the kill", round, len(ids))
	}

	s := openAt(t, dir, Options{})
	kinds := []schema.Kind{schema.KindFacility, schema.KindPerson, schema.KindVisit, schema.KindCapacity}
	for _, id := range promised {
		found := false
		for _, k := range kinds {
			if _, err := s.Get(k, id); err == nil {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("id %s was returned to the child but is missing", id)
		}
	}
	st, err := s.Status()
	if err != nil {
		t.Fatal(err)
	}
	ob, err := s.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(ob)) != st.LastSeq || st.Outbox != len(ob) {
		t.Fatalf("outbox holds %d changes, last seq is %d", len(ob), st.LastSeq)
	}
	for i, ch := range ob {
		if ch.Seq != uint64(i+1) {
			t.Fatalf("outbox[%d] has seq %d: gap", i, ch.Seq)
		}
		rec := loadForTest(t, s, ch.Kind, ch.ID)
		if rec == nil {
			t.Fatalf("change %d: record %s %s missing", ch.Seq, ch.Kind, ch.ID)
		}
		for name := range ch.Set {
			if rec.Versions[name].Compare(ch.Version()) < 0 {
				t.Fatalf("change %d: field %s of %s is older than the change", ch.Seq, name, ch.ID)
			}
		}
	}
	if len(promised) > len(ob) {
		t.Fatalf("%d promised ids but only %d changes", len(promised), len(ob))
	}
}

// runCrashChild starts the child on dir, lets it write for about d after
// its first write, kills it, and returns the ids it printed in full.
func runCrashChild(t *testing.T, dir string, d time.Duration) (ids []string, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A line cut by the kill has no newline and does not count.
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			once.Do(func() { close(started) })
			ids = append(ids, strings.TrimSuffix(line, "\n"))
		}
	}()
	select {
	case <-started:
		time.Sleep(d)
	case <-done:
	case <-time.After(60 * time.Second):
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
	_ = cmd.Wait()
	return ids, errBuf.String()
}
