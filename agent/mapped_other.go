//go:build !linux

package agent

// ReleaseMapped does nothing where the process's working set of mapped
// files is the system's business (Windows trims it under pressure); see
// mapped_linux.go.
func (s *Store) ReleaseMapped() error { return nil }
