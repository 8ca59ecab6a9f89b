package desktop

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestDesktopLinksNoServer holds the import rule of DESIGN.md's Parts: the
// desktop is a face over agent and schema, so the binary township staff
// install links no server package. A test helper or data generator that
// pulls syncserver in (as synth once did for the bench city's store
// writer) fails here, not in review.
func TestDesktopLinksNoServer(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list the desktop's dependencies")
	}
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath", "laoxiao/cmd/desktop")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list -deps: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list -deps: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list output: %v", err)
		}
		seen++
		if p.ImportPath == "laoxiao/syncserver" || strings.HasPrefix(p.ImportPath, "laoxiao/syncserver/") {
			t.Errorf("the desktop binary links %s", p.ImportPath)
		}
	}
	if seen < 10 {
		t.Fatalf("go list named %d packages; the check proves nothing", seen)
	}
}
