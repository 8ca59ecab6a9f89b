package cli

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"laoxiao/schema"
	"laoxiao/syncserver"
)

// TestDuplicateCommands: on a stopped server's store, duplicates prints
// the pair masked with the ids merge takes, merge and unmerge say what
// they did, and a refused merge exits 1 with the reason.
func TestDuplicateCommands(t *testing.T) {
	dir := t.TempDir()
	id, err := schema.CompleteIDNumber("51180219450302002")
	if err != nil {
		t.Fatal(err)
	}
	storePersons(t, dir, schema.Person{Name: "张桂英", IDNumber: id, Categories: []schema.PersonCategory{schema.CatTekun}}, "p-one", "p-two")

	code, out := run(t, "duplicates", "--data", dir, "--unit", "511802")
	if code != 0 || !strings.Contains(out, "身份证号相同") || !strings.Contains(out, "p-one") || !strings.Contains(out, "p-two") ||
		!strings.Contains(out, "张*英") || strings.Contains(out, "张桂英") || strings.Contains(out, id) {
		t.Fatalf("duplicates: exit %d:\n%s", code, out)
	}
	merge := []string{"merge", "--data", dir, "--unit", "511802", "--survivor", "p-one", "--duplicate", "p-two", "--reason", "重复登记", "--by", "雨城区民政局"}
	if code, out := run(t, merge...); code != 0 || !strings.Contains(out, "merged person p-two into p-one by 雨城区民政局") {
		t.Fatalf("merge: exit %d: %s", code, out)
	}
	if code, out := run(t, merge...); code != 1 || !strings.Contains(out, "已合并") {
		t.Fatalf("second merge: exit %d: %s", code, out)
	}
	if code, out := run(t, "duplicates", "--data", dir, "--unit", "511802"); code != 0 || !strings.Contains(out, "未发现疑似重复记录") {
		t.Fatalf("duplicates after the merge: exit %d: %s", code, out)
	}
	if code, out := run(t, "unmerge", "--data", dir, "--unit", "511802", "--duplicate", "p-two"); code != 0 || !strings.Contains(out, "unmerged person p-two from p-one") {
		t.Fatalf("unmerge: exit %d: %s", code, out)
	}
	if code, out := run(t, "merge", "--data", dir, "--unit", "511802"); code == 0 || !strings.Contains(out, "--survivor") {
		t.Fatalf("merge without ids: exit %d: %s", code, out)
	}
}

// storePersons writes p under each of ids, in 草坝镇林口村, into a new
// server store in dir, as the server, and closes it again.
func storePersons(t *testing.T, dir string, p schema.Person, ids ...string) {
	t.Helper()
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f, err := schema.EncodeFields(p)
	if err != nil {
		t.Fatal(err)
	}
	var changes []schema.Change
	for _, id := range ids {
		changes = append(changes, schema.Change{Kind: schema.KindPerson, ID: id, Unit: "511802101200", Set: f})
	}
	if ack, err := srv.Ingest().SubmitServer(context.Background(), changes); err != nil || len(ack.Rejected) > 0 {
		t.Fatal(err, ack)
	}
}
