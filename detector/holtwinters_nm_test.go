package detector

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

// TestHWSimplexMatchesGonum checks that hwSimplex returns, to the bit, the
// optimum gonum's Nelder-Mead returns with the same settings, on smooth,
// flat, plateaued and noisy functions of one to three variables and under
// both stopping rules.
func TestHWSimplexMatchesGonum(t *testing.T) {
	rosen := func(x []float64) float64 {
		var s float64
		for i := 0; i+1 < len(x); i++ {
			a, b := 1-x[i], x[i+1]-x[i]*x[i]
			s += a*a + 100*b*b
		}
		return s + x[0]*x[0]*0.01
	}
	tests := []struct {
		name    string
		f       func([]float64) float64
		x0      []float64
		maxEval int
		iters   int
	}{
		{name: "quadratic 1d", f: func(x []float64) float64 { return (x[0] - 0.7) * (x[0] - 0.7) }, x0: []float64{-0.8}, maxEval: 50, iters: 2},
		{name: "rosenbrock 2d", f: rosen, x0: []float64{-0.8, -2.9}, maxEval: 75, iters: 4},
		{name: "rosenbrock 3d", f: rosen, x0: []float64{-0.8, -2.9, -2.2}, maxEval: 100, iters: 6},
		{name: "rosenbrock 3d long", f: rosen, x0: []float64{1.5, -1, 0.3}, maxEval: 1000, iters: 50},
		{name: "plateau", f: func(x []float64) float64 {
			if x[0] > 0.5 {
				return math.MaxFloat64
			}
			return math.Abs(x[0]+x[1]) + x[1]*x[1]
		}, x0: []float64{0.2, 0.3}, maxEval: 75, iters: 4},
		{name: "flat", f: func([]float64) float64 { return 3 }, x0: []float64{1, 2, 3}, maxEval: 100, iters: 6},
		{name: "rugged", f: func(x []float64) float64 {
			return math.Sin(13*x[0])*math.Cos(7*x[1]) + 0.1*(x[0]*x[0]+x[1]*x[1]) + math.Abs(x[2]-1)
		}, x0: []float64{0.4, -1.3, 2}, maxEval: 400, iters: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := optimize.Minimize(optimize.Problem{Func: tc.f}, tc.x0, &optimize.Settings{
				FuncEvaluations: tc.maxEval,
				Converger:       &optimize.FunctionConverge{Relative: 1e-3, Iterations: tc.iters},
			}, &optimize.NelderMead{SimplexSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			s := hwSimplex{size: 1, rel: 1e-3, iters: tc.iters, maxEval: tc.maxEval}
			evals := 0
			got := s.minimize(func(x []float64) float64 { evals++; return tc.f(x) }, tc.x0)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(res.X[i]) {
					t.Fatalf("minimize = %v after %d evaluations, gonum %v after %d", got, evals, res.X, res.FuncEvaluations)
				}
			}
			if evals != res.FuncEvaluations {
				t.Errorf("minimize made %d evaluations, gonum %d", evals, res.FuncEvaluations)
			}
		})
	}
}
