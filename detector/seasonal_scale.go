package detector

import (
	"math"
	"time"
)

// seasonalMaxWindow bounds the residual window on fine steps;
// seasonalMinResiduals is the fewest residuals a scale is estimated from
// (the widening makes a band from few honest).
const (
	seasonalMaxWindow    = 2016
	seasonalMinResiduals = 3
)

// seasonalWindow is the number of buckets before a judged one whose
// residuals give its scale: four weeks, a whole number of seasons so that
// every slot counts equally, at most seasonalMaxWindow buckets.
func seasonalWindow(s Series, p int) int {
	w := int(min(4*7*24*time.Hour/s.Step, seasonalMaxWindow))
	if w >= p {
		w -= w % p
	}
	return w
}

// seasonalBlock is the number of buckets that share one choice of noise
// power: a day of buckets, one bucket for whole days.
func seasonalBlock(s Series) int {
	if s.Calendar() {
		return 1
	}
	return max(1, int(24*time.Hour/s.Step))
}

// seasonalBlockStart is the first bucket of bucket j's block.
func seasonalBlockStart(j, block, phase int) int {
	return j - (j+phase)%block
}

// The noise powers: how the size of the noise grows with the level. A
// metric's noise may be added to it (power 0: a latency, a temperature), grow
// with its square root (½: counts, Poisson), or in proportion (1: most sums
// and large counts, whose noise is a share of the level).
var seasonalPowers = [...]float64{0, 0.5, 1}

// seasonalMaxRel bounds the relative errors: an error 2^40 times the
// expected value says the expected value is no measure of the metric's size,
// and the window around it uses absolute errors only.
var seasonalMaxRel = math.Ldexp(1, seasonalErrHi)

// seasonalResiduals holds the errors of the method's own predictions on the
// buckets of one call, standardised for each noise power, and histograms of
// the last w of them.
type seasonalResiduals struct {
	lo, w    int       // bucket of exp[0]; window length
	exp, fac []float64 // expected value of each bucket (see predict) and its predict factor
	// The error of power k of a bucket is |value - expected| / (factor ·
	// expected^power k), times 2^-shift[k] so that it sits near 1 in the
	// histograms; unknown when the value or the expected value is, and for
	// the powers above 0 when bad. key[k] holds the histogram key (see
	// seasonalHist.key) of each, -1 when unknown; it is filled when power k
	// is first needed (ready), from abs, the errors of power 0 before the
	// shift (NaN when unknown).
	key     [len(seasonalPowers)][]int32
	ready   [len(seasonalPowers)]bool
	abs     []float64
	shift   [len(seasonalPowers)]int
	mul     [len(seasonalPowers)]float64 // 2^-shift
	unshift [len(seasonalPowers)]float64 // 2^shift
	bad     []int32                      // cumulative count of buckets whose errors cannot be taken relative to the level
	// hist holds the errors u[held] of the window; it is refilled when
	// another power is needed, which a series rarely does.
	hist *seasonalHist
	held int

	// The power is estimated from the relative errors of the buckets whose
	// expected value is below (group 0) or above (group 1) the geometric mean
	// of the season before them: group is -1 for neither, lx the expected
	// value's log2 in 1/1024ths, and per group a histogram of the relative
	// errors and the sum of lx in the window.
	group []int8
	lx    []int64
	rel   [2]*seasonalHist
	sumLx [2]int64

	memo seasonalSpreadMemo // the last spread of hist, see spread

	block, phase int // blocks that share a power, see seasonalBlock
	next         int // the next block's first bucket
	power        int // the index of the power of the current block
}

// predict returns the expected value of bucket t, its predict factor (see
// seasonalPredict) and the number of past slots behind it.
func (r *seasonalRun) predict(t int) (expected, f float64, k int) {
	st := r.st[t-r.lo]
	if st.k == 0 {
		return math.NaN(), 0, 0
	}
	expected, f = st.med, seasonalPredict[st.k]
	if r.daily > 0 {
		if corr, c := r.recent(t, expected); c > 0 {
			// The median of c residuals, each with the prediction variance,
			// adds seasonalMedianVar(c) of it: the factor is
			// seasonalPredict[c], √(1+seasonalMedianVar(c)).
			expected += corr
			f *= seasonalPredict[c]
		}
	}
	return expected, f, st.k
}

// newSeasonalResiduals computes the errors of buckets [lo, len) and slides
// the windows up to bucket from, which starts at lo+w or before.
func newSeasonalResiduals(r *seasonalRun, s Series, lo, from, w int) *seasonalResiduals {
	n, b := len(r.vals), &r.buf
	res := &b.res
	*res = seasonalResiduals{lo: lo, w: w, exp: seasonalBuf(&b.exp, n-lo), fac: seasonalBuf(&b.fac, n-lo), bad: seasonalBuf(&b.bad, n-lo+1),
		block: seasonalBlock(s), phase: seasonalPhase(s, seasonalBlock(s))}
	res.bad[0] = 0
	for k := range res.key {
		res.key[k] = seasonalBuf(&b.key[k], n-lo)
	}
	res.abs = seasonalBuf(&b.abs, n-lo)
	b.hist.init(seasonalErrSub, seasonalErrLo, seasonalErrHi, false)
	res.hist, res.held = &b.hist, len(seasonalPowers)-1
	for g := range res.rel {
		b.rel[g].init(seasonalErrSub, seasonalErrLo, seasonalErrHi, false)
		res.rel[g] = &b.rel[g]
	}
	level := 0 // the binary exponent of the first expected value, to centre the errors of powers below 1
	for t := lo; t < n; t++ {
		e, f, _ := r.predict(t)
		res.exp[t-lo], res.fac[t-lo] = e, f
		if level == 0 && e-e == 0 && e != 0 {
			_, level = math.Frexp(math.Abs(e))
			for k, pw := range seasonalPowers {
				res.shift[k] = int(math.Round(pw * float64(level)))
			}
			res.shift[len(seasonalPowers)-1] = 0 // relative errors need no centring
		}
	}
	res.groups(r.vals, r.p, b)
	for k, sh := range res.shift {
		res.mul[k], res.unshift[k] = math.Ldexp(1, -sh), math.Ldexp(1, sh)
	}
	// The relative errors (power 1, never shifted), which choose the power
	// and are the errors of most series, now; the others when needed.
	rel := len(seasonalPowers) - 1
	keys := res.key[rel]
	for t := lo; t < n; t++ {
		e, v := res.exp[t-lo], r.vals[t]
		a := math.Abs(v-e) / res.fac[t-lo]
		bad, key := false, int32(-1)
		if a-a != 0 { // unknown expected or missing value
			a = math.NaN()
		} else if q := a / e; e <= 0 || v < 0 || !(q < seasonalMaxRel) {
			bad = true
		} else {
			key = seasonalErrKey(q)
		}
		res.abs[t-lo], keys[t-lo] = a, key
		res.bad[t-lo+1] = res.bad[t-lo] + int32(seasonalCount(bad))
	}
	res.ready[rel] = true
	// The first block of the series starts at bucket 0 in every call.
	start := max(lo, seasonalBlockStart(from, res.block, res.phase))
	for t := max(lo, start-w); t < start; t++ {
		res.add(t)
	}
	res.next = start
	for t := start; t < from; t++ {
		res.at(t)
		res.slide(t)
	}
	return res
}

// spread returns the robust spread of the errors in the window before i (see
// seasonalSpread) in the metric's units at the expected value e, and how many
// errors there were.
func (res *seasonalResiduals) spread(i int, e float64) (sigma float64, n int) {
	k := res.power
	if k > 0 && !(e > 0 && res.positive(i)) {
		k = 0
	}
	for {
		res.hold(k, i)
		h := res.hist
		// The spread before the level depends on the bins of the two
		// quantiles only, which a slide of the window seldom changes.
		b50, b90 := h.quantileBin(0.5), h.quantileBin(0.9)
		if m := &res.memo; !m.ok || m.k != k || m.b50 != b50 || m.b90 != b90 {
			*m = seasonalSpreadMemo{k: k, b50: b50, b90: b90, ok: true,
				sigma: seasonalSpread(h.middleOf(b50), h.middleOf(b90)) * res.unshift[k]}
		}
		sigma = res.memo.sigma
		switch seasonalPowers[k] {
		case 0.5:
			sigma *= math.Sqrt(e)
		case 1:
			sigma *= e
		}
		if k == 0 || sigma-sigma == 0 {
			return sigma, h.n
		}
		k = 0 // overflow: the absolute errors
	}
}

// seasonalSpreadMemo is the spread of the errors of power k, before the
// level, whose median and 90th percentile lie in bins b50 and b90; ok is
// false when it is unset.
type seasonalSpreadMemo struct {
	k, b50, b90 int
	sigma       float64
	ok          bool
}

// Quantiles of |Z| for a standard normal Z, and the largest tail correction:
// seasonalSpread estimates the noise's standard deviation σ from the median
// of the absolute errors (0.6745σ for normal noise) and from their 90th
// percentile (1.6449σ).
const (
	seasonalQ50     = 0.6744897501960817
	seasonalQ90     = 1.6448536269514722
	seasonalTailCap = 1.5
)

// seasonalSpread returns the noise spread σ estimated from the median q50
// and the 90th percentile q90 of absolute errors: the larger of the
// estimates from the two, the second capped at seasonalTailCap times the
// first. On normal errors the two agree. Errors with heavier tails than
// normal (Student-t noise, or noise whose size varies within the window)
// reach a robust z of 4 far more often than a normal z does; the 90th
// percentile sees those tails and widens the band so that false alarms stay
// rarer. The cap keeps past incidents from inflating it without bound: a
// ratio of 1.5 is about that of a Student t with two degrees of freedom,
// whose variance is already infinite, so a larger one says that more than a
// tenth of the window was an incident, not that the noise is heavy-tailed.
// The median's estimate survives incidents in up to half of the window.
func seasonalSpread(q50, q90 float64) float64 {
	mid := q50 / seasonalQ50
	return max(mid, min(q90/seasonalQ90, seasonalTailCap*mid))
}

// baseline returns bucket i's expected value and scale, or ok false when
// too few of its past slots hold a value or too few residuals lie before it.
//
// The scale is the spread of the method's own out-of-sample errors: for each
// of the last w buckets, its value less the expected value it had (from the
// slots before it), divided by its predict factor so that errors of medians
// of different sizes are comparable, and by its expected value to the noise
// power (seasonalResiduals.at). The spread of those (seasonalSpread)
// estimates the noise of one value with everything the median does not
// follow (drift between seasons, a season unlike the others) included, and
// does not see past incidents as long as they cover less than half of the
// window. The scale is that spread at i's expected value times i's own
// predict factor, widened for the size of the sample (seasonalWiden), and
// never below seasonalRelFloor·|expected|.
func (r *seasonalRun) baseline(i int) (expected, scale float64, ok bool) {
	if r.st[i-r.lo].k < r.need {
		return math.NaN(), 0, false
	}
	expected, f := r.res.exp[i-r.res.lo], r.res.fac[i-r.res.lo]
	sigma, n := r.res.spread(i, expected)
	if n < seasonalMinResiduals {
		return math.NaN(), 0, false
	}
	sd := sigma * f * r.widen[min(n, seasonalMaxWindow)]
	return expected, max(sd, seasonalRelFloor*math.Abs(expected)), true
}
