//go:build !linux || !cgo

package procmem

// mallocTrim has nothing to do where the C library has no malloc_trim.
func mallocTrim() {}
