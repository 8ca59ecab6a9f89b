package cli

import (
	"strings"
	"testing"
)

// TestPlanLoadCommands: tasks load and projects load work on a stopped
// server's store and through a running server's admin API, and say in
// Chinese what is wrong with a plan or unit.
func TestPlanLoadCommands(t *testing.T) {
	dir := t.TempDir()
	if code, out := run(t, "tasks", "load", "--data", dir, "--plan", "yaan"); code != 0 ||
		!strings.Contains(out, "loaded 176 task records of yaan for 8 unit(s)") {
		t.Fatalf("tasks load: exit %d: %s", code, out)
	}
	if code, out := run(t, "tasks", "load", "--data", dir, "--plan", "nanjing"); code != 1 || !strings.Contains(out, "规划“nanjing”不存在") {
		t.Fatalf("an unknown plan: exit %d: %s", code, out)
	}
	if code, out := run(t, "tasks", "load", "--data", dir); code != 1 || !strings.Contains(out, "--plan is required") {
		t.Fatalf("no plan: exit %d: %s", code, out)
	}

	serveIn(t, dir, nil)
	if code, out := run(t, "tasks", "load", "--data", dir, "--plan", "yaan", "--unit", "511802"); code != 0 ||
		!strings.Contains(out, "loaded 22 task records of yaan for 1 unit(s): [511802]") {
		t.Fatalf("tasks load through the admin API: exit %d: %s", code, out)
	}
	// 黔江's townships are not in the built-in registry until the national
	// file is loaded: the refusal names the unit.
	if code, out := run(t, "projects", "load", "--data", dir, "--plan", "qianjiang"); code != 1 || !strings.Contains(out, "不存在") {
		t.Fatalf("projects of units the server does not know: exit %d: %s", code, out)
	}
}
