package detector

import "time"

// seasonalZone maps a bucket to the bucket holding the same local time some
// seasons earlier, for a sub-day series whose zone changes its UTC offset
// (daylight saving) somewhere in the range. The offsets are computed once per
// call, one time-zone lookup per transition, so that the hot loop does
// integer arithmetic only.
type seasonalZone struct {
	lo   int     // bucket of off[0]
	off  []int32 // UTC offset in seconds at the start of each bucket
	run  []int32 // index in off of the first bucket of each bucket's run of equal offsets
	step int64   // bucket length in nanoseconds
}

// newSeasonalZone returns the offsets of buckets [lo, hi) of sub-day series
// s, or nil when the offset is the same over the whole range: then the same
// slot is always a whole number of seasons back and no lookup is needed.
func newSeasonalZone(s Series, lo, hi int) *seasonalZone {
	z := new(seasonalZone)
	if !z.fill(s, lo, hi) {
		return nil
	}
	return z
}

// fill sets z to the offsets of buckets [lo, hi) of s, reusing its array,
// and reports whether the offset changes in the range (see newSeasonalZone).
func (z *seasonalZone) fill(s Series, lo, hi int) bool {
	loc := s.Location()
	_, end := s.Time(lo).In(loc).ZoneBounds()
	if end.IsZero() || end.After(s.Time(hi-1)) {
		return false
	}
	z.lo, z.off, z.step = lo, seasonalBuf(&z.off, hi-lo), int64(s.Step)
	for j := lo; j < hi; {
		t := s.Time(j).In(loc)
		_, off := t.Zone()
		_, end := t.ZoneBounds()
		stop := hi
		if !end.IsZero() {
			// first bucket starting at or after the transition
			d := int64(end.Sub(s.Start))
			stop = min(stop, max(j+1, int((d+z.step-1)/z.step)))
		}
		for ; j < stop; j++ {
			z.off[j-lo] = int32(off)
		}
	}
	z.run = seasonalBuf(&z.run, hi-lo)
	start := 0
	for x := range z.off {
		if x > 0 && z.off[x] != z.off[x-1] {
			start = x
		}
		z.run[x] = int32(start)
	}
	return true
}

// steady reports whether buckets t0 to j all have the same offset, so that
// every slot of j from t0 on is a whole number of seasons back.
func (z *seasonalZone) steady(j, t0 int) bool {
	return t0 >= z.lo && int(z.run[j-z.lo]) <= t0-z.lo
}

// slot returns the bucket that holds bucket j's local wall time at the
// instant near bucket t0 = j - k·period, or -1 when that season has no such
// local time (the hour skipped when clocks go forward).
//
// The wall time of j is time(j)+off(j). If t0 has the same offset, t0 is the
// answer; this also settles the repeated autumn hour in favour of the
// occurrence with j's offset. Otherwise the only other candidate is the
// bucket holding time(t0)+off(j)-off(t0), valid when it has t0's offset.
func (z *seasonalZone) slot(j, t0 int) int {
	if t0 < z.lo {
		return -1
	}
	a, b := z.off[j-z.lo], z.off[t0-z.lo]
	if a == b {
		return t0
	}
	t1 := t0 + int(seasonalFloorDiv(int64(a-b)*int64(time.Second), z.step))
	if t1 < z.lo || t1 >= j || z.off[t1-z.lo] != b {
		return -1
	}
	return t1
}

func seasonalFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
