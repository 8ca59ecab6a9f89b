package indicators

import (
	"laoxiao/schema"
)

// partial is one township's contribution to every additive measure: the
// sums, and how many records went into each (base: the records the
// measure counts over; extra: visits that made a person count as
// visited). A county's partial is the sum of its townships' partials,
// which is why the engine reads a county once whatever the indicators.
type partial struct {
	sum   [numAdditive]int64
	base  [numAdditive]int
	extra [numAdditive]int
}

func (p *partial) add(o *partial) {
	for i := range p.sum {
		p.sum[i] += o.sum[i]
		p.base[i] += o.base[i]
		p.extra[i] += o.extra[i]
	}
}

// inc adds v to measure m, read from n records.
func (p *partial) inc(m measure, v int64, n int) {
	p.sum[m] += v
	p.base[m] += n
}

// townAcc gathers one township's records during a scan.
type townAcc struct {
	code    schema.Code
	p       partial
	records int // live records other than targets
	byKind  [numKinds]int
}

// numKinds bounds the record kinds counted per township; a kind added to
// schema.Kinds beyond it is skipped rather than miscounted.
const numKinds = 8

// kindIndex maps a kind to its place in schema.Kinds, or -1.
func kindIndex(k []byte) int {
	for i, kk := range schema.Kinds {
		if string(kk) == string(k) && i < numKinds {
			return i
		}
	}
	return -1
}
