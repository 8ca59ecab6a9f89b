package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

func init() {
	Register(Bench{Name: "agent_write", Run: benchAgentWrite})
	Register(Bench{Name: "agent_read", Run: benchAgentRead})
	Register(Bench{Name: "cbor", Run: benchCBOR})
	Register(Bench{Name: "agent_rss", Run: benchAgentRSS})
}

// demoTownship is 雨城区东城街道; its villages give realistic unit codes.
const demoTownship schema.Code = "511802001"

func villagesOf(t schema.Code) []schema.Code {
	v := schema.BuiltinDivisions().Descendants(t, schema.LevelVillage)
	if len(v) == 0 {
		return []schema.Code{t}
	}
	return v
}

// SampleFacility makes a plausible facility for benchmarks and fills.
func SampleFacility(rng *rand.Rand, i int) schema.Facility {
	kinds := schema.FacilityKinds
	k := kinds[rng.IntN(len(kinds))]
	return schema.Facility{Name: fmt.Sprintf("第%d%s", i, k.Label), Kind: k.Kind, Ownership: schema.OwnPublic,
		Inclusive: rng.IntN(2) == 0, Filing: schema.FilingFiled, Opened: "2019-03-01",
		Status: schema.StatusOperating, Address: fmt.Sprintf("幸福路%d号", i)}
}

// fillStore writes n facilities with scope set; it returns the time taken.
func fillStore(st *agent.Store, n int) (time.Duration, error) {
	if err := st.SetScope(demoTownship); err != nil {
		return 0, err
	}
	vs := villagesOf(demoTownship)
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := st.Put(schema.KindFacility, "", vs[i%len(vs)], SampleFacility(rng, i)); err != nil {
			return 0, fmt.Errorf("put %d: %w", i, err)
		}
	}
	return time.Since(start), nil
}

// fillStoreBatched writes n facilities in synced batches of 1,000: the
// fast path for building a large store (a bulk import does the same).
func fillStoreBatched(st *agent.Store, n int) error {
	if err := st.SetScope(demoTownship); err != nil {
		return err
	}
	vs := villagesOf(demoTownship)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < n; {
		items := make([]agent.Item, 0, 1000)
		for ; i < n && len(items) < 1000; i++ {
			items = append(items, agent.Item{Kind: schema.KindFacility, Unit: vs[i%len(vs)], Value: SampleFacility(rng, i)})
		}
		if _, err := st.PutBatch(items); err != nil {
			return err
		}
	}
	return nil
}

func benchAgentWrite(env Env) ([]Figure, error) {
	st, err := agent.Open(env.Dir, agent.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	n := 2000
	if env.Quick {
		n = 50
	}
	d, err := fillStore(st, n)
	if err != nil {
		return nil, err
	}
	return []Figure{Rate("agent_write_durable_per_s", n, d, "writes/s")}, nil
}

func benchAgentRead(env Env) ([]Figure, error) {
	st, err := agent.Open(env.Dir, agent.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	n := 20000
	if env.Quick {
		n = 500
	}
	if err := fillStoreBatched(st, n); err != nil {
		return nil, err
	}
	start := time.Now()
	read := 0
	for round := 0; round < 3; round++ {
		if err := st.List(schema.KindFacility, demoTownship, func(*schema.Record) error { read++; return nil }); err != nil {
			return nil, err
		}
	}
	if read != 3*n {
		return nil, fmt.Errorf("prefix scan read %d records, want %d", read, 3*n)
	}
	return []Figure{Rate("agent_prefix_read_per_s", read, time.Since(start), "records/s")}, nil
}

func sampleChange(i int) schema.Change {
	rng := rand.New(rand.NewPCG(uint64(i), 9))
	f, _ := schema.EncodeFields(SampleFacility(rng, i))
	return schema.Change{Kind: schema.KindFacility, ID: schema.NewID(), Unit: "511802001001", Set: f,
		Stamp: schema.MakeStamp(time.Now().UnixMilli(), uint16(i)), Device: "0192f0c1-0000-7000-8000-000000000001", Seq: uint64(i + 1)}
}

func benchCBOR(env Env) ([]Figure, error) {
	n := 200000
	if env.Quick {
		n = 2000
	}
	chs := make([]schema.Change, 256)
	for i := range chs {
		chs[i] = sampleChange(i)
	}
	enc := make([][]byte, len(chs))
	start := time.Now()
	for i := 0; i < n; i++ {
		b, err := schema.Marshal(&chs[i%len(chs)])
		if err != nil {
			return nil, err
		}
		enc[i%len(chs)] = b
	}
	encD := time.Since(start)
	start = time.Now()
	for i := 0; i < n; i++ {
		var c schema.Change
		if err := schema.UnmarshalWire(enc[i%len(enc)], &c); err != nil {
			return nil, err
		}
	}
	decD := time.Since(start)
	return []Figure{Rate("cbor_encode_change_per_s", n, encD, "changes/s"), Rate("cbor_decode_change_per_s", n, decD, "changes/s")}, nil
}

// RSSProbeArg makes the bench binary act as the child that holds a store
// open and reports its own RSS.
const RSSProbeArg = "--rss-probe"

func benchAgentRSS(env Env) ([]Figure, error) {
	n := 100000
	if env.Quick {
		n = 1000
	}
	dir := filepath.Join(env.Dir, "store")
	st, err := agent.Open(dir, agent.Options{})
	if err != nil {
		return nil, err
	}
	if err := fillStoreBatched(st, n); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	// The first open after a bulk fill also compacts the fresh tables;
	// a laptop opening the store it used yesterday does not. Both are
	// reported; the second is the everyday figure.
	var rss, anon []float64
	for i := 0; i < 2; i++ {
		out, err := exec.CommandContext(env.Ctx, env.Self, RSSProbeArg, dir, strconv.Itoa(n)).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("rss probe: %v: %s", err, out)
		}
		var r, a float64
		if _, err := fmt.Sscan(string(out), &r, &a); err != nil {
			return nil, fmt.Errorf("rss probe said %q", out)
		}
		rss, anon = append(rss, r), append(anon, a)
	}
	return []Figure{{Name: "agent_rss_100k_mb", Value: rss[1], Unit: "MiB"},
		{Name: "agent_rss_100k_anon_mb", Value: anon[1], Unit: "MiB"},
		{Name: "agent_rss_100k_first_open_mb", Value: rss[0], Unit: "MiB"}}, nil
}

// RSSProbe opens the store in dir, reads every record once as the app's
// lists would, checks the count and prints the process's RSS in MiB.
func RSSProbe(dir string, want int) error {
	st, err := agent.Open(dir, agent.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	n := 0
	if err := st.List(schema.KindFacility, "", func(*schema.Record) error { n++; return nil }); err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("store holds %d records, want %d", n, want)
	}
	mb, err := RSSMB()
	if err != nil {
		return err
	}
	anon, err := AnonMB()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "%.1f %.1f\n", mb, anon)
	return nil
}
