package detector

import "math"

// hwSimplex minimises a function of up to three variables with the
// Nelder-Mead method, making exactly the moves, in exactly the arithmetic,
// of gonum's optimize.Minimize with optimize.NelderMead{SimplexSize: size},
// optimize.FunctionConverge{Relative: rel, Iterations: iters} and a limit of
// maxEval function evaluations (TestHWSimplexMatchesGonum checks it). It
// runs on the caller's goroutine and allocates nothing after its first use,
// where gonum runs the method and the evaluations on three goroutines that
// meet per evaluation; for a Holt-Winters window that handover costs about
// as much as the evaluation itself.
type hwSimplex struct {
	size, rel      float64
	iters, maxEval int

	dim      int
	vertices [4][3]float64 // sorted by value, ascending
	values   [4]float64
	centroid [3]float64 // of all but the worst vertex
	x, refl  [3]float64
	reflF    float64
	best     [3]float64 // location of the last major iteration
	evals    int
	convBest float64
	convIter int
}

// minimize returns the location of the last major iteration before the
// evaluation limit or convergence. x0 must have one to three elements.
func (s *hwSimplex) minimize(f func([]float64) float64, x0 []float64) []float64 {
	d := len(x0)
	s.dim, s.evals, s.convIter = d, 0, 0
	copy(s.x[:d], x0)
	f0, stop := s.eval(f)
	if stop {
		return make([]float64, d) // gonum's untouched optimum
	}
	s.convBest = f0
	copy(s.best[:d], s.x[:d])
	s.vertices[d], s.values[d] = s.x, f0
	for i := range d { // the initial simplex: a step along each axis
		s.x = s.vertices[d]
		s.x[i] += s.size
		fi, stop := s.eval(f)
		if stop {
			return s.result()
		}
		s.vertices[i], s.values[i] = s.x, fi
	}
	s.sortAll()
	for !s.major() {
		if s.iterate(f) {
			break
		}
	}
	return s.result()
}

func (s *hwSimplex) result() []float64 { return append([]float64(nil), s.best[:s.dim]...) }

// eval evaluates f at s.x and reports whether the evaluation limit is hit,
// in which case gonum discards the value.
func (s *hwSimplex) eval(f func([]float64) float64) (float64, bool) {
	v := f(s.x[:s.dim])
	s.evals++
	return v, s.evals >= s.maxEval
}

// major records the best vertex as the optimum and reports convergence:
// no relative decrease of rel for iters major iterations in a row.
func (s *hwSimplex) major() bool {
	s.best = s.vertices[0]
	fv := s.values[0]
	maxAbs := math.Max(math.Abs(fv), math.Abs(s.convBest))
	if fv < s.convBest && s.convBest-fv > s.rel*maxAbs {
		s.convBest, s.convIter = fv, 0
		return false
	}
	s.convIter++
	return s.convIter >= s.iters
}

// iterate makes one Nelder-Mead move: a reflection of the worst vertex,
// then an expansion, a contraction or a shrink. It reports whether the
// evaluation limit was hit.
func (s *hwSimplex) iterate(f func([]float64) float64) bool {
	d := s.dim
	reflection, expansion, contraction, shrink := 1.0, 1+2/float64(d), 0.75-1/(2*float64(d)), 1-1/float64(d)
	if d == 1 {
		expansion, contraction, shrink = 2, 0.5, 0.5
	}
	s.toward(reflection)
	s.refl = s.x
	fr, stop := s.eval(f)
	if stop {
		return true
	}
	s.reflF = fr
	switch {
	case fr >= s.values[0] && fr < s.values[d-1]:
		s.replaceWorst(s.x, fr)
		return false
	case fr < s.values[0]:
		s.toward(reflection * expansion)
		fe, stop := s.eval(f)
		if stop {
			return true
		}
		if fe < s.reflF {
			s.replaceWorst(s.x, fe)
		} else {
			s.replaceWorst(s.refl, s.reflF)
		}
		return false
	}
	outside := fr < s.values[d]
	scale := -contraction
	if outside {
		scale = reflection * contraction
	}
	s.toward(scale)
	fc, stop := s.eval(f)
	if stop {
		return true
	}
	if (outside && fc <= s.reflF) || (!outside && fc < s.values[d]) {
		s.replaceWorst(s.x, fc)
		return false
	}
	return s.shrink(f, shrink)
}

// toward sets s.x to centroid + scale·(centroid − worst), in gonum's order
// of operations.
func (s *hwSimplex) toward(scale float64) {
	for i := range s.dim {
		v := s.centroid[i] - s.vertices[s.dim][i]
		v *= scale
		s.x[i] = 1*s.centroid[i] + v
	}
}

// shrink moves every vertex but the best towards it and reports whether
// the evaluation limit was hit.
func (s *hwSimplex) shrink(f func([]float64) float64, shrink float64) bool {
	d := s.dim
	for k := 1; k <= d; k++ {
		for i := range d {
			v := s.vertices[k][i] - s.vertices[0][i]
			v *= shrink
			s.x[i] = 1*s.vertices[0][i] + v
		}
		fk, stop := s.eval(f)
		if stop {
			return true
		}
		s.vertices[k], s.values[k] = s.x, fk
	}
	s.sortAll()
	return false
}

// sortAll sorts the vertices by value with gonum's (stable, insertion) sort
// of short slices and recomputes the centroid.
func (s *hwSimplex) sortAll() {
	d := s.dim
	for i := 1; i <= d; i++ {
		for j := i; j > 0 && s.values[j] < s.values[j-1]; j-- {
			s.values[j], s.values[j-1] = s.values[j-1], s.values[j]
			s.vertices[j], s.vertices[j-1] = s.vertices[j-1], s.vertices[j]
		}
	}
	s.centroid = [3]float64{}
	for k := range d {
		for i := range d {
			s.centroid[i] += s.vertices[k][i]
		}
	}
	for i := range d {
		s.centroid[i] /= float64(d)
	}
}

// replaceWorst puts x, with value fx below the worst, into the simplex in
// sorted position and updates the centroid incrementally, as gonum does.
func (s *hwSimplex) replaceWorst(x [3]float64, fx float64) {
	d := s.dim
	s.vertices[d], s.values[d] = x, fx
	for i := d - 1; i >= 0 && !(s.values[i] < fx); i-- {
		s.vertices[i], s.vertices[i+1] = s.vertices[i+1], s.vertices[i]
		s.values[i], s.values[i+1] = s.values[i+1], s.values[i]
	}
	lo, hi := -1/float64(d), 1/float64(d)
	for i := range d {
		s.centroid[i] = lo*s.vertices[d][i] + s.centroid[i]
	}
	for i := range d {
		s.centroid[i] = hi*x[i] + s.centroid[i]
	}
}
