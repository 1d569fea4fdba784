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
// series that has been constant, or nearly, has a MAD of zero, and without a
// floor it would alert on the 0.1% wiggle of a late row or a rounding
// change; a move of a few percent or more still leaves the band. The floor is
// relative so that it means the same at 1e-9 and at 1e12.
const seasonalRelFloor = 0.0025

// seasonalMADScale[k] turns the MAD of k values into an estimate of a normal
// standard deviation: 1.4826 times the finite-sample correction of Croux and
// Rousseeuw (1992), without which the MAD of a handful of values is biased
// low by up to a third. seasonalPredict[k] widens a spread into a prediction
// spread for a new value against the median of k values: the new value's
// deviation from the median has variance σ²·(1+v(k)), where v(k)·σ² is the
// variance of the median of k normal values (seasonalMedianVar). Both tables
// are filled once and only read afterwards.
var seasonalMADScale, seasonalPredict = seasonalTables()

func seasonalTables() (mad, predict [seasonalMaxSeasons + 1]float64) {
	small := [...]float64{2: 1.196, 3: 1.495, 4: 1.363, 5: 1.206, 6: 1.200, 7: 1.140, 8: 1.129, 9: 1.107}
	for k := 2; k <= seasonalMaxSeasons; k++ {
		c := float64(k) / (float64(k) - 0.8)
		if k < len(small) {
			c = small[k]
		}
		mad[k] = 1.4826 * c
		predict[k] = math.Sqrt(1 + seasonalMedianVar(k))
	}
	return mad, predict
}

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

// seasonalPool is the most slots pooled for one spread: the slot and h <= 2
// neighbours on each side.
const seasonalPool = 5

// seasonalMADEfficiency is the asymptotic efficiency of the MAD against the
// standard deviation under normal noise, 1/(2·1.3605): a spread from the MADs
// of m values is about as precise as a sample standard deviation with
// 0.3675·m degrees of freedom.
const seasonalMADEfficiency = 0.3675

// seasonalWiden returns, for m pooled past values, the factor that widens a
// prediction spread estimated from them so that a threshold keeps its normal
// meaning. A spread estimated from few values is often too small by chance,
// and (value-expected)/spread then follows a Student t with heavy tails, not
// a normal: on normal noise with 8 weeks of history, |z| from the slot's own
// MAD exceeds 4 about 300 times as often as a normal z does, and still about
// 8 times as often when pooled over five slots; a rule at medium sensitivity
// would alert on noise every few days. The factor is the t quantile at the
// normal tail probability of |z| = 4 (the medium threshold and the score's
// midpoint) over 4, with the MAD's effective degrees of freedom. It is taken
// at that one reference so that the score does not depend on the rule's
// sensitivity; the high preset (3) is then somewhat stricter than a normal
// z-score and the low one (5) somewhat looser, in the same order. The t
// matched on variance has a heavier lower tail than the pooled MAD, so the
// false-alarm rate ends below the normal one rather than above.
var seasonalWiden = sync.OnceValue(func() *[seasonalPool*seasonalMaxSeasons + 1]float64 {
	var w [seasonalPool*seasonalMaxSeasons + 1]float64
	tail := math.Erfc(ThresholdMedium/math.Sqrt2) / 2 // P(Z > 4) for a normal Z
	for m := range w {
		nu := seasonalMADEfficiency * float64(max(m, seasonalMinSeasons))
		// The t quantile at 1-tail: Abramowitz and Stegun 26.7.1 through
		// the regularized incomplete beta function, as gonum's distuv does.
		x := mathext.InvRegIncBeta(nu/2, 0.5, 2*tail)
		w[m] = math.Sqrt(nu*(1-x)/x) / ThresholdMedium
	}
	return &w
})

// seasonalStat is the baseline of one bucket from its own past slots.
type seasonalStat struct {
	med float64 // median of the valid past slots
	sig float64 // their standard deviation estimated from the MAD
	k   int     // number of valid past slots
}

// seasonalRun is the state of one Detect call. It is built per call, so
// concurrent calls share nothing mutable.
type seasonalRun struct {
	vals    []float64
	p       int // buckets per season
	seasons int
	need    int // valid past slots a bucket needs to be judged
	h       int // neighbouring slots pooled on each side, see baseline
	lo      int // bucket of st[0]
	st      []seasonalStat
	zone    *seasonalZone // nil when slots are a whole number of seasons back
	net     [][2]uint8    // sorting network for seasons values
	widen   *[seasonalPool*seasonalMaxSeasons + 1]float64

	level  LevelAdjust
	growth []float64 // growth over the season before each bucket from gLo, see seasonalGrowth; nil without Level
	gLo    int
	daily  int // recent days of the residual correction, see recent
	pd     int // buckets per day
}

func newSeasonalRun(m Seasonal, s Series, from, p int) *seasonalRun {
	r := &seasonalRun{vals: s.Values, p: p, seasons: m.Seasons, need: m.need(), net: seasonalNets()[m.Seasons],
		widen: seasonalWiden(), level: m.Level, daily: m.Daily}
	// Neighbours j = i±h are used through their own past slots, which must
	// all lie before i: h < p/2 keeps them there even across a DST shift.
	r.h = min(2, (p-1)/2)
	r.lo = max(0, from-r.h)
	if r.daily > 0 {
		// The residual correction needs the baselines of the last days, and
		// a DST shift moves a local time by less than a day.
		r.pd = max(1, int(24*time.Hour/s.Step))
		r.lo = max(0, r.lo-(r.daily+1)*r.pd)
	}
	hi := len(s.Values) + r.h
	if !s.Calendar() {
		// A past slot is at most one season beyond j-seasons·p (a shift of
		// the UTC offset is shorter than a season).
		r.zone = newSeasonalZone(s, max(0, r.lo-(r.seasons+2)*p), hi)
	}
	if r.level != LevelNone {
		r.gLo = max(0, r.lo-(r.seasons-1)*p)
		r.growth = seasonalGrowth(s.Values, r.level == LevelScale, p, r.h, r.gLo, hi)
	}
	r.st = make([]seasonalStat, hi-r.lo)
	var buf [seasonalMaxSeasons + 3]float64
	for j := r.lo; j < hi; j++ {
		r.st[j-r.lo] = r.stat(j, buf[:])
	}
	return r
}

// stat returns bucket j's baseline from its past slots, using buf (of at
// least r.seasons values) as scratch.
//
// The values are sorted with a sorting network: the slot has at most Seasons
// values, the network's compare-exchanges compile to branch-free min/max, and
// missing values are padded with +Inf so that one network serves every
// count. Random data makes the branches of an insertion sort mispredict about
// every other comparison, which made it three times slower; a general sort or
// gonum's quantile (which wants a sorted copy) would cost more than the whole
// judgement of a point, and allocate.
func (r *seasonalRun) stat(j int, buf []float64) seasonalStat {
	k := 0
	x := buf[1 : r.seasons+3] // buf[0] and x[k:] are sentinels for seasonalMedMAD
	g := 1.0                  // growth since season s, chained season by season
	if r.level == LevelShift {
		g = 0
	}
	for s := 1; s <= r.seasons; s++ {
		if r.growth != nil {
			if r.level == LevelScale {
				g *= r.growthAt(j - (s-1)*r.p)
			} else {
				g += r.growthAt(j - (s-1)*r.p)
			}
		}
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
		if r.growth != nil {
			var ok bool
			if v, ok = r.adjust(v, g); !ok {
				continue
			}
		}
		x[k] = v
		k++
	}
	if k < r.need {
		return seasonalStat{med: math.NaN(), sig: math.NaN(), k: k}
	}
	buf[0] = math.Inf(-1)
	for i := k; i < len(x); i++ {
		x[i] = math.Inf(1)
	}
	seasonalSort(x[:r.seasons], r.net)
	med, mad := seasonalMedMAD(buf, k)
	return seasonalStat{med: med, sig: mad * seasonalMADScale[k], k: k}
}

// seasonalNets returns, for n inputs, Batcher's odd-even merge sorting
// network as compare-exchange pairs (Knuth, TAOCP vol. 3, 5.3.4); the pairs
// that involve inputs beyond n are dropped, which is exact when those inputs
// are +Inf.
var seasonalNets = sync.OnceValue(func() [][][2]uint8 {
	nets := make([][][2]uint8, seasonalMaxSeasons+1)
	for n := range nets {
		for p := 1; p < n; p *= 2 {
			for k := p; k > 0; k /= 2 {
				for j := k % p; j+k < n; j += 2 * k {
					for i := 0; i < k && i+j+k < n; i++ {
						if (i+j)/(2*p) == (i+j+k)/(2*p) {
							nets[n] = append(nets[n], [2]uint8{uint8(i + j), uint8(i + j + k)})
						}
					}
				}
			}
		}
	}
	return nets
})

// seasonalSort sorts x, which holds no NaN, with network net for len(x).
func seasonalSort(x []float64, net [][2]uint8) {
	for _, c := range net {
		a, b := x[c[0]], x[c[1]]
		x[c[0]], x[c[1]] = min(a, b), max(a, b)
	}
}

// seasonalMedMAD returns the median of the k sorted values buf[1:k+1] and
// the median absolute deviation from it; buf[0] must be -Inf and buf[k+1],
// buf[k+2] +Inf. The deviations left and right of the middle are each sorted,
// so a merge from the middle outwards ranks them without a sort. The
// sentinels end each side without a bounds test, and the merge picks its
// side with a flag rather than a branch, which random data would mispredict
// half the time.
func seasonalMedMAD(buf []float64, k int) (med, mad float64) {
	a, b := (k-1)/2+1, k/2+1
	med = seasonalMid(buf[a], buf[b])
	var da, db float64
	l, r := b-1, b
	for rank := 1; rank <= b; rank++ {
		dl, dr := med-buf[l], buf[r]-med
		left := 0
		if dl <= dr {
			left = 1
		}
		d := min(dl, dr)
		l -= left
		r += 1 - left
		if rank == a {
			da = d
		}
		db = d
	}
	return med, seasonalMid(da, db)
}

// seasonalMid is the midpoint of a <= b without overflow near ±MaxFloat64.
func seasonalMid(a, b float64) float64 {
	if a == b {
		return a
	}
	return a/2 + b/2
}

// baseline returns bucket i's expected value and scale, or ok false when
// too few of its past slots hold a value.
//
// The spread pools the slot with its neighbours (2h+1 slots of similar level,
// e.g. 07:00 to 11:00 for 09:00): each slot's MAD estimates the same noise
// and is robust to outlying seasons, but from so few values that it is noisy
// and often zero when values tie. Pooling their variances (root mean square)
// uses five times the data. The pooled spread is widened for the uncertainty
// of the median (seasonalPredict) and of the spread itself (seasonalWiden),
// and floored at seasonalRelFloor·|expected| for constant and near-constant
// series.
func (r *seasonalRun) baseline(i int) (expected, scale float64, ok bool) {
	st := r.st[i-r.lo]
	if st.k < r.need {
		return math.NaN(), 0, false
	}
	var sum float64
	c, m := 0, 0
	for j := max(i-r.h, r.lo); j <= i+r.h; j++ {
		if n := r.st[j-r.lo]; n.k >= r.need {
			sum += n.sig * n.sig
			c++
			m += n.k
		}
	}
	pooled := math.Sqrt(sum / float64(c))
	if pooled > math.MaxFloat64 {
		pooled = r.pooledLarge(i)
	}
	expected, pf := st.med, seasonalPredict[st.k]
	if r.daily > 0 {
		if corr, c := r.recent(i); c > 0 {
			// The median of c residuals, each with the prediction variance,
			// adds seasonalMedianVar(c) of it.
			expected += corr
			pf *= math.Sqrt(1 + seasonalMedianVar(c))
		}
	}
	sd := pooled * pf * r.widen[m]
	return expected, max(sd, seasonalRelFloor*math.Abs(expected)), true
}

// pooledLarge is the pooled spread of baseline for values so large that their
// squares overflow: the same root mean square, taken relative to the largest.
func (r *seasonalRun) pooledLarge(i int) float64 {
	var top, sum float64
	c := 0
	for j := max(i-r.h, r.lo); j <= i+r.h; j++ {
		if n := r.st[j-r.lo]; n.k >= r.need {
			top = max(top, n.sig)
			c++
		}
	}
	for j := max(i-r.h, r.lo); j <= i+r.h; j++ {
		if n := r.st[j-r.lo]; n.k >= r.need {
			sum += (n.sig / top) * (n.sig / top)
		}
	}
	return top * math.Sqrt(sum/float64(c))
}
