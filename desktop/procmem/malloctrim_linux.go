//go:build linux && cgo

package procmem

// #include <malloc.h>
import "C"

// mallocTrim gives the C heap's free pages back to the system. The C
// heap is the GL driver's and the window system's: with software GL
// (llvmpipe) the textures of drawn text live there too, and glibc keeps
// the pages the driver freed inside the heap, about 11 MiB after visiting
// every tab of a large township, until malloc_trim returns them.
func mallocTrim() { C.malloc_trim(0) }
