package detector

import (
	"math"
	"time"
)

// This file holds what Judge concludes from the newest arrival of any row
// once some bucket shows that rows stopped arriving.

// stopped applies the newest arrival of any row to the buckets in out,
// once evidence says that rows may have stopped arriving: a bucket then
// holds no more than buckets usually hold at the age it had at Newest.
// Batch loads are judged right too: a bucket has what the last load
// brought.
func (c Completeness) stopped(s Series, a Arrivals, refs []int, out []Fullness) {
	if a.Newest.IsZero() || !a.Newest.Before(a.Now) {
		return
	}
	if !c.evidence(s, a, refs, out) {
		return
	}
	for k := range out {
		f := &out[k]
		asOf, now := a.Newest.Sub(f.Time), a.Now.Sub(f.Time)
		if f.Pace == Empty || completeProbe(a.Probes, now) < 0 || !(completeUpper(a.Probes, asOf) < completeProbe(a.Probes, now)) {
			continue // nothing to say, or rows stopped less than a probe ago
		}
		usual, likely := completeAt(a, completePool(s, a, refs, f.Index), asOf)
		if likely >= c.min() {
			continue // buckets were usually complete by then
		}
		f.Since = a.Newest
		f.Share = math.Min(f.Share, usual)
		if f.Pace == OnSchedule {
			f.Share, f.Pace = usual, Stalled
		}
		c.settle(s, f, false)
	}
}

// evidence reports whether some bucket shows that rows stopped arriving: it
// is stalled or empty, or it is still young and has no rows where reference
// buckets of its age almost always have some. A young bucket that is small
// enough can be empty too; then rows still arrive for the others, Newest is
// recent and nothing follows from it.
func (c Completeness) evidence(s Series, a Arrivals, refs []int, out []Fullness) bool {
	for _, f := range out {
		if f.Pace != OnSchedule {
			return true
		}
		k := completeProbe(a.Probes, a.Now.Sub(f.Time))
		if f.Arrived == 0 && k >= 0 && completeUnusuallyEmpty(a, completePool(s, a, refs, f.Index), k) {
			return true
		}
	}
	return false
}

// completeUpper returns the first probe at or after offset, or len(probes).
func completeUpper(probes []time.Duration, offset time.Duration) int {
	for j, p := range probes {
		if p >= offset {
			return j
		}
	}
	return len(probes)
}

// completeAt returns, at offset x from a bucket's start, the usual share
// of the reference buckets refs, linear between the probes around x (from
// 0 at the start), and the share 90% of them reached at the first probe at
// or after x. The likely share decides, and errs towards judging: where
// rows come in batches, the curve steps between probes, and a bucket whose
// load came just before x must not be called late. A bucket whose load is
// missing still shows: it is empty, or stalled against its time of day.
func completeAt(a Arrivals, refs []int, x time.Duration) (usual, likely float64) {
	if x <= 0 {
		return 0, 0
	}
	prev, pu := time.Duration(0), 0.0
	for k, p := range a.Probes {
		u, l := completeUsual(a, refs, k)
		if x <= p {
			w := float64(x-prev) / float64(p-prev)
			return pu + w*(u-pu), l
		}
		prev, pu = p, u
	}
	return completeUsual(a, refs, len(a.Probes)-1)
}
