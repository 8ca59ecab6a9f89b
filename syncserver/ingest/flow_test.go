package ingest

import (
	"fmt"
	"testing"
	"time"
)

func TestFlowWindow(t *testing.T) {
	f := newFlow(30*time.Millisecond, 8000)
	now := time.Now()
	// 1,000 changes in 30 ms: 30 µs each, so a group of 1,000 in 30 ms.
	for i := 0; i < 20; i++ {
		f.observe([]string{"a"}, nil, 1000, 30*time.Millisecond, now)
	}
	alone := int(f.window.Load())
	if want := pipelineDepth * 1000; alone < want*9/10 || alone > want*11/10 {
		t.Fatalf("a lone device's window %d, want about %d", alone, want)
	}
	var many []string
	for i := 0; i < 50; i++ {
		many = append(many, fmt.Sprintf("d%d", i))
	}
	f.observe(many, nil, 1000, 30*time.Millisecond, now)
	if w := int(f.window.Load()); w > alone/40 || w < minWindow {
		t.Fatalf("window with 51 devices uploading %d, want about %d", w, alone/51)
	}
	// Devices that stopped uploading stop counting.
	f.observe([]string{"a"}, nil, 1000, 30*time.Millisecond, now.Add(2*activeFor))
	if w := int(f.window.Load()); w < alone*9/10 {
		t.Fatalf("window once the others went quiet %d, want about %d", w, alone)
	}
}
