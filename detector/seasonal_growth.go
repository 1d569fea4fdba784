package detector

import (
	"math"
	"slices"
	"time"
)

// seasonalGrowth returns, for each bucket j in [lo, hi), the growth of the
// metric over one season of p buckets: the median over the w buckets u
// before j's block of vals[u]/vals[u-p] (scale) or vals[u]-vals[u-p]
// (shift), skipping missing values and, for ratios, non-positive bases. It
// is NaN when fewer than half of the w pairs exist, and with strict when any
// value of the pairs is negative. A block is a day of buckets (a bucket for
// daily steps), aligned to the Unix epoch or, for whole days, to the
// calendar, so that a bucket's growth does not depend on where the series
// starts; taking the median once a block rather than at every bucket makes
// it cheap, and a lag of a day does not matter to a growth measured over a
// week or more. A window slides along, one removal and one insertion per
// bucket: for ratios a fine histogram (seasonalHist), for differences, which
// may be negative, a sorted slice.
func seasonalGrowth(s Series, scale, strict bool, p, w, lo, hi int, buf *seasonalBufs) []float64 {
	block := 1
	if !s.Calendar() {
		block = max(1, int(24*time.Hour/s.Step))
	}
	phase := seasonalPhase(s, block)
	gw := seasonalGrowthWin{first: lo - (lo+phase)%block, lo: lo, hi: hi, w: w, block: block, strict: strict}
	gw.base = gw.first - w
	// The pairs from first-w on: the count of pairs with a negative value
	// up to each, and the growth of each bucket (NaN when unknown), for
	// ratios as its histogram key and the rest of its mantissa.
	n := hi - gw.base
	gw.neg = seasonalBuf(&buf.neg, n+1)
	gw.neg[0] = 0
	g := seasonalBuf(&buf.growth, hi-lo)
	vals := s.Values
	if !scale {
		pv := seasonalBuf(&buf.pv, n)
		for u := gw.base; u < hi; u++ {
			d := math.NaN()
			if u-p >= 0 {
				if x := vals[u] - vals[u-p]; x-x == 0 {
					d = x
				}
			}
			pv[u-gw.base], gw.neg[u-gw.base+1] = d, gw.neg[u-gw.base]
		}
		gw.differences(pv, seasonalBuf(&buf.win, w)[:0], g)
		return g
	}
	hist := &buf.growthHist
	hist.init(seasonalGrowthSub, seasonalGrowthLo, seasonalGrowthHi, true)
	keys, rest := seasonalBuf(&buf.gKey, n), seasonalBuf(&buf.gRest, n)
	// Buckets before p have no value a season earlier: no pair.
	u0 := min(max(gw.base, p), hi)
	for u := gw.base; u < u0; u++ {
		keys[u-gw.base] = -1
		gw.neg[u-gw.base+1] = gw.neg[u-gw.base]
	}
	x0 := u0 - gw.base
	seasonalRatioKeys(vals[u0:hi], vals[u0-p:hi-p], keys[x0:], rest[x0:], gw.neg[x0:])
	gw.ratios(hist, keys, rest, g)
	return g
}

// seasonalGrowthWin is the sliding window of seasonalGrowth: the pairs
// [j-w, j) before bucket j, from the block start first on, with pair u at
// index u-base of the per-pair arrays.
type seasonalGrowthWin struct {
	first, base, lo, hi, w, block int
	strict                        bool
	neg                           []int32 // pairs with a negative value before each
}

// known reports whether the window before bucket j, which holds n pairs,
// gives a growth.
func (gw *seasonalGrowthWin) known(j, n int) bool {
	return 2*n >= gw.w && !(gw.strict && gw.neg[j-gw.base] > gw.neg[j-gw.w-gw.base])
}

// seasonalRatioKeys sets keys[x] and rest[x] to the histogram key and rest
// of the ratio cur[x]/prev[x] when it is a finite ratio of positive values
// (key -1 otherwise), and neg[x+1] to neg[x] plus one when either value is
// negative.
func seasonalRatioKeys(cur, prev []float64, keys []int32, rest []int64, neg []int32) {
	prev, keys, rest, neg = prev[:len(cur)], keys[:len(cur)], rest[:len(cur)], neg[:len(cur)+1]
	c := neg[0]
	for x, a := range cur {
		b, k := prev[x], int32(-1)
		if q := a / b; q-q == 0 && a >= 0 && b > 0 {
			k, rest[x] = seasonalGrowthKey(q)
		}
		keys[x] = k
		c += int32(seasonalCount(a < 0 || b < 0))
		neg[x+1] = c
	}
}

// ratios fills g with the median of the ratios of each block's window, from
// their histogram keys and rests (key -1: no ratio).
func (gw *seasonalGrowthWin) ratios(hist *seasonalHist, keys []int32, rest []int64, g []float64) {
	hist.slideKeys(nil, nil, keys[:gw.w], rest[:gw.w])
	for b := gw.first; b < gw.hi; b += gw.block {
		cur := math.NaN()
		if gw.known(b, hist.n) {
			cur = hist.quantile(0.5)
		}
		end := min(b+gw.block, gw.hi)
		for j := max(b, gw.lo); j < end; j++ {
			g[j-gw.lo] = cur
		}
		out, in := b-gw.w-gw.base, b-gw.base
		hist.slideKeys(keys[out:out+end-b], rest[out:out+end-b], keys[in:in+end-b], rest[in:in+end-b])
	}
}

// differences fills g with the median of the differences pv (NaN: none) of
// each block's window, kept sorted in win.
func (gw *seasonalGrowthWin) differences(pv, win, g []float64) {
	for _, v := range pv[:gw.w] {
		if v == v {
			win = seasonalSlide(win, 0, false, v, true)
		}
	}
	for b := gw.first; b < gw.hi; b += gw.block {
		cur := math.NaN()
		if n := len(win); gw.known(b, n) {
			cur = seasonalMid(win[(n-1)/2], win[n/2])
		}
		end := min(b+gw.block, gw.hi)
		for j := max(b, gw.lo); j < end; j++ {
			g[j-gw.lo] = cur
		}
		for j := b; j < end; j++ {
			out, in := pv[j-gw.w-gw.base], pv[j-gw.base]
			win = seasonalSlide(win, out, out == out, in, in == in)
		}
	}
}

// seasonalSlide removes out from and inserts in into sorted win, each only
// when its flag is set. When both are set it shifts only the values between
// their positions, in one pass.
func seasonalSlide(win []float64, out float64, okOut bool, in float64, okIn bool) []float64 {
	switch {
	case okOut && okIn:
		r, a := seasonalSearch(win, out), seasonalSearch(win, in)
		if a > r { // in lands above out: shift (r, a) down
			copy(win[r:a-1], win[r+1:a])
			win[a-1] = in
		} else { // shift [a, r) up
			copy(win[a+1:r+1], win[a:r])
			win[a] = in
		}
		return win
	case okOut:
		return slices.Delete(win, seasonalSearch(win, out), seasonalSearch(win, out)+1)
	case okIn:
		return slices.Insert(win, seasonalSearch(win, in), in)
	}
	return win
}

// seasonalSearch returns the first index of sorted w whose value is not
// below v. It compares with < only: w holds no NaN, and slices.BinarySearch's
// NaN-aware comparison doubled the cost of seasonalGrowth.
func seasonalSearch(w []float64, v float64) int {
	base, n := 0, len(w)
	for n > 1 { // branch-free halving: the compare only picks the base
		half := n / 2
		if w[base+half-1] < v {
			base += half
		}
		n -= half
	}
	if n == 1 && w[base] < v {
		base++
	}
	return base
}
