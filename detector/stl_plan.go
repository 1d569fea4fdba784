package detector

import "math"

// stlPlan is a LOESS smoother laid out for one series length: the positions
// it evaluates, each with its tricube weights and their weighted moments,
// so that smoothing many series of that length, as a detector refitting
// window after window does, computes the distance weights once. Fits are
// bit-for-bit those of stlLoess.est and estKernel: the same weights, summed
// in the same order.
type stlPlan struct {
	l     stlLoess
	n     int
	jump  int
	last  int // last position of the jump grid
	evals []stlEval
}

// stlEval is one evaluated position i over left..left+len(kern)−1, with
// s0 = Σw, s1 = Σw·u and s2 = Σw·u² (u = j − i) of the tricube weights w
// alone, which are the fit's moments when there are no robustness weights.
type stlEval struct {
	i, left    int
	kern       []float64
	s0, s1, s2 float64
}

// plan returns l laid out for series of length n, reusing p when it is
// already that.
func (p *stlPlan) plan(l stlLoess, n int) *stlPlan {
	if p.n == n && p.l == l && p.evals != nil {
		return p
	}
	*p = stlPlan{l: l, n: n, jump: min(max(l.jump, 1), n-1), evals: p.evals[:0]}
	if n < 2 {
		return p
	}
	half := (l.span + 1) / 2
	var inner []float64
	if l.span < n {
		inner = l.kernel(n, float64(half), 1, l.span, make([]float64, 0, l.span))
	}
	for i := 0; i < n; i += p.jump {
		if inner != nil && i >= half && i < n-half {
			p.add(i, i-half+1, inner)
		} else {
			p.addEnd(i, half)
		}
		p.last = i
	}
	if p.jump > 1 && p.last != n-1 {
		p.addEnd(n-1, half)
	}
	return p
}

// addEnd adds position i with weights computed as est computes them (it
// multiplies by 1/h where kernel divides by h).
func (p *stlPlan) addEnd(i, half int) {
	left, right := 0, p.n-1
	switch {
	case p.l.span >= p.n:
	case i < half:
		right = p.l.span - 1
	case i >= p.n-half:
		left = p.n - p.l.span
	default:
		left, right = i-half+1, i-half+p.l.span
	}
	xs := float64(i)
	h := math.Max(xs-float64(left), float64(right)-xs)
	if p.l.span > p.n {
		h += float64((p.l.span - p.n) / 2)
	}
	h9, h1, inv := 0.999*h, 0.001*h, 1/h
	kw := make([]float64, 0, right-left+1)
	for j := left; j <= right; j++ {
		r := math.Abs(float64(j) - xs)
		switch {
		case r > h9:
			kw = append(kw, 0)
		case r <= h1:
			kw = append(kw, 1)
		default:
			q := r * inv
			q = 1 - q*q*q
			kw = append(kw, q*q*q)
		}
	}
	p.add(i, left, kw)
}

func (p *stlPlan) add(i, left int, kw []float64) {
	e := stlEval{i: i, left: left, kern: kw}
	u := float64(left) - float64(i)
	for _, wk := range kw {
		e.s0 += wk
		e.s1 += wk * u
		e.s2 += wk * u * u
		u++
	}
	p.evals = append(p.evals, e)
}

// smooth writes the LOESS fit of y (length p.n) at every position into ys,
// with robustness weights rw (nil for none).
func (p *stlPlan) smooth(y, rw, ys []float64) {
	if p.n < 2 {
		copy(ys, y)
		return
	}
	for k := range p.evals {
		e := &p.evals[k]
		ys[e.i] = p.fit(e, y, rw)
	}
	if p.jump > 1 {
		stlInterpolate(ys, p.jump, p.last)
	}
}

// fit is the fit at one position, y[i] when every weight is zero.
func (p *stlPlan) fit(e *stlEval, y, rw []float64) float64 {
	s0, s1, s2 := e.s0, e.s1, e.s2
	var t0, t1 float64
	u := float64(e.left) - float64(e.i)
	yw := y[e.left : e.left+len(e.kern)]
	if rw == nil {
		for k, wk := range e.kern {
			wy := wk * yw[k]
			t0 += wy
			t1 += wy * u
			u++
		}
	} else {
		rw := rw[e.left : e.left+len(e.kern)]
		s0, s1, s2 = 0, 0, 0
		for k, wk := range e.kern {
			wk *= rw[k]
			wy := wk * yw[k]
			s0 += wk
			s1 += wk * u
			s2 += wk * u * u
			t0 += wy
			t1 += wy * u
			u++
		}
	}
	if s0 <= 0 {
		return y[e.i]
	}
	m0 := t0 / s0
	if p.l.degree > 0 {
		mean := s1 / s0
		c := s2/s0 - mean*mean
		if math.Sqrt(c) > 0.001*float64(p.n-1) {
			return m0 - mean*(t1/s0-mean*m0)/c
		}
	}
	return m0
}
