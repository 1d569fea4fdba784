package detector

import "math"

// This file keeps the windows of seasonalResiduals: the errors slide in and
// out one bucket at a time, and once a day the noise power is chosen from
// the relative errors of the buckets below and above their season's level.

// groups sets group and lx: a bucket is in group 1 when its expected value
// is above the geometric mean of the values of the p buckets before it, in
// group 0 when below, and in none when it is not positive or fewer than half
// of the p buckets hold a positive value. The logs are rounded to 1/1024 and
// summed as integers, so a bucket's group depends on those p values only.
func (res *seasonalResiduals) groups(vals []float64, p int, b *seasonalBufs) {
	n := len(res.exp)
	res.group, res.lx = seasonalBuf(&b.group, n), seasonalBuf(&b.lx, n)
	base := max(0, res.lo-p)
	lv := seasonalBuf(&b.lv, len(vals)-base) // log2 of each positive value, 0 for the others
	pos := seasonalBuf(&b.pos, len(vals)-base)
	for u := base; u < len(vals); u++ {
		lv[u-base], pos[u-base] = 0, false
		if v := vals[u]; v > 0 && v-v == 0 {
			lv[u-base], pos[u-base] = seasonalLog(v), true
		}
	}
	var sum, cnt int64
	for u := base; u < len(vals); u++ {
		if t := u - res.lo; t >= 0 {
			res.group[t], res.lx[t] = -1, 0
			if e := res.exp[t]; e > 0 && e-e == 0 {
				res.lx[t] = seasonalLog(e)
				if 2*cnt >= int64(p) {
					res.group[t] = int8(seasonalCount(res.lx[t]*cnt > sum))
				}
			}
		}
		if pos[u-base] {
			sum, cnt = sum+lv[u-base], cnt+1
		}
		if o := u - p; o >= base && pos[o-base] {
			sum, cnt = sum-lv[o-base], cnt-1
		}
	}
}

// seasonalLog is log2(v) in 1/1024ths for v > 0: the binary exponent and
// the log of the middle of the mantissa's top-ten-bit bin (seasonalLogs),
// within 1.25/1024 of an octave (0.09%).
func seasonalLog(v float64) int64 {
	bits := math.Float64bits(v)
	e := int64(bits>>52&0x7ff) - 1023
	return e<<10 + int64(seasonalLogs[bits>>42&0x3ff])
}

// seasonalLogs[k] is log2 of the middle of [1+k/1024, 1+(k+1)/1024) in
// 1/1024ths, rounded.
var seasonalLogs = func() (t [1024]int16) {
	for k := range t {
		t[k] = int16(math.Round(math.Log2(1+(float64(k)+0.5)/1024) * 1024))
	}
	return t
}()

// add adds bucket t's errors to the windows, remove removes them.
func (res *seasonalResiduals) add(t int) {
	x := t - res.lo
	if k := res.key[res.held][x]; k >= 0 {
		res.hist.addKey(k, 0)
	}
	if g := res.group[x]; g >= 0 {
		if k := res.key[len(seasonalPowers)-1][x]; k >= 0 {
			res.rel[g].addKey(k, 0)
			res.sumLx[g] += res.lx[x]
		}
	}
}

func (res *seasonalResiduals) remove(t int) {
	x := t - res.lo
	if k := res.key[res.held][x]; k >= 0 {
		res.hist.removeKey(k, 0)
	}
	if g := res.group[x]; g >= 0 {
		if k := res.key[len(seasonalPowers)-1][x]; k >= 0 {
			res.rel[g].removeKey(k, 0)
			res.sumLx[g] -= res.lx[x]
		}
	}
}

// slide moves the windows from [i-w, i) to [i-w+1, i+1).
func (res *seasonalResiduals) slide(i int) {
	if out := i - res.w; out >= res.lo {
		res.remove(out)
	}
	res.add(i)
}

// hold makes hist hold the errors of power k of the window before i.
func (res *seasonalResiduals) hold(k, i int) {
	if k == res.held {
		return
	}
	res.fill(k)
	res.held = k
	res.hist.reset()
	for t := max(res.lo, i-res.w); t < i; t++ {
		if key := res.key[k][t-res.lo]; key >= 0 {
			res.hist.addKey(key, 0)
		}
	}
}

// fill computes the keys of the errors of power k, once.
func (res *seasonalResiduals) fill(k int) {
	if res.ready[k] {
		return
	}
	res.ready[k] = true
	pw, keys := seasonalPowers[k], res.key[k]
	for x, a := range res.abs {
		u := a
		switch {
		case pw > 0 && res.bad[x+1] != res.bad[x]:
			u = math.NaN()
		case pw == 0.5:
			u /= math.Sqrt(res.exp[x])
		case pw == 1:
			u /= res.exp[x]
		}
		u *= res.mul[k] // exact: a power of two
		keys[x] = -1
		if u == u {
			keys[x] = seasonalErrKey(u)
		}
	}
}

// positive reports whether the errors of every bucket in the window before
// i can be taken relative to the level.
func (res *seasonalResiduals) positive(i int) bool {
	a := max(res.lo, i-res.w)
	return res.bad[i-res.lo] == res.bad[a-res.lo]
}

// at prepares the windows for judging bucket i: at the first bucket of a
// block it chooses the noise power for the block. If the noise grows with
// the level to the power β, relative errors grow with it to the power β-1,
// so β is 1 plus the log ratio of the median relative errors of the high and
// the low group over the log ratio of their geometric mean levels; medians,
// so that incidents in the window barely move it. The power is the one of
// seasonalPowers nearest to β; 1, the proportional noise most metrics have,
// when the groups' levels differ by less than a fifth or either group has
// fewer than seasonalMinGroup errors. Without positive values in the window
// only power 0 is possible.
func (res *seasonalResiduals) at(i int) {
	if i < res.next {
		return
	}
	res.next = seasonalBlockStart(i, res.block, res.phase) + res.block
	res.power = 0
	if !res.positive(i) {
		return
	}
	res.power = len(seasonalPowers) - 1
	lo, hi := res.rel[0], res.rel[1]
	if lo.n < seasonalMinGroup || hi.n < seasonalMinGroup {
		return
	}
	levels := (float64(res.sumLx[1])/float64(hi.n) - float64(res.sumLx[0])/float64(lo.n)) / 1024 // log2 of their ratio
	mLo, mHi := lo.quantile(0.5), hi.quantile(0.5)
	if levels < math.Log2(1.2) || !(mLo > 0 && mHi > 0) {
		return
	}
	beta := 1 + math.Log2(mHi/mLo)/levels
	best := math.Inf(1)
	for k, pw := range seasonalPowers {
		if d := math.Abs(beta - pw); d < best {
			best, res.power = d, k
		}
	}
}

// seasonalMinGroup is the fewest relative errors a group needs for the
// noise power to be estimated: the median of 100 is known to about ±12%.
const seasonalMinGroup = 100
