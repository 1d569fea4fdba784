package detector

import "math"

// This file holds the LOESS smoother of STL (Cleveland, Cleveland, McRae and
// Terpenning 1990), after the reference Fortran (stlest, stless): local
// constant or local linear regression with tricube distance weights on an
// equally spaced grid, optionally times robustness weights, evaluated every
// jump points and linearly interpolated in between. gonum has no local
// regression, so it is written here.

// stlLoess is one LOESS smoother: span points per neighbourhood, degree 0 or
// 1, evaluated every jump points.
type stlLoess struct {
	span   int
	degree int
	jump   int
}

// est fits at position xs (0-based, may lie outside [0,n)) from y[left..right]
// and returns the fitted value. rw are robustness weights (nil for none). When
// weights is non-nil it receives the normalised linear weights of the fit,
// indexed from left, so that fit = Σ weights[j-left]·y[j]. ok is false when
// every weight is zero.
func (l stlLoess) est(y []float64, xs float64, left, right int, rw, weights []float64) (fit float64, ok bool) {
	h := math.Max(xs-float64(left), float64(right)-xs)
	if l.span > len(y) {
		h += float64((l.span - len(y)) / 2)
	}
	if weights != nil {
		return l.estWeights(y, xs, h, left, right, rw, weights)
	}
	// One pass of weighted sums in coordinates centred on xs: s0 = Σw,
	// s1 = Σw·u, s2 = Σw·u², t0 = Σw·y, t1 = Σw·u·y.
	h9, h1, inv := 0.999*h, 0.001*h, 1/h
	var s0, s1, s2, t0, t1 float64
	for j := left; j <= right; j++ {
		u := float64(j) - xs
		r := math.Abs(u)
		if r > h9 {
			continue
		}
		wj := 1.0
		if r > h1 {
			q := r * inv
			q = 1 - q*q*q
			wj = q * q * q
		}
		if rw != nil {
			wj *= rw[j]
		}
		wy := wj * y[j]
		s0 += wj
		s1 += wj * u
		s2 += wj * u * u
		t0 += wy
		t1 += wy * u
	}
	if s0 <= 0 {
		return 0, false
	}
	m0 := t0 / s0
	if h > 0 && l.degree > 0 {
		mean := s1 / s0
		c := s2/s0 - mean*mean
		if math.Sqrt(c) > 0.001*float64(len(y)-1) {
			return m0 - mean*(t1/s0-mean*m0)/c, true
		}
	}
	return m0, true
}

// estWeights is est that also returns the normalised linear weights of the
// fit, in the reference implementation's order of operations.
func (l stlLoess) estWeights(y []float64, xs, h float64, left, right int, rw, w []float64) (fit float64, ok bool) {
	h9, h1 := 0.999*h, 0.001*h
	var a float64
	for j := left; j <= right; j++ {
		r := math.Abs(float64(j) - xs)
		var wj float64
		if r <= h9 {
			if r <= h1 {
				wj = 1
			} else {
				q := r / h
				q = 1 - q*q*q
				wj = q * q * q
			}
			if rw != nil {
				wj *= rw[j]
			}
		}
		w[j-left] = wj
		a += wj
	}
	if a <= 0 {
		return 0, false
	}
	for j := range w[:right-left+1] {
		w[j] /= a
	}
	if h > 0 && l.degree > 0 {
		var mean float64
		for j := left; j <= right; j++ {
			mean += w[j-left] * float64(j)
		}
		b := xs - mean
		var c float64
		for j := left; j <= right; j++ {
			d := float64(j) - mean
			c += w[j-left] * d * d
		}
		if math.Sqrt(c) > 0.001*float64(len(y)-1) {
			b /= c
			for j := left; j <= right; j++ {
				w[j-left] *= b*(float64(j)-mean) + 1
			}
		}
	}
	for j := left; j <= right; j++ {
		fit += w[j-left] * y[j]
	}
	return fit, true
}

// estKernel is est for a window whose tricube weights kw (for left..right,
// before robustness weights) were computed once and are shared by many
// fits.
func (l stlLoess) estKernel(y []float64, xs float64, left int, kw, rw []float64) (float64, bool) {
	var s0, s1, s2, t0, t1 float64
	for k, wk := range kw {
		j := left + k
		if rw != nil {
			wk *= rw[j]
		}
		u := float64(j) - xs
		wy := wk * y[j]
		s0 += wk
		s1 += wk * u
		s2 += wk * u * u
		t0 += wy
		t1 += wy * u
	}
	if s0 <= 0 {
		return 0, false
	}
	m0 := t0 / s0
	if l.degree > 0 {
		mean := s1 / s0
		c := s2/s0 - mean*mean
		if math.Sqrt(c) > 0.001*float64(len(y)-1) {
			return m0 - mean*(t1/s0-mean*m0)/c, true
		}
	}
	return m0, true
}

// stlKernel returns the tricube weights of position xs over left..right in
// a series of n points, as est computes them.
func (l stlLoess) kernel(n int, xs float64, left, right int, kw []float64) []float64 {
	h := math.Max(xs-float64(left), float64(right)-xs)
	if l.span > n {
		h += float64((l.span - n) / 2)
	}
	h9, h1 := 0.999*h, 0.001*h
	kw = kw[:0]
	for j := left; j <= right; j++ {
		r := math.Abs(float64(j) - xs)
		switch {
		case r > h9:
			kw = append(kw, 0)
		case r <= h1:
			kw = append(kw, 1)
		default:
			q := r / h
			q = 1 - q*q*q
			kw = append(kw, q*q*q)
		}
	}
	return kw
}

// smooth writes the LOESS fit of y at every position into ys.
func (l stlLoess) smooth(y, rw, ys []float64) {
	n := len(y)
	if n < 2 {
		copy(ys, y)
		return
	}
	jump := min(max(l.jump, 1), n-1)
	half := (l.span + 1) / 2
	window := func(i int) (int, int) {
		switch {
		case l.span >= n:
			return 0, n - 1
		case i < half:
			return 0, l.span - 1
		case i >= n-half:
			return n - l.span, n - 1
		}
		return i - half + 1, i - half + l.span
	}
	// Windows away from the ends all have the same tricube weights.
	var inner []float64
	if l.span < n {
		inner = l.kernel(n, float64(half), 1, l.span, make([]float64, 0, l.span))
	}
	last := 0
	for i := 0; i < n; i += jump {
		left, right := window(i)
		if inner != nil && i >= half && i < n-half {
			v, ok := l.estKernel(y, float64(i), left, inner, rw)
			if !ok {
				v = y[i]
			}
			ys[i] = v
		} else {
			l.fitAt(y, rw, ys, i, left, right)
		}
		last = i
	}
	if jump == 1 {
		return
	}
	if last != n-1 {
		left, right := window(n - 1)
		l.fitAt(y, rw, ys, n-1, left, right)
	}
	stlInterpolate(ys, jump, last)
}

func (l stlLoess) fitAt(y, rw, ys []float64, i, left, right int) {
	v, ok := l.est(y, float64(i), left, right, rw, nil)
	if !ok {
		v = y[i]
	}
	ys[i] = v
}

// stlInterpolate fills ys linearly between the points 0, jump, 2·jump, ...,
// last and n-1 that the smoother evaluated.
func stlInterpolate(ys []float64, jump, last int) {
	n := len(ys)
	for i := 0; i < last; i += jump {
		stlLine(ys, i, i+jump)
	}
	if last < n-1 {
		stlLine(ys, last, n-1)
	}
}

func stlLine(ys []float64, a, b int) {
	d := (ys[b] - ys[a]) / float64(b-a)
	for k := a + 1; k < b; k++ {
		ys[k] = ys[a] + d*float64(k-a)
	}
}

// stlJump is the reference implementation's default evaluation stride for a
// smoother of the given span: a tenth of the span, rounded up.
func stlJump(span int) int { return max(1, (span+9)/10) }

// stlNextOdd returns x if it is odd, else x+1.
func stlNextOdd(x int) int {
	if x%2 == 0 {
		return x + 1
	}
	return x
}
