package detector

import (
	"math"
	"sync"
	"time"

	"gonum.org/v1/gonum/mathext"
)

// seasonalRelFloor is the smallest spread, as a fraction of the expected
// value, that a seasonal band may have: at the medium threshold (4) the band
// is never narrower than ±1% of expected (±0.75% at high, ±1.25% at low). A
// series that has been constant, or nearly, has residuals of zero, and
// without a floor it would alert on the 0.1% wiggle of a late row or a
// rounding change; a move of a few percent or more still leaves the band.
// The floor is relative so that it means the same at 1e-9 and at 1e12.
const seasonalRelFloor = 0.0025

// seasonalPredict[k] is the spread of a new value's deviation from the
// median of k past values of the same noise, in units of that noise: the
// deviation has variance σ²·(1+v(k)), where v(k)·σ² is the variance of the
// median of k normal values (seasonalMedianVar). It is filled once and only
// read afterwards.
var seasonalPredict = func() (predict [seasonalMaxSeasons + 1]float64) {
	for k := 1; k <= seasonalMaxSeasons; k++ {
		predict[k] = math.Sqrt(1 + seasonalMedianVar(k))
	}
	return predict
}()

// seasonalMedianVar is the variance of the median of k standard normal
// values: exact up to 8 (Rider 1960), π/(2k) beyond, which is the asymptotic
// value and a little above the exact one.
func seasonalMedianVar(k int) float64 {
	exact := [...]float64{1: 1, 2: 0.5, 3: 0.4487, 4: 0.2982, 5: 0.2868, 6: 0.2147, 7: 0.2104, 8: 0.1682}
	if k < len(exact) {
		return exact[k]
	}
	return math.Pi / (2 * float64(k))
}

// seasonalMADEfficiency is the asymptotic efficiency of the MAD against the
// standard deviation under normal noise, 1/(2·1.3605): a spread from the
// median absolute value of m residuals is about as precise as a sample
// standard deviation with 0.3675·m degrees of freedom.
const seasonalMADEfficiency = 0.3675

// seasonalWiden returns, for a spread estimated from m residuals, the factor
// that widens it so that a threshold keeps its normal meaning. A spread
// estimated from few values is often too small by chance, and
// (value-expected)/spread then follows a Student t with heavy tails, not a
// normal. The factor is the t quantile at the normal tail probability of
// |z| = 4 (the medium threshold and the score's midpoint) over 4, with the
// MAD's effective degrees of freedom. It is taken at that one reference so
// that the score does not depend on the rule's sensitivity. With the
// hundreds of residuals a judged point normally has it is 1.01 to 1.05; it
// matters early in a series and after long gaps.
var seasonalWiden = sync.OnceValue(func() *[seasonalMaxWindow + 1]float64 {
	var w [seasonalMaxWindow + 1]float64
	tail := math.Erfc(ThresholdMedium/math.Sqrt2) / 2 // P(Z > 4) for a normal Z
	for m := range w {
		nu := seasonalMADEfficiency * float64(max(m, seasonalMinResiduals))
		if m > seasonalWidenExact {
			w[m] = seasonalTQuantile(ThresholdMedium, nu) / ThresholdMedium
			continue
		}
		// The t quantile at 1-tail: Abramowitz and Stegun 26.7.1 through
		// the regularized incomplete beta function, as gonum's distuv does.
		x := mathext.InvRegIncBeta(nu/2, 0.5, 2*tail)
		w[m] = math.Sqrt(nu*(1-x)/x) / ThresholdMedium
	}
	return &w
})

// seasonalWidenExact is the largest sample whose widening seasonalWiden
// takes from the incomplete beta function; beyond, with more than 147
// degrees of freedom, the expansion of seasonalTQuantile agrees to 1e-6 and
// costs nothing (the beta function took 24 ms for the whole table).
const seasonalWidenExact = 400

// seasonalTQuantile returns the quantile of a Student t with nu degrees of
// freedom at the tail probability of the normal quantile z: the
// Cornish-Fisher expansion of Abramowitz and Stegun 26.7.5 to the fourth
// order in 1/nu.
func seasonalTQuantile(z, nu float64) float64 {
	z2 := z * z
	g1 := (z2 + 1) * z / 4
	g2 := ((5*z2+16)*z2 + 3) * z / 96
	g3 := (((3*z2+19)*z2+17)*z2 - 15) * z / 384
	g4 := ((((79*z2+776)*z2+1482)*z2-1920)*z2 - 945) * z / 92160
	return z + g1/nu + g2/(nu*nu) + g3/(nu*nu*nu) + g4/(nu*nu*nu*nu)
}

// seasonalStat is the baseline of one bucket from its own past slots.
type seasonalStat struct {
	med float64 // median of the valid past slots
	k   int     // number of valid past slots
}

// seasonalRun is the state of one Detect call. It is built per call, so
// concurrent calls share nothing mutable.
type seasonalRun struct {
	vals    []float64
	p       int // buckets per season
	seasons int
	need    int // valid past slots a bucket needs to be judged
	lo      int // bucket of st[0]
	st      []seasonalStat
	zone    *seasonalZone             // nil when slots are a whole number of seasons back
	net     [][2]uint8                // sorting network for seasons values
	ord     [seasonalMaxSeasons]int64 // the keys it sorts
	widen   *[seasonalMaxWindow + 1]float64

	level  LevelAdjust
	growth []float64 // growth over the season before each bucket from gLo, see seasonalGrowth; nil without Level
	gLo    int
	daily  int // recent days of the residual correction, see recent
	pd     int // buckets per day
	// dRes and dRel are the residuals of the buckets from lo against their
	// weekly medians, for recent; see dailyResiduals.
	dRes, dRel []float64

	// chain[s] is the growth since season s before the buckets of the block
	// that starts at chainAt when chained (see growths); gBlock and gPhase
	// give the blocks, gBlock 0 when the chain is not kept.
	chain          [seasonalMaxSeasons + 1]float64
	chainAt        int
	chained        bool
	gBlock, gPhase int

	res *seasonalResiduals
	buf seasonalBufs
}

func newSeasonalRun(m Seasonal, s Series, from, p int) *seasonalRun {
	wg := seasonalGrowthWindow(s, p)
	r := seasonalRuns.Get().(*seasonalRun)
	r.vals, r.p, r.seasons, r.need, r.net = s.Values, p, m.Seasons, m.need(), seasonalNets()[m.Seasons]
	r.widen, r.level, r.daily, r.pd = seasonalWiden(), m.resolveLevel(wg), m.Daily, 0
	r.zone, r.growth, r.gLo = nil, nil, 0
	w := seasonalWindow(s, p)
	// The errors of the window before from's block, which chooses the
	// noise power for the block.
	rlo := max(0, seasonalBlockStart(from, seasonalBlock(s), seasonalPhase(s, seasonalBlock(s)))-w)
	r.lo = rlo
	if r.daily > 0 {
		// The residual correction needs the baselines of the last days, and
		// a DST shift moves a local time by less than a day.
		r.pd = max(1, int(24*time.Hour/s.Step))
		r.lo = max(0, r.lo-(r.daily+1)*r.pd)
	}
	hi := len(s.Values)
	if !s.Calendar() {
		// A past slot is at most one season beyond j-seasons·p (a shift of
		// the UTC offset is shorter than a season).
		if r.buf.zone.fill(s, max(0, r.lo-(r.seasons+2)*p), hi) {
			r.zone = &r.buf.zone
		}
	}
	if r.level != LevelNone {
		r.gLo = max(0, r.lo-(r.seasons-1)*p)
		r.growth = seasonalGrowth(s, r.level != LevelShift, r.level == LevelAuto, p, wg, r.gLo, hi, &r.buf)
	}
	r.chained, r.gBlock, r.gPhase = false, 0, 0
	if b := seasonalBlock(s); p%b == 0 {
		// The growth is the same for every bucket of a block, and a season
		// is a whole number of blocks: so is the chain of growths.
		r.gBlock, r.gPhase = b, seasonalPhase(s, b)
	}
	r.st = seasonalBuf(&r.buf.st, hi-r.lo)
	var buf [seasonalMaxSeasons + 3]float64
	for j := r.lo; j < hi; j++ {
		r.st[j-r.lo] = r.stat(j, buf[:])
	}
	if r.daily > 0 {
		r.dailyResiduals()
	}
	r.res = newSeasonalResiduals(r, s, rlo, from, w)
	return r
}

// stat returns bucket j's baseline from its past slots, using buf (of at
// least r.seasons values) as scratch. The median needs one valid slot;
// whether that is enough to judge j is decided by the caller.
//
// The values are sorted with a sorting network: the slot has at most Seasons
// values, the network's compare-exchanges compile to branch-free min/max on
// integer keys (seasonalOrder), and
// missing values are padded with +Inf so that one network serves every
// count. Random data makes the branches of an insertion sort mispredict about
// every other comparison, which made it three times slower; a general sort or
// gonum's quantile (which wants a sorted copy) would cost more than the whole
// judgement of a point, and allocate.
func (r *seasonalRun) stat(j int, buf []float64) seasonalStat {
	x := buf[:r.seasons]
	k := 0
	if r.growth != nil && r.level != LevelShift && j-r.seasons*r.p >= 0 && j-(r.seasons-1)*r.p >= r.gLo &&
		(r.zone == nil || r.zone.steady(j, j-r.seasons*r.p)) {
		if r.seasons == 8 {
			if med, ok := r.scaled8(j); ok {
				return seasonalStat{med: med, k: 8}
			}
		}
		k = r.scaled(j, x)
	} else {
		k = r.slots(j, x)
	}
	switch {
	case k == 0:
		return seasonalStat{med: math.NaN()}
	case k == 8:
		return seasonalStat{med: seasonalMedian8((*[8]float64)(x)), k: k}
	}
	return seasonalStat{med: seasonalMedianNet(x, k, r.ord[:len(x)], r.net), k: k}
}

// scaled is slots for the common case, the same UTC offset over the slots
// and growth ratios, with every slot and growth inside the arrays: the same
// values in a loop with no branch but the missing ones'.
func (r *seasonalRun) scaled(j int, x []float64) int {
	k, chain, vals := 0, r.growths(j), r.vals
	for s := 1; s <= len(x); s++ {
		v := vals[j-s*r.p] * chain[s]
		if v-v != 0 { // missing, unknown growth or overflow
			continue
		}
		x[k] = v
		k++
	}
	return k
}

// scaled8 is the median of scaled for the default eight seasons when all
// eight slots hold a value, and ok false otherwise: the values stay in
// registers from the products to the median.
func (r *seasonalRun) scaled8(j int) (med float64, ok bool) {
	c, p := r.growths(j), r.p
	v := r.vals[j-8*p : j-p+1]
	a1, a2, a3, a4 := v[7*p]*c[1], v[6*p]*c[2], v[5*p]*c[3], v[4*p]*c[4]
	a5, a6, a7, a8 := v[3*p]*c[5], v[2*p]*c[6], v[p]*c[7], v[0]*c[8]
	// v-v is 0 for a finite v and NaN otherwise, so the sum is 0 exactly
	// when every slot holds a value (none missing, growth known, no
	// overflow).
	if (a1-a1)+(a2-a2)+(a3-a3)+(a4-a4)+(a5-a5)+(a6-a6)+(a7-a7)+(a8-a8) != 0 {
		return 0, false
	}
	return seasonalMedianOf8(a1, a2, a3, a4, a5, a6, a7, a8), true
}

// growths returns, for s from 1 to r.seasons, the growth since season s
// before bucket j: the growths over one season before j, j-p, ..., chained
// season by season. With LevelAuto an unknown growth (too little history,
// or values that are not positive) repeats the last known one; with none
// known the slots are taken as they are. The chain is kept for the other
// buckets of j's block when all its growths lie inside the array, since
// they then are the same.
func (r *seasonalRun) growths(j int) *[seasonalMaxSeasons + 1]float64 {
	cache := r.gBlock > 0 && j-(r.seasons-1)*r.p >= r.gLo
	if cache {
		at := seasonalBlockStart(j, r.gBlock, r.gPhase)
		if r.chained && at == r.chainAt {
			return &r.chain
		}
		r.chainAt = at
	}
	r.chained = cache
	g := 1.0 // growth since season s, chained season by season
	if r.level == LevelShift {
		g = 0
	}
	last := g // the last known growth of one season, for LevelAuto
	for s := 1; s <= r.seasons; s++ {
		gs := r.growthAt(j - (s-1)*r.p)
		if r.level == LevelAuto {
			if gs != gs {
				gs = last
			}
			last = gs
		}
		if r.level == LevelShift {
			g += gs
		} else {
			g *= gs
		}
		r.chain[s] = g
	}
	return &r.chain
}

// slots writes the values of bucket j's past slots, moved onto j's level,
// to x and returns how many there are.
func (r *seasonalRun) slots(j int, x []float64) int {
	k := 0
	var chain *[seasonalMaxSeasons + 1]float64
	if r.growth != nil {
		chain = r.growths(j)
	}
	for s := 1; s <= r.seasons; s++ {
		t := j - s*r.p
		if t < 0 {
			break
		}
		if z := r.zone; z != nil && (t < z.lo || z.off[t-z.lo] != z.off[j-z.lo]) {
			// Not the same UTC offset as j (the common case, tested here
			// without a call): look for the shifted slot.
			if t = z.slot(j, t); t < 0 {
				continue
			}
		}
		if t >= len(r.vals) {
			continue
		}
		v := r.vals[t]
		if v-v != 0 { // NaN or ±Inf: missing
			continue
		}
		if chain != nil {
			var ok bool
			if v, ok = r.adjust(v, chain[s]); !ok {
				continue
			}
		}
		x[k] = v
		k++
	}
	return k
}
