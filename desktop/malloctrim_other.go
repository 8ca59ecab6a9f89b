//go:build !linux || !cgo

package desktop

// mallocTrim has nothing to do where the C library has no malloc_trim.
func mallocTrim() {}
