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
	*stlLayout                           // leverage, shared by fits of one length
}

// stlWork holds the scratch buffers of a decomposition so that repeated
// fits allocate nothing.
type stlWork struct {
	fit                   stlFit
	detr, cycle, low, tmp []float64
	subOut                []float64
	abs                   []float64
	s0, t0                []float64 // per-subseries sums
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
	if f.stlLayout == nil || f.layN != n || f.layP != p.layoutKey() {
		f.stlLayout = stlLayoutFor(n, p)
	}
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
	f.lowPlan.smooth(w.tmp[:n], nil, w.low)
	for i := range n {
		f.seasonal[i] = w.subOut[i+np] - w.low[i]
		w.detr[i] = y[i] - f.seasonal[i]
	}
	f.trendPlan.smooth(w.detr, rw, f.trend)
}

// cycleSubseries smooths each cycle-subseries of the detrended series with
// a local constant fit and extends it by one season at either end, as STL's
// stlss does. The result (length n+2·period) goes to subOut.
//
// Subseries of one length share their weights, so they are fitted side by
// side: each weight multiplies a contiguous run of the series, one value
// per subseries. Each fit still sums its terms in the order of its window.
func (w *stlWork) cycleSubseries(rw []float64, p stlParams) {
	n, np := len(w.detr), p.period
	w.subOut = stlGrow(w.subOut, n+2*np)
	w.s0, w.t0 = stlGrow(w.s0, np), stlGrow(w.t0, np)
	kmax, r := (n+np-1)/np, n%np
	if r == 0 {
		w.subseriesGroup(rw, p, 0, np, kmax, 0)
		return
	}
	w.subseriesGroup(rw, p, 0, r, kmax, 0)
	w.subseriesGroup(rw, p, r, np, kmax-1, 1)
}

// subseriesGroup fits the subseries j0 ≤ j < j1, each of length k, whose
// weights are w.fit.kern[e].
func (w *stlWork) subseriesGroup(rw []float64, p stlParams, j0, j1, k, e int) {
	np, detr := p.period, w.detr
	s0, t0 := w.s0[j0:j1], w.t0[j0:j1]
	for m := -1; m <= k; m++ {
		left, _ := stlSubWindow(m, k, p.seasonal)
		clear(t0)
		if rw == nil {
			for q, wk := range w.fit.kern[e][m+1] {
				row := detr[(left+q)*np+j0 : (left+q)*np+j1]
				for i, y := range row {
					t0[i] += wk * y
				}
			}
			for i := range s0 {
				s0[i] = w.fit.kernS0[e][m+1]
			}
		} else {
			clear(s0)
			for q, wk := range w.fit.kern[e][m+1] {
				x := (left+q)*np + j0
				row, rrow := detr[x:x+len(t0)], rw[x:x+len(t0)]
				for i, y := range row {
					wr := wk * rrow[i]
					s0[i] += wr
					t0[i] += wr * y
				}
			}
		}
		at := min(max(m, 0), k-1) * np
		out := w.subOut[(m+1)*np+j0 : (m+1)*np+j1]
		for i := range out {
			v := detr[at+j0+i]
			if s0[i] > 0 {
				v = t0[i] / s0[i]
			}
			out[i] = v
		}
	}
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
