package agent

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// madvPageout is MADV_PAGEOUT, which package syscall does not name.
const madvPageout = 21

// ReleaseMapped takes the store's memory-mapped files out of this
// process's resident set. Badger maps its tables and value log; a scan of
// every record (a tab of a large township, the indicators) touches every
// table block of the kind (and the value-log pages of the records too
// large to be stored inline), and those pages then count against the app
// for as long as the mapping lives, though nobody reads them again soon. The
// kernel reclaims them (MADV_PAGEOUT, Linux 5.4 and later; older kernels
// refuse it and nothing changes): a later read reads the file again.
//
// PAGEOUT, not DONTNEED, because Badger unmaps tables whenever a
// compaction drops them, and the address range may be reused by the Go
// heap between reading /proc/self/maps and advising: DONTNEED would zero
// that memory, PAGEOUT only ever reclaims, which loses nothing whatever
// the range holds. Only shared mappings of files in the store's folder
// are advised. Safe to call at any time, from any goroutine.
func (s *Store) ReleaseMapped() error {
	dir, err := filepath.Abs(s.dir)
	if err != nil {
		return fmt.Errorf("release mapped: %w", err)
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("release mapped: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || !strings.HasSuffix(fields[1], "s") || filepath.Dir(fields[5]) != dir {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), madvPageout); errno != 0 && errno != syscall.ENOMEM {
			// ENOMEM: the range was unmapped meanwhile, nothing to do.
			return fmt.Errorf("release mapped %s: %w", fields[5], errno)
		}
	}
	return sc.Err()
}
