package cli

import (
	"strings"
	"testing"

	"laoxiao/schema"
)

// TestMoveCommand: move works on a stopped server's store and through a
// running server's admin API, says what it did, and a refused move exits
// 1 with the reason in Chinese.
func TestMoveCommand(t *testing.T) {
	dir := t.TempDir()
	storePersons(t, dir, schema.Person{Name: "张桂英", Categories: []schema.PersonCategory{schema.CatTekun}}, "p-one", "p-two")

	move := []string{"move", "--data", dir, "--person", "p-one", "--to", "511802005001", "--reason", "随女儿迁居", "--by", "雨城区民政局"}
	if code, out := run(t, move...); code != 0 || !strings.Contains(out, "moved person p-one (511802101200) to") ||
		!strings.Contains(out, "511802005001 龙溪社区居委会) by 雨城区民政局") {
		t.Fatalf("move: exit %d: %s", code, out)
	}
	if code, out := run(t, move...); code != 1 || !strings.Contains(out, "该服务对象已迁移") {
		t.Fatalf("second move: exit %d: %s", code, out)
	}
	if code, out := run(t, "move", "--data", dir, "--person", "p-two"); code == 0 || !strings.Contains(out, "--to") {
		t.Fatalf("move without --to: exit %d: %s", code, out)
	}

	// Now with the server running: the command goes through its admin API.
	serveIn(t, dir, nil)
	for _, tc := range []struct{ to, want string }{
		{"511803001001", "只能在本县(区)内迁移"},
		{"511802", "迁入单位必须是已知的乡镇(街道)或村(社区)"},
	} {
		if code, out := run(t, "move", "--data", dir, "--person", "p-two", "--to", tc.to); code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("move to %s: exit %d: %s", tc.to, code, out)
		}
	}
	if code, out := run(t, "move", "--data", dir, "--person", "nobody", "--to", "511802005001"); code != 1 || !strings.Contains(out, "没有该服务对象") {
		t.Errorf("move of an unknown person: exit %d: %s", code, out)
	}
	if code, out := run(t, "move", "--data", dir, "--person", "p-two", "--to", "511802005"); code != 0 || !strings.Contains(out, "moved person p-two") {
		t.Fatalf("move through the admin API: exit %d: %s", code, out)
	}
}
