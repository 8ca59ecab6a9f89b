package synth

import (
	"math/rand/v2"
	"sort"
)

func roundInt(v float64) int64 { return int64(v + 0.5) }

func scaleDown(v int64, s float64) int64 { return int64(float64(v) * s) }

func toFloat(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x) + 1e-9 // a zero weight still gets a remainder turn
	}
	return out
}

func randomWeights(n int, rng *rand.Rand) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.3 + rng.Float64()
	}
	return w
}

func splitEven(total int64, n int, rng *rand.Rand) []int64 {
	return splitExact(total, randomWeights(n, rng))
}

// splitExact splits total over weights by largest remainder, so the parts
// add up to total exactly.
func splitExact(total int64, weights []float64) []int64 {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	out := make([]int64, len(weights))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		exact := float64(total) * w / sum
		out[i] = int64(exact)
		given += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; given < total; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}
