package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profilePhase starts the CPU profile and the execution trace of one
// phase of a benchmark (the upload of sync_e2e, not its fill) when env
// asks for that phase, and returns what stops them and writes the heap
// profile beside them. The trace shows what the CPU profile cannot: how
// long goroutines waited to run (`go tool trace -pprof=sched`), which is
// most of an ack's latency when two hundred agents share two cores with
// the server. It does
// nothing otherwise. A profile that cannot be written is reported on
// stderr: it must not change what the figures measure.
func (env Env) profilePhase(phase string) (stop func()) {
	if env.ProfilePhase != phase || env.ProfilePath == "" {
		return func() {}
	}
	f, err := os.Create(env.ProfilePath + ".cpu")
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		fmt.Fprintln(os.Stderr, "profile:", err)
		return func() {}
	}
	tf, err := os.Create(env.ProfilePath + ".trace")
	if err == nil {
		if err = trace.Start(tf); err != nil {
			tf.Close()
			tf = nil
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trace:", err)
	}
	runtime.MemProfileRate = 64 << 10
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if tf != nil {
			trace.Stop()
			tf.Close()
		}
		h, err := os.Create(env.ProfilePath + ".mem")
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		defer h.Close()
		if err := pprof.Lookup("allocs").WriteTo(h, 0); err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
		}
	}
}

// asRole labels the calling goroutine, and every goroutine it starts from
// now on (Badger's, a server's connections), with role in CPU profiles,
// until the next call: `go tool pprof -tags` then splits one process's
// profile into the server's CPU and the agents'.
func asRole(role string) {
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("role", role)))
}
