package detector

import (
	"math"
	"slices"
)

// cusumBaseline learns CUSUM's reference and sigma from a window of a
// series. It precomputes what every refresh needs: prefix counts of usable
// values and, with a period, the out-of-sample seasonal residuals.
type cusumBaseline struct {
	x      []float64
	set    cusumSideSettings
	valid  []int32   // valid[i]: finite values among the first i
	d      []float64 // value − median of the same slot in previous seasons; nil without a period
	dValid []int32
	buf    []float64
	small  []float64
}

// cusumSideSettings is the part of the settings a baseline needs.
type cusumSideSettings struct{ p, w, seasons int }

func newCUSUMBaseline(x []float64, set cusumSettings) cusumBaseline {
	b := cusumBaseline{x: x, set: cusumSideSettings{set.p, set.w, set.seasons},
		valid: cusumPrefix(x), buf: make([]float64, 0, set.w), small: make([]float64, 0, set.seasons)}
	if set.p > 1 {
		b.d = b.seasonalResiduals()
		b.dValid = cusumPrefix(b.d)
	}
	return b
}

func cusumPrefix(x []float64) []int32 {
	c := make([]int32, len(x)+1)
	for i, v := range x {
		c[i+1] = c[i]
		if thresholdFinite(v) {
			c[i+1]++
		}
	}
	return c
}

// seasonalResiduals returns, per bucket, its value less the median of the
// same slot over the previous seasons (NaN unless at least half of them
// are present). Its spread is that of a value about a reference learnt
// from as many seasons, which in-sample residuals would understate.
func (b *cusumBaseline) seasonalResiduals() []float64 {
	p, n := b.set.p, b.set.seasons
	need := (n + 1) / 2
	d := make([]float64, len(b.x))
	for t, v := range b.x {
		d[t] = math.NaN()
		if !thresholdFinite(v) || t < need*p {
			continue
		}
		b.small = b.small[:0]
		for j, m := t-p, 0; j >= 0 && m < n; j, m = j-p, m+1 {
			if y := b.x[j]; thresholdFinite(y) {
				b.small = append(b.small, y)
			}
		}
		if len(b.small) >= need {
			d[t] = v - cusumSmallMedian(b.small)
		}
	}
	return d
}

// learn fits the baseline on buckets [max(floor, end−w), end) into profile
// and sigma, and reports whether it could: at least half a window of
// values. Sigma is kept from before when the window since floor is too
// short for it, and a slot without values keeps its old reference.
func (b *cusumBaseline) learn(end, floor int, ready bool, profile []float64, sigma *float64) bool {
	w := b.set.w
	lo := max(floor, end-w, 0)
	if lo >= end || 2*int(b.valid[end]-b.valid[lo]) < w {
		return false
	}
	if b.d == nil {
		level, scale, m := b.scale(b.x[lo:end])
		profile[0] = level
		*sigma = scale * math.Sqrt(1+math.Pi/(2*float64(m)))
		return true
	}
	dlo := max(end-w, 0)
	if floor > 0 {
		dlo = max(dlo, floor+b.set.seasons*b.set.p) // residuals reading only data since floor
	}
	switch {
	case dlo < end && 2*int(b.dValid[end]-b.dValid[dlo]) >= w:
		_, *sigma, _ = b.scale(b.d[dlo:end])
	case !ready:
		return false
	}
	b.fitProfile(lo, end, ready, profile)
	return true
}

// fitProfile sets each slot's reference to the median of its values in
// [lo, end).
func (b *cusumBaseline) fitProfile(lo, end int, ready bool, profile []float64) {
	p := b.set.p
	for q := range profile {
		b.small = b.small[:0]
		first := lo + ((q-lo%p)%p+p)%p // first bucket of slot q at or after lo
		for j := first; j < end; j += p {
			if y := b.x[j]; thresholdFinite(y) {
				b.small = append(b.small, y)
			}
		}
		switch {
		case len(b.small) > 0:
			profile[q] = cusumSmallMedian(b.small)
		case !ready:
			profile[q] = math.NaN()
		}
	}
}

// scale returns the median of the finite values of x, their robust
// standard deviation (1.4826·MAD, or 1.2533·mean absolute deviation when
// the MAD is zero) and how many there were.
func (b *cusumBaseline) scale(x []float64) (level, sigma float64, m int) {
	b.buf = b.buf[:0]
	for _, v := range x {
		if thresholdFinite(v) {
			b.buf = append(b.buf, v)
		}
	}
	m = len(b.buf)
	level = cusumMedian(b.buf)
	sum := 0.0
	for i, v := range b.buf {
		b.buf[i] = math.Abs(v - level)
		sum += b.buf[i]
	}
	if mad := cusumMedian(b.buf); mad > 0 {
		return level, 1.482602218505602 * mad, m
	}
	return level, 1.2533141373155003 * sum / float64(m), m
}

// cusumMedian returns the median of x, reordering it; x is not empty.
func cusumMedian(x []float64) float64 {
	n := len(x)
	hi := cusumSelect(x, n/2)
	if n%2 == 1 {
		return hi
	}
	// After selection the lower half holds the smaller values.
	return slices.Max(x[:n/2])/2 + hi/2
}

// cusumSelect reorders x so that x[k] is the k-th smallest, with no larger
// value before it and no smaller after, and returns it (Hoare's selection
// with a median-of-three pivot).
func cusumSelect(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		pivot := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for x[j] > pivot {
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

// cusumSmallMedian returns the median of a few values, reordering them.
// Up to four values it uses compare-exchange networks, the common case of
// a slot over four seasons.
func cusumSmallMedian(x []float64) float64 {
	switch len(x) {
	case 1:
		return x[0]
	case 2:
		return x[0]/2 + x[1]/2
	case 3:
		a, b := cusumSort2(x[0], x[1])
		m, _ := cusumSort2(b, x[2]) // min(b, c)
		_, med := cusumSort2(a, m)  // max(a, min(b, c))
		return med
	case 4:
		a, b := cusumSort2(x[0], x[1])
		c, d := cusumSort2(x[2], x[3])
		_, lo := cusumSort2(a, c) // the larger of the two smaller
		hi, _ := cusumSort2(b, d) // the smaller of the two larger
		return lo/2 + hi/2
	}
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return x[n/2-1]/2 + x[n/2]/2
}

// cusumSort2 returns a and b in order; the values are finite.
func cusumSort2(a, b float64) (float64, float64) {
	if b < a {
		return b, a
	}
	return a, b
}
