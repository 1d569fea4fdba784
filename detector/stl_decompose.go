package detector

import (
	"math"
	"slices"
)

// stlParams are the settings of one STL decomposition.
type stlParams struct {
	period   int // buckets per season, ≥ 2
	seasonal int // seasonal smoother span in seasons, odd ≥ 3
	trend    int // trend smoother span in buckets, odd
	lowpass  int // low-pass smoother span in buckets, odd ≥ period
	inner    int // inner loop passes
	outer    int // robustness iterations after the first fit
}

// stlDefaults returns the reference implementation's settings for a period
// and a seasonal span: the trend span 1.5·period/(1−1.5/seasonal) and the
// low-pass span the next odd number from the period.
func stlDefaults(period, seasonal int) stlParams {
	trend := int(math.Ceil(1.5 * float64(period) / (1 - 1.5/float64(seasonal))))
	return stlParams{
		period:   period,
		seasonal: seasonal,
		trend:    stlNextOdd(max(trend, 3)),
		lowpass:  stlNextOdd(period),
		inner:    1,
		outer:    1,
	}
}

// stlFit is a decomposition y = seasonal + trend + remainder, with the
// leverage information the detector needs for honest prediction bands.
type stlFit struct {
	seasonal, trend, remainder []float64
	weights                    []float64 // robustness weights, 1 when not robust
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
}

// stlWork holds the scratch buffers of a decomposition so that repeated
// fits allocate nothing.
type stlWork struct {
	fit                       stlFit
	detr, cycle, low, tmp     []float64
	sub, subFit, subW, subOut []float64
	abs                       []float64
	kern                      [2][][]float64 // cycle-subseries weights
	kernN                     int
	kernP                     stlParams
	kernS0                    [2][]float64 // sums of kern's weights
	lowPlan, trendPlan        stlPlan
	levN                      int // leverage computed for this n and levP
	levP                      stlParams
}

func stlGrow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// decompose runs STL on y, which must have no NaN and at least two seasons.
func (w *stlWork) decompose(y []float64, p stlParams) *stlFit {
	n, np := len(y), p.period
	f := &w.fit
	f.seasonal, f.trend = stlGrow(f.seasonal, n), stlGrow(f.trend, n)
	f.remainder, f.weights = stlGrow(f.remainder, n), stlGrow(f.weights, n)
	f.self, f.forecastVar = stlGrow(f.self, n), stlGrow(f.forecastVar, np)
	w.detr, w.low, w.tmp = stlGrow(w.detr, n), stlGrow(w.low, n), stlGrow(w.tmp, n+2*np)
	w.cycle = stlGrow(w.cycle, n+2*np)
	clear(f.trend)
	var rw []float64
	for it := 0; it <= p.outer; it++ {
		for range max(p.inner, 1) {
			w.step(y, rw, p)
		}
		for i := range y {
			f.remainder[i] = y[i] - f.seasonal[i] - f.trend[i]
		}
		if it < p.outer {
			w.robustWeights()
			rw = f.weights
		}
	}
	if rw == nil {
		for i := range f.weights {
			f.weights[i] = 1
		}
	}
	w.leverage(p)
	return f
}

// step is one pass of STL's inner loop.
func (w *stlWork) step(y, rw []float64, p stlParams) {
	n, np := len(y), p.period
	f := &w.fit
	for i := range y {
		w.detr[i] = y[i] - f.trend[i]
	}
	w.cycleSubseries(rw, p)
	stlMovingAverage(w.subOut, np, w.tmp)
	stlMovingAverage(w.tmp[:n+np+1], np, w.cycle)
	stlMovingAverage(w.cycle[:n+2], 3, w.tmp)
	w.lowPlan.plan(stlLoess{span: p.lowpass, degree: 1, jump: stlJump(p.lowpass)}, n).smooth(w.tmp[:n], nil, w.low)
	for i := range n {
		f.seasonal[i] = w.subOut[i+np] - w.low[i]
		w.detr[i] = y[i] - f.seasonal[i]
	}
	w.trendPlan.plan(stlLoess{span: p.trend, degree: 1, jump: stlJump(p.trend)}, n).smooth(w.detr, rw, f.trend)
}

// cycleSubseries smooths each cycle-subseries of the detrended series with
// a local constant fit and extends it by one season at either end, as STL's
// stlss does. The result (length n+2·period) goes to subOut.
func (w *stlWork) cycleSubseries(rw []float64, p stlParams) {
	n, np := len(w.detr), p.period
	w.subOut = stlGrow(w.subOut, n+2*np)
	kernels, sums := w.subKernels(n, p)
	detr := w.detr
	for j := range np {
		k := (n - j + np - 1) / np
		e := (n+np-1)/np - k
		kern, s0s := kernels[e], sums[e]
		for m := -1; m <= k; m++ {
			left, _ := stlSubWindow(m, k, p.seasonal)
			kw := kern[m+1]
			s0, t0 := s0s[m+1], 0.0
			x := j + left*np
			if rw == nil {
				for _, wk := range kw {
					t0 += wk * detr[x]
					x += np
				}
			} else {
				s0 = 0
				for _, wk := range kw {
					wk *= rw[x]
					s0 += wk
					t0 += wk * detr[x]
					x += np
				}
			}
			v := detr[j+min(max(m, 0), k-1)*np]
			if s0 > 0 {
				v = t0 / s0
			}
			w.subOut[j+(m+1)*np] = v
		}
	}
}

// subKernels returns the tricube weights of every position −1..k of the
// two lengths k of cycle-subseries (index 0 the longer), and their sums,
// computed once per series length.
func (w *stlWork) subKernels(n int, p stlParams) ([2][][]float64, [2][]float64) {
	if w.kernN == n && w.kernP == p {
		return w.kern, w.kernS0
	}
	sm := stlLoess{span: p.seasonal, degree: 0}
	kmax := (n + p.period - 1) / p.period
	for e := range 2 {
		k := kmax - e
		w.kern[e] = make([][]float64, k+2)
		w.kernS0[e] = make([]float64, k+2)
		for m := -1; m <= k; m++ {
			left, right := stlSubWindow(m, k, p.seasonal)
			kw := sm.kernel(k, float64(m), left, right, nil)
			for _, wk := range kw {
				w.kernS0[e][m+1] += wk
			}
			w.kern[e][m+1] = kw
		}
	}
	w.kernN, w.kernP = n, p
	return w.kern, w.kernS0
}

// stlSubWindow is the neighbourhood of position m (−1..k) in a subseries of
// length k for a smoother of the given span.
func stlSubWindow(m, k, span int) (int, int) {
	if span >= k {
		return 0, k - 1
	}
	half := (span + 1) / 2
	switch {
	case m < half:
		return 0, span - 1
	case m >= k-half:
		return k - span, k - 1
	}
	return m - half + 1, m - half + span
}

// stlMovingAverage writes the moving averages of length span of x into out
// (length len(x)−span+1).
func stlMovingAverage(x []float64, span int, out []float64) {
	m := len(x) - span + 1
	var s float64
	for i := range span {
		s += x[i]
	}
	inv := 1 / float64(span)
	out[0] = s * inv
	for i := 1; i < m; i++ {
		s += x[i+span-1] - x[i-1]
		out[i] = s * inv
	}
}

// robustWeights sets bisquare weights from the remainders:
// (1−(r/6·median|r|)²)².
func (w *stlWork) robustWeights() {
	f := &w.fit
	w.abs = stlGrow(w.abs, len(f.remainder))
	for i, r := range f.remainder {
		w.abs[i] = math.Abs(r)
	}
	h := 6 * stlMedianInPlace(w.abs)
	h9, h1 := 0.999*h, 0.001*h
	for i, r := range f.remainder {
		u := math.Abs(r)
		switch {
		case u <= h1:
			f.weights[i] = 1
		case u <= h9:
			q := u / h
			q = 1 - q*q
			f.weights[i] = q * q
		default:
			f.weights[i] = 0
		}
	}
}

// leverage fills the fit's hat-matrix information: each point's weight in
// its own seasonal estimate, the squared-weight sums of the last season's
// seasonal estimates, and the trend's. Robustness weights are left out: they
// change the leverage of the few points near an outlier only, and without
// them every cycle-subseries of the same length shares one computation.
func (w *stlWork) leverage(p stlParams) {
	f := &w.fit
	n, np := len(f.remainder), p.period
	if w.levN == n && w.levP == p {
		return // it depends on n and p only
	}
	w.levN, w.levP = n, p
	sm := stlLoess{span: p.seasonal, degree: 0}
	kmax := (n + np - 1) / np
	w.subW = stlGrow(w.subW, kmax)
	for m := range w.subW {
		w.subW[m] = 0
	}
	lw := make([]float64, kmax)
	// Subseries j has kmax elements for j < n mod np (or all when np divides
	// n), and kmax−1 for the others.
	for _, k := range []int{kmax, kmax - 1} {
		for m := range k {
			left, right := stlSubWindow(m, k, p.seasonal)
			sm.est(w.subW[:k], float64(m), left, right, nil, lw[:right-left+1])
			self, last := lw[m-left], m == k-1
			for j := range np {
				if (n-j+np-1)/np != k {
					continue
				}
				f.self[j+m*np] = self
				if last {
					f.forecastVar[j] = stlSumSq(lw[:right-left+1])
				}
			}
		}
	}
	tl := stlLoess{span: p.trend, degree: 1}
	half := (min(p.trend, n) - 1) / 2
	tw := make([]float64, 2*half+1)
	mid := n / 2
	if _, ok := tl.est(f.weights, float64(mid), mid-half, mid+half, nil, tw); ok {
		f.trendSelf, f.trendMidVar = tw[half], stlSumSq(tw)
	}
	left := max(0, n-p.trend)
	te := make([]float64, n-left)
	if _, ok := tl.est(f.weights, float64(n-1), left, n-1, nil, te); ok {
		f.trendEndVar = stlSumSq(te)
	}
}

func stlSumSq(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

// stlMedianInPlace returns the median of x, reordering x.
func stlMedianInPlace(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	hi := stlSelect(x, n/2)
	if n%2 == 1 {
		return hi
	}
	// After selection the lower half holds the smaller values.
	return (slices.Max(x[:n/2]) + hi) / 2
}

// stlSelect reorders x so that x[k] holds the k-th smallest value, smaller
// or equal values before it, and returns it (Hoare's selection).
func stlSelect(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for lo < hi {
		p := x[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for x[i] < p {
				i++
			}
			for x[j] > p {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}
