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
// and returns the fitted value. rw are robustness weights (nil for none).
// weights receives the normalised linear weights of the fit, indexed from
// left, so that fit = Σ weights[j-left]·y[j]. ok is false when every weight
// is zero.
func (l stlLoess) est(y []float64, xs float64, left, right int, rw, weights []float64) (fit float64, ok bool) {
	h := math.Max(xs-float64(left), float64(right)-xs)
	if l.span > len(y) {
		h += float64((l.span - len(y)) / 2)
	}
	return l.estWeights(y, xs, h, left, right, rw, weights)
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

// kernel returns the tricube weights of position xs over left..right in
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
	var p stlPlan
	p.plan(l, len(y)).smooth(y, rw, ys)
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
