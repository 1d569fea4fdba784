package detector

import (
	"math"
	"sync"
	"sync/atomic"
)

// stlLayout is what a decomposition needs that depends only on the window
// length and the smoothers' settings: the tricube weights of every LOESS
// fit and the leverage of the fit. Detectors judging many series of the
// same length share one layout, computed once and then only read.
type stlLayout struct {
	layN int
	layP stlParams // settings with the loop counts zeroed

	kern               [2][][]float64 // cycle-subseries weights per length (index 0 the longer) and position −1..k
	kernS0             [2][]float64   // their sums
	lowPlan, trendPlan stlPlan

	// self holds, per point, the weight of the point in its own seasonal
	// fit (the diagonal of the seasonal smoother's hat matrix).
	self []float64
	// trendSelf is the weight of a point in its own trend fit, away from
	// the ends; forecastVar holds, per slot of the last season, the sum of
	// squared weights of its seasonal estimate; trendEndVar and trendMidVar
	// the same for the trend at the last point and away from the ends.
	trendSelf   float64
	forecastVar []float64
	trendEndVar float64
	trendMidVar float64
	// shrink holds, per point, √(1−h) for its leverage h = self+trendSelf
	// (at most 0.9): the factor by which a fitted remainder shrinks.
	shrink []float64
}

// layoutKey is p without the loop counts, which a layout does not depend on.
func (p stlParams) layoutKey() stlParams {
	p.inner, p.outer = 0, 0
	return p
}

// stlLayouts caches layouts by length and settings. A daemon sees few
// distinct ones (a window length per rule setting, and the shorter windows
// while a history is young); past stlLayoutMax new ones are built per use
// and not kept, which bounds the memory.
var (
	stlLayouts     sync.Map // stlLayoutKey → *stlLayout
	stlLayoutCount atomic.Int64
)

const stlLayoutMax = 1024

type stlLayoutKey struct {
	n int
	p stlParams
}

// stlLayoutFor returns the layout of windows of n points under p.
func stlLayoutFor(n int, p stlParams) *stlLayout {
	key := stlLayoutKey{n: n, p: p.layoutKey()}
	if v, ok := stlLayouts.Load(key); ok {
		return v.(*stlLayout)
	}
	lay := newSTLLayout(n, key.p)
	if stlLayoutCount.Load() < stlLayoutMax {
		if v, loaded := stlLayouts.LoadOrStore(key, lay); loaded {
			return v.(*stlLayout)
		}
		stlLayoutCount.Add(1)
	}
	return lay
}

func newSTLLayout(n int, p stlParams) *stlLayout {
	lay := &stlLayout{layN: n, layP: p}
	lay.subKernels(n, p)
	lay.lowPlan.plan(stlLoess{span: p.lowpass, degree: 1, jump: stlJump(p.lowpass)}, n)
	lay.trendPlan.plan(stlLoess{span: p.trend, degree: 1, jump: stlJump(p.trend)}, n)
	lay.leverage(n, p)
	lay.shrink = make([]float64, n)
	for i := range lay.shrink {
		h := min(lay.self[i]+lay.trendSelf, 0.9)
		lay.shrink[i] = math.Sqrt(1 - h)
	}
	return lay
}

// subKernels computes the tricube weights of every position −1..k of the
// two lengths k of cycle-subseries, and their sums.
func (lay *stlLayout) subKernels(n int, p stlParams) {
	sm := stlLoess{span: p.seasonal, degree: 0}
	kmax := (n + p.period - 1) / p.period
	for e := range 2 {
		k := kmax - e
		lay.kern[e] = make([][]float64, k+2)
		lay.kernS0[e] = make([]float64, k+2)
		for m := -1; m <= k; m++ {
			left, right := stlSubWindow(m, k, p.seasonal)
			kw := sm.kernel(k, float64(m), left, right, nil)
			for _, wk := range kw {
				lay.kernS0[e][m+1] += wk
			}
			lay.kern[e][m+1] = kw
		}
	}
}

// leverage fills the hat-matrix information: each point's weight in its
// own seasonal estimate, the squared-weight sums of the last season's
// seasonal estimates, and the trend's. Robustness weights are left out: they
// change the leverage of the few points near an outlier only, and without
// them every cycle-subseries of the same length shares one computation.
func (lay *stlLayout) leverage(n int, p stlParams) {
	np := p.period
	lay.self, lay.forecastVar = make([]float64, n), make([]float64, np)
	sm := stlLoess{span: p.seasonal, degree: 0}
	kmax := (n + np - 1) / np
	zeros := make([]float64, max(kmax, n)) // the fits' values are not used
	lw := make([]float64, kmax)
	// Subseries j has kmax elements for j < n mod np (or all when np divides
	// n), and kmax−1 for the others.
	for _, k := range []int{kmax, kmax - 1} {
		for m := range k {
			left, right := stlSubWindow(m, k, p.seasonal)
			sm.est(zeros[:k], float64(m), left, right, nil, lw[:right-left+1])
			self, last := lw[m-left], m == k-1
			for j := range np {
				if (n-j+np-1)/np != k {
					continue
				}
				lay.self[j+m*np] = self
				if last {
					lay.forecastVar[j] = stlSumSq(lw[:right-left+1])
				}
			}
		}
	}
	tl := stlLoess{span: p.trend, degree: 1}
	half := (min(p.trend, n) - 1) / 2
	tw := make([]float64, 2*half+1)
	mid := n / 2
	if _, ok := tl.est(zeros[:n], float64(mid), mid-half, mid+half, nil, tw); ok {
		lay.trendSelf, lay.trendMidVar = tw[half], stlSumSq(tw)
	}
	left := max(0, n-p.trend)
	te := make([]float64, n-left)
	if _, ok := tl.est(zeros[:n], float64(n-1), left, n-1, nil, te); ok {
		lay.trendEndVar = stlSumSq(te)
	}
}
