package console

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"laoxiao/schema"
)

// TestAccountsDurable: accounts survive a reopen, the file holds no
// password, names are unique, and a disabled account cannot sign in.
func TestAccountsDurable(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenAccounts(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Add("clerk", "511802", "secret-pass-1"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ name, unit, pw string }{
		{"clerk", "511802", "another-pass"}, // exists
		{"other", "", "secret-pass-1"},      // no unit: would see the whole country
		{"other", "5", "secret-pass-1"},     // not a division code
		{"other", "511802", "short"},        // password too short
		{"two words", "511802", "secret-pass-1"},
	} {
		if err := a.Add(bad.name, schema.Code(bad.unit), bad.pw); err == nil {
			t.Errorf("Add(%q, %q) accepted", bad.name, bad.unit)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, AccountsFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("secret-pass-1")) {
		t.Fatal("the accounts file holds the password")
	}
	if fi, _ := os.Stat(filepath.Join(dir, AccountsFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("accounts file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := OpenAccounts(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acc, ok := b.Verify("clerk", "secret-pass-1"); !ok || acc.Unit != "511802" {
		t.Fatalf("reopened account: %+v %v", acc, ok)
	}
	if _, ok := b.Verify("clerk", "secret-pass-2"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, ok := b.Verify("nobody", "secret-pass-1"); ok {
		t.Fatal("unknown account accepted")
	}
	if err := b.Disable("clerk"); err != nil {
		t.Fatal(err)
	}
	c, err := OpenAccounts(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Verify("clerk", "secret-pass-1"); ok {
		t.Fatal("disabled account signs in after a reopen")
	}
	if l := c.List(); len(l) != 1 || !l[0].Disabled {
		t.Fatalf("list: %+v", l)
	}
}
