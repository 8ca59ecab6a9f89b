package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestImportTooLargeSaysHowMany: a file of more rows than one transaction
// holds imports nothing and says how many rows a file may have; a file
// of that many imports.
func TestImportTooLargeSaysHowMany(t *testing.T) {
	dir := t.TempDir()
	const header = "kind,unit,id,name,facility.kind,ownership,status,inclusive\n"
	rows := func(n int) string {
		var b strings.Builder
		b.WriteString(header)
		for i := range n {
			fmt.Fprintf(&b, "facility,%s,,第%d号日间照料中心,day_care,public,operating,是\n", village, i)
		}
		return b.String()
	}
	before := storeState(t, dir)
	code, _, errOut := run(t, "--data", dir, "import", writeFile(t, t.TempDir(), "big.csv", rows(8000)))
	if code != 1 {
		t.Fatalf("import of 8,000 rows: exit %d\n%s", code, errOut)
	}
	if after := storeState(t, dir); after != before {
		t.Fatalf("a refused import changed the store:\n%s", after)
	}
	m := regexp.MustCompile(`files of at most (\d+) rows`).FindStringSubmatch(errOut)
	if m == nil || !strings.Contains(errOut, "nothing of the file was imported") {
		t.Fatalf("stderr does not say how many rows fit:\n%s", errOut)
	}
	most, _ := strconv.Atoi(m[1])
	if most < 2000 {
		t.Fatalf("a file may have only %d rows", most)
	}
	out := mustRun(t, "--data", dir, "import", writeFile(t, t.TempDir(), "part.csv", rows(most)))
	if !strings.Contains(out, fmt.Sprintf("imported %d row(s)", most)) {
		t.Fatalf("import of %d rows: %s", most, out)
	}
}
