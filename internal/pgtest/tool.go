package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
)

// Tool returns the path of a program of the PostgreSQL the cluster runs
// (pg_dump, pg_restore), found where Start finds initdb: Debian keeps
// them off PATH.
func Tool(name string) (string, error) {
	bin, err := binDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(bin, name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("PostgreSQL's %s: %w", name, err)
	}
	return p, nil
}
