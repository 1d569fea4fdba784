package detector

import (
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// judge returns the verdict on bucket i.
func (c Completeness) judge(s Series, a Arrivals, refs []int, i int) Fullness {
	start := s.Time(i)
	f := Fullness{Index: i, Time: start, Age: a.Now.Sub(s.Time(i + 1)), Arrived: a.Final[i], Expected: math.NaN()}
	if math.IsNaN(f.Arrived) {
		f.Arrived = 0 // no row came back for the bucket
	}
	k := completeProbe(a.Probes, a.Now.Sub(start))
	pool := completePool(s, a, refs, i)
	if k >= 0 {
		f.Usual, f.Likely = completeUsual(a, pool, k)
	}
	f.Share = f.Usual
	// On schedule, a bucket is ready when 90% of buckets of its age are
	// complete; once it is older than MaxWait, when most are.
	ready := f.Likely >= c.min() || f.Age >= c.MaxWait && f.Usual >= c.min()
	switch {
	case k < 0:
	case f.Arrived == 0:
		if ready && completeUnusuallyEmpty(a, pool, k) {
			f.Pace, f.Share, ready = Empty, 0, false
		}
	default:
		if share, ok := c.stalled(s, a, refs, i, k); ok && share < f.Usual {
			f.Pace, f.Share = Stalled, share
			ready = share >= c.min()
		}
	}
	c.settle(s, &f, ready)
	return f
}

// settle fills in what follows from f's share: the expected rows, the
// readiness and the reason.
func (c Completeness) settle(s Series, f *Fullness, ready bool) {
	f.Expected = math.NaN()
	if f.Share > 0 {
		f.Expected = f.Arrived / f.Share
	}
	switch {
	case ready:
		f.Readiness = Complete
	case f.Age >= c.MaxWait:
		f.Readiness = Late
	default:
		f.Readiness = Filling
	}
	f.Reason = completeReason(s, *f, c.min())
}

// completeProbe returns the last probe at or before offset, or -1.
func completeProbe(probes []time.Duration, offset time.Duration) int {
	k := -1
	for j, p := range probes {
		if p <= offset {
			k = j
		}
	}
	return k
}

// completeUsual returns the median share of their final rows that
// reference buckets held at probe k, and the share that 90% of them
// reached; 0 when none tells.
func completeUsual(a Arrivals, refs []int, k int) (median, likely float64) {
	x := make([]float64, 0, len(refs))
	for _, r := range refs {
		if v, final := a.Arrived[r][k], a.Final[r]; final > 0 && !math.IsNaN(v) {
			x = append(x, math.Min(v/final, 1))
		}
	}
	if len(x) == 0 {
		return 0, 0
	}
	slices.Sort(x)
	return completeQuantile(x, 0.5), completeQuantile(x, completeLikely)
}

// completePool returns the references that bucket i is compared with: those
// that start at the same time of day, when at least completeSlotRefs of
// them hold rows, else all. Batch loads on a daily schedule, and quiet
// nights, then compare alike.
func completePool(s Series, a Arrivals, refs []int, i int) []int {
	if slot := completeSlot(s, refs, i); countPositive(a.Final, slot) >= completeSlotRefs {
		return slot
	}
	return refs
}

// completeUnusuallyEmpty reports whether an empty bucket at probe k is
// unusual: at most completeEmptyLevel of reference buckets (counting the
// bucket itself, as an empirical p-value) had no rows then.
func completeUnusuallyEmpty(a Arrivals, refs []int, k int) bool {
	n, empty := 0, 0
	for _, r := range refs {
		v := a.Arrived[r][k]
		if math.IsNaN(v) {
			continue
		}
		n++
		if v == 0 {
			empty++
		}
	}
	return n >= completeMinRefs && float64(1+empty)/float64(1+n) <= completeEmptyLevel
}

// stalled looks for probes j after bucket i ended, at which buckets
// usually still lack more than 1-Min of their rows, since which the bucket
// gained unusually few rows compared with reference buckets between probes
// j and k: all of them, and those that start at the same time of day, as
// batch loads on a daily schedule treat alike. It returns the bucket's
// estimated share: the lowest, over the probes that tell, of its rows over
// the rows expected from its count at j. When rows stopped before the
// probe, that count was already short and the share is overstated; the
// lowest is the closest.
func (c Completeness) stalled(s Series, a Arrivals, refs []int, i, k int) (share float64, ok bool) {
	pools := [][]int{refs}
	if slot := completeSlot(s, refs, i); len(slot) >= completeMinRefs {
		pools = append(pools, slot)
	}
	length := s.Time(i + 1).Sub(s.Time(i))
	var tries []int
	for j := 0; j < k; j++ {
		if a.Probes[j] >= length && a.Arrived[i][j] > 0 {
			if _, likely := completeUsual(a, refs, j); likely < c.min() {
				tries = append(tries, j)
			}
		}
	}
	level := completeStallLevel / float64(max(len(tries)*len(pools), 1))
	share = math.Inf(1)
	for _, pool := range pools {
		for _, j := range tries {
			p, sh, tested := completeGain(a, pool, i, j, k)
			if tested && p <= level {
				share, ok = math.Min(share, sh), true
			}
		}
	}
	return share, ok
}

// completeSlot returns the references that start at the same time of day
// as bucket i, in the series' zone; none for calendar buckets, whose
// references all start at midnight.
func completeSlot(s Series, refs []int, i int) []int {
	if s.Calendar() {
		return nil
	}
	loc := s.Location()
	clock := func(t time.Time) int { h, m, sec := t.In(loc).Clock(); return h*3600 + m*60 + sec }
	want := clock(s.Time(i))
	var out []int
	for _, r := range refs {
		if clock(s.Time(r)) == want {
			out = append(out, r)
		}
	}
	return out
}

// completeGain tests bucket i's gain in rows from probe j to now against
// the gains of the reference buckets refs from probe j to probe k. It
// returns the Poisson p-value of a gain that small, and the bucket's
// estimated share; tested is false when too few references had rows at j,
// or when the bucket's gain is not below that of 95% of them.
func completeGain(a Arrivals, refs []int, i, j, k int) (p, share float64, tested bool) {
	early, now := a.Arrived[i][j], a.Final[i]
	ratio := now / early
	var gains, finals []float64
	below := 0
	for _, r := range refs {
		e, v := a.Arrived[r][j], a.Arrived[r][k]
		if !(e > 0) || math.IsNaN(v) {
			continue
		}
		g := v / e
		gains = append(gains, g)
		finals = append(finals, a.Final[r]/e)
		if g <= ratio {
			below++
		}
	}
	n := len(gains)
	if n < completeMinRefs || float64(1+below)/float64(1+n) > completeStallRank {
		return 1, 0, false
	}
	slices.Sort(gains)
	lambda := early * (completeQuantile(gains, 0.5) - 1)
	if !(lambda > 0) {
		return 1, 0, false
	}
	p = distuv.Poisson{Lambda: lambda}.CDF(now - early)
	slices.Sort(finals)
	return p, now / (early * completeQuantile(finals, 0.5)), true
}

// completeQuantile returns the q-quantile of sorted x (not empty), linear
// between order statistics.
func completeQuantile(x []float64, q float64) float64 {
	pos := q * float64(len(x)-1)
	lo := int(math.Floor(pos))
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[lo] + (pos-float64(lo))*(x[lo+1]-x[lo])
}
