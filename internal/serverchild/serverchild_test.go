package serverchild

import (
	"strings"
	"testing"
)

func TestEnvParses(t *testing.T) {
	for _, c := range []struct{ dir, addr string }{
		{"/tmp/x", "127.0.0.1:8470"},
		{"/tmp/a|b:c", "[::1]:0"}, // a directory may hold the separator and colons
	} {
		_, spec, _ := strings.Cut(Env(c.dir, c.addr), "=")
		dir, addr, ok := parse(spec)
		if !ok || dir != c.dir || addr != c.addr {
			t.Errorf("Env(%q, %q) parses as %q, %q, %v", c.dir, c.addr, dir, addr, ok)
		}
	}
	for _, bad := range []string{"", "dir", "|addr", "dir|"} {
		if _, _, ok := parse(bad); ok {
			t.Errorf("parse(%q) succeeded", bad)
		}
	}
}
