package detector

import "math"

// seasonalHist counts non-negative values in bins of 2^-sub of an octave
// (the exponent and the top sub mantissa bits of the float64), so that a
// window of them can slide in constant time and still give its quantiles to
// within a bin: a quantile is the middle of the bin that holds its rank or,
// when the histogram also sums the rest of the mantissas per bin (as
// integers, so exactly), the mean of the values in it, which is exact when
// they are all equal. Values below 2^expLo count as 0 and values from 2^expHi
// up as 2^expHi. The counts and sums are a function of the values in the
// window only, so the quantiles do not depend on how the window got there.
//
// Two resolutions are used. The errors of seasonalResiduals get 32 bins an
// octave (the middle of a bin is within 1.6% of its values): their spread is
// a few percent uncertain from the sample alone (a MAD of n values has a
// standard error near 1.17/√n, 4.5% for 672), so the binning changes no
// verdict the sample would not. Growth ratios, which chain over seasons and
// sit near 1, get 256 bins and sums (0.2% to 0.4%, and the mean of a bin is
// usually much closer; exactly 1 for a constant series).
type seasonalHist struct {
	count        []uint16
	octave       []int32 // counts per octave (bin 0 and the last bin are octaves of their own), to place a new position fast
	sum          []int64 // of the mantissa bits below the bin's; nil without sums
	sums         []int64 // the buffer of sum, kept when sum is nil
	sub          uint
	expLo, expHi int
	n            int
	ptr          [2]seasonalHistPtr // kept positions of the last two quantiles asked for
}

// seasonalHistPtr is a bin and the number of values in the bins below it.
type seasonalHistPtr struct {
	q          float64
	bin, below int
}

// Resolutions of seasonalHist.
const (
	seasonalErrSub, seasonalErrLo, seasonalErrHi          = 5, -40, 40 // errors, scaled near 1: 1e-12 to 1e12
	seasonalGrowthSub, seasonalGrowthLo, seasonalGrowthHi = 8, -4, 4   // growth ratios: 1/16 to 16
)

// newSeasonalHist returns an empty histogram of the given resolution, with
// sums or not; it counts at most 65,535 values.
func newSeasonalHist(sub uint, expLo, expHi int, sums bool) *seasonalHist {
	h := new(seasonalHist)
	h.init(sub, expLo, expHi, sums)
	return h
}

// init makes h an empty histogram of the given resolution, reusing its
// arrays when they are large enough.
func (h *seasonalHist) init(sub uint, expLo, expHi int, sums bool) {
	n := (expHi-expLo)<<sub + 2
	h.count, h.octave = seasonalBuf(&h.count, n), seasonalBuf(&h.octave, expHi-expLo+2)
	h.sum = nil
	if sums {
		h.sum = seasonalBuf(&h.sums, n)
	}
	h.sub, h.expLo, h.expHi = sub, expLo, expHi
	h.reset()
}

// bin returns the bin of v >= 0 (0 below 2^expLo, len(count)-1 from
// 2^expHi), its octave, and the mantissa bits of v below the bin's.
func (h *seasonalHist) bin(v float64) (b, octave int, rest int64) {
	bits := math.Float64bits(v)
	e := int(bits>>52) - 1023
	switch {
	case e < h.expLo:
		return 0, 0, 0
	case e >= h.expHi:
		return len(h.count) - 1, len(h.octave) - 1, 0
	}
	r := 52 - h.sub
	return 1 + (e-h.expLo)<<h.sub + int(bits>>r)&(1<<h.sub-1), 1 + e - h.expLo, int64(bits & (1<<r - 1))
}

// value returns the mean of the count values in bin b whose mantissa bits
// below the bin's sum to sum.
func (h *seasonalHist) value(b int, count int, sum int64) float64 {
	switch b {
	case 0:
		return 0
	case len(h.count) - 1:
		return math.Ldexp(1, h.expHi)
	}
	k, rest := b-1, 52-h.sub
	e := uint64(k>>h.sub + h.expLo + 1023) // biased exponent, well inside the normal range
	base := math.Float64frombits(e<<52 | uint64(k&(1<<h.sub-1))<<rest)
	ulp := math.Float64frombits((e - 52) << 52) // 2^(exponent-52), the unit of the mantissa bits
	return base + float64(sum)/float64(count)*ulp
}

// middle returns the value in the middle of bin b: the bin's bits with the
// next mantissa bit set.
func (h *seasonalHist) middle(b int) float64 {
	switch b {
	case 0:
		return 0
	case len(h.count) - 1:
		return math.Ldexp(1, h.expHi)
	}
	k, rest := b-1, 52-h.sub
	e := uint64(k>>h.sub + h.expLo + 1023)
	return math.Float64frombits(e<<52 | uint64(k&(1<<h.sub-1))<<rest | 1<<(rest-1))
}

// middleOf is middle(b) for a bin b from quantileBin, NaN for -1.
func (h *seasonalHist) middleOf(b int) float64 {
	if b < 0 {
		return math.NaN()
	}
	return h.middle(b)
}

// edges returns the values at the bottom and top of bin b.
func (h *seasonalHist) edges(b int) (lo, hi float64) {
	switch b {
	case 0:
		return 0, 0
	case len(h.count) - 1:
		top := math.Ldexp(1, h.expHi)
		return top, top
	}
	k := b - 1
	e := k>>h.sub + h.expLo
	m, w := float64(k&(1<<h.sub-1)), float64(int(1)<<h.sub)
	return math.Ldexp(1+m/w, e), math.Ldexp(1+(m+1)/w, e)
}

// firstBin returns the first bin of octave o.
func (h *seasonalHist) firstBin(o int) int {
	if o == len(h.octave)-1 {
		return len(h.count) - 1
	}
	return max(0, (o-1)<<h.sub+1)
}

// key returns the bin of v >= 0 and its octave in one number, for a value
// that is added and removed again: addKey and removeKey take it without
// working out the bin again.
func (h *seasonalHist) key(v float64) int32 {
	b, o, _ := h.bin(v)
	return int32(b) | int32(o)<<16
}

func (h *seasonalHist) add(v float64) {
	b, o, r := h.bin(v)
	h.addKey(int32(b)|int32(o)<<16, r)
}

func (h *seasonalHist) remove(v float64) {
	b, o, r := h.bin(v)
	h.removeKey(int32(b)|int32(o)<<16, r)
}

// addKey adds a value of the given key (see key) whose mantissa bits below
// the bin's are r.
func (h *seasonalHist) addKey(k int32, r int64) {
	b := int(k & 0xffff)
	h.count[b]++
	h.octave[k>>16]++
	if h.sum != nil {
		h.sum[b] += r
	}
	h.n++
	h.ptr[0].below += seasonalCount(b < h.ptr[0].bin)
	h.ptr[1].below += seasonalCount(b < h.ptr[1].bin)
}

// removeKey removes a value added with addKey(k, r).
func (h *seasonalHist) removeKey(k int32, r int64) {
	b := int(k & 0xffff)
	h.count[b]--
	h.octave[k>>16]--
	if h.sum != nil {
		h.sum[b] -= r
	}
	h.n--
	h.ptr[0].below -= seasonalCount(b < h.ptr[0].bin)
	h.ptr[1].below -= seasonalCount(b < h.ptr[1].bin)
}

// slideKeys removes the values of keys out, whose rests are rOut, and adds
// those of keys in, whose rests are rIn; key -1 is no value. It is
// removeKey and addKey in loops with the arrays and the kept positions in
// local variables, which the compiler keeps in registers.
func (h *seasonalHist) slideKeys(out []int32, rOut []int64, in []int32, rIn []int64) {
	count, octave, sum := h.count, h.octave, h.sum
	b0, b1 := h.ptr[0].bin, h.ptr[1].bin
	var dn, d0, d1 int
	rOut, rIn = rOut[:len(out)], rIn[:len(in)]
	for x, k := range out {
		if k < 0 {
			continue
		}
		b := int(k & 0xffff)
		count[b]--
		octave[k>>16]--
		if sum != nil {
			sum[b] -= rOut[x]
		}
		dn--
		d0 -= seasonalCount(b < b0)
		d1 -= seasonalCount(b < b1)
	}
	for x, k := range in {
		if k < 0 {
			continue
		}
		b := int(k & 0xffff)
		count[b]++
		octave[k>>16]++
		if sum != nil {
			sum[b] += rIn[x]
		}
		dn++
		d0 += seasonalCount(b < b0)
		d1 += seasonalCount(b < b1)
	}
	h.n += dn
	h.ptr[0].below += d0
	h.ptr[1].below += d1
}

// reset empties h.
func (h *seasonalHist) reset() {
	clear(h.count)
	clear(h.octave)
	clear(h.sum)
	h.n, h.ptr = 0, [2]seasonalHistPtr{}
}

// quantile returns the q-quantile of the values, 0 < q <= 1: the middle or
// the mean of the bin that holds rank q·(n-1) of the sorted values (see
// quantileBin); NaN when there are none.
func (h *seasonalHist) quantile(q float64) float64 {
	b := h.quantileBin(q)
	switch {
	case b < 0:
		return math.NaN()
	case h.sum == nil:
		return h.middle(b)
	}
	return h.value(b, int(h.count[b]), h.sum[b])
}

// quantileBin returns the bin that holds rank q·(n-1) of the sorted values,
// 0 < q <= 1, or -1 when there are none. It keeps a position for each of
// two q and walks from there, which costs a step or two when the window
// moves by one value.
func (h *seasonalHist) quantileBin(q float64) int {
	if h.n == 0 {
		return -1
	}
	i := 0 // the position kept for q, else an unused one, else the last
	for i < len(h.ptr)-1 && h.ptr[i].q != q && h.ptr[i].q != 0 {
		i++
	}
	p := &h.ptr[i]
	// The bin holds rank x = q·(n-1) when below <= x < below+count, which
	// for whole counts is below <= ⌊x⌋ < below+count.
	x := int(q * float64(h.n-1))
	if p.q != q { // a new position: find its octave first
		o, below := 0, 0
		for below+int(h.octave[o]) <= x {
			below += int(h.octave[o])
			o++
		}
		*p = seasonalHistPtr{q: q, bin: h.firstBin(o), below: below}
	}
	for p.below > x {
		p.bin--
		p.below -= int(h.count[p.bin])
	}
	for p.below+int(h.count[p.bin]) <= x {
		p.below += int(h.count[p.bin])
		p.bin++
	}
	return p.bin
}

// seasonalErrKey is key for the histograms of errors (seasonalErrSub,
// seasonalErrLo, seasonalErrHi), with the resolution in constants so that
// it compiles to a few instructions where the errors are binned.
func seasonalErrKey(v float64) int32 {
	const sub, lo, hi = seasonalErrSub, seasonalErrLo, seasonalErrHi
	bits := math.Float64bits(v)
	e := int(bits>>52) - 1023
	switch {
	case e < lo:
		return 0
	case e >= hi:
		return (hi-lo)<<sub + 1 | (hi-lo+1)<<16
	}
	return int32(1+(e-lo)<<sub+int(bits>>(52-sub))&(1<<sub-1)) | int32(1+e-lo)<<16
}

// seasonalGrowthKey is key and the rest of the mantissa for the histogram of
// growth ratios (seasonalGrowthSub, seasonalGrowthLo, seasonalGrowthHi),
// like seasonalErrKey.
func seasonalGrowthKey(v float64) (int32, int64) {
	const sub, lo, hi = seasonalGrowthSub, seasonalGrowthLo, seasonalGrowthHi
	bits := math.Float64bits(v)
	e := int(bits>>52) - 1023
	switch {
	case e < lo:
		return 0, 0
	case e >= hi:
		return (hi-lo)<<sub + 1 | (hi-lo+1)<<16, 0
	}
	return int32(1+(e-lo)<<sub+int(bits>>(52-sub))&(1<<sub-1)) | int32(1+e-lo)<<16, int64(bits & (1<<(52-sub) - 1))
}
