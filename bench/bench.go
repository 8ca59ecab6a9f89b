// Package bench measures the figures `make bench` prints, one line each as
// `NAME VALUE UNIT`, so scripts can read them. Figures that compare two
// things (sync against raw Badger writes) are measured in the same run,
// because the machines are shared and noisy: only ratios from one run are
// worth comparing.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Figure is one measured value.
type Figure struct {
	Name  string
	Value float64
	Unit  string
}

// Env is what a benchmark gets: a scratch directory and the path of the
// bench binary itself, for figures measured in a child process (RSS).
type Env struct {
	Ctx  context.Context
	Dir  string
	Self string
	// Quick shrinks workloads for a smoke run (tests use it).
	Quick bool
	// ProfilePhase names the one phase of a benchmark to profile (e.g.
	// "upload"), written to ProfilePath+".cpu" and ".mem"; see
	// profilePhase.
	ProfilePhase, ProfilePath string
}

// Bench is one benchmark producing one or more figures.
type Bench struct {
	Name string
	Run  func(env Env) ([]Figure, error)
}

var registry []Bench

// Register adds a benchmark; packages register theirs from init.
func Register(b Bench) { registry = append(registry, b) }

// RunAll runs the benchmarks whose name matches only (all when nil) and
// prints each figure as soon as it is known.
func RunAll(env Env, only *regexp.Regexp, w io.Writer) error {
	var failed []string
	for _, b := range registry {
		if only != nil && !only.MatchString(b.Name) {
			continue
		}
		dir, err := os.MkdirTemp(env.Dir, b.Name+"-")
		if err != nil {
			return err
		}
		e := env
		e.Dir = dir
		figs, err := b.Run(e)
		os.RemoveAll(dir)
		for _, f := range figs {
			fmt.Fprintf(w, "%s %s %s\n", f.Name, formatValue(f.Value), f.Unit)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench %s: %v\n", b.Name, err)
			failed = append(failed, b.Name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("benchmarks failed: %s", strings.Join(failed, ", "))
	}
	return nil
}

func formatValue(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
}

// Rate turns a count over a duration into a per-second figure.
func Rate(name string, n int, d time.Duration, unit string) Figure {
	return Figure{Name: name, Value: float64(n) / d.Seconds(), Unit: unit}
}

// RSSMB reads the resident set size of this process in MiB from
// /proc/self/status.
func RSSMB() (float64, error) { return statusMB("/proc/self/status", "VmRSS:") }

// AnonMB reads the anonymous part of this process's resident set (heap and
// stacks, without file pages mapped from the store, which the kernel can
// drop under pressure) in MiB.
func AnonMB() (float64, error) { return statusMB("/proc/self/status", "RssAnon:") }

// RSSOfPID reads another process's resident set size in MiB.
func RSSOfPID(pid int) (float64, error) {
	return statusMB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
}

func statusMB(path, field string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			fields := strings.Fields(rest)
			kb, err := strconv.ParseFloat(fields[0], 64)
			if err != nil {
				return 0, err
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in %s", field, path)
}
