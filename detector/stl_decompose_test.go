package detector

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestSTLDecomposeMatchesReference compares the decomposition with the one
// statsmodels (a port of the reference Fortran) computes for the same
// settings; testdata/stl_reference.py made the file.
func TestSTLDecomposeMatchesReference(t *testing.T) {
	raw, err := os.ReadFile("testdata/stl_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name               string
		Period             int
		Robust             bool
		Lowpass            int
		TrendSpan          int `json:"trend_span"`
		Y, Seasonal, Trend []float64
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no reference cases")
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := stlDefaults(tc.Period, 7)
			p.lowpass, p.trend = tc.Lowpass, tc.TrendSpan
			p.outer = 0
			if tc.Robust {
				p.outer = 1
			}
			var w stlWork
			f := w.decompose(tc.Y, p)
			for i := range tc.Y {
				if d := math.Abs(f.seasonal[i] - tc.Seasonal[i]); d > 1e-9 {
					t.Fatalf("seasonal[%d] = %v, want %v", i, f.seasonal[i], tc.Seasonal[i])
				}
				if d := math.Abs(f.trend[i] - tc.Trend[i]); d > 1e-9 {
					t.Fatalf("trend[%d] = %v, want %v", i, f.trend[i], tc.Trend[i])
				}
			}
		})
	}
}

// TestSTLDecomposeRecoversComponents fits a known trend plus season plus
// noise and checks that the components come back within tolerance.
func TestSTLDecomposeRecoversComponents(t *testing.T) {
	tests := []struct {
		name     string
		period   int
		seasons  int
		slope    float64
		amp      float64
		noise    float64
		robust   int
		outliers int
	}{
		{name: "hourly daily sine", period: 24, seasons: 20, slope: 0.05, amp: 10, noise: 0.5},
		{name: "daily weekly sine", period: 7, seasons: 40, slope: -0.2, amp: 5, noise: 0.3},
		{name: "robust to outliers", period: 24, seasons: 20, slope: 0.05, amp: 10, noise: 0.5, robust: 3, outliers: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			n := tc.period * tc.seasons
			y := make([]float64, n)
			trend := func(i int) float64 { return 100 + tc.slope*float64(i) + 3*math.Sin(float64(i)/float64(n)*math.Pi) }
			season := func(i int) float64 { return tc.amp * math.Sin(2*math.Pi*float64(i)/float64(tc.period)) }
			for i := range y {
				y[i] = trend(i) + season(i) + tc.noise*rng.NormFloat64()
			}
			for k := range tc.outliers {
				y[(k*n/tc.outliers+5+3*k)%n] += 50 * tc.amp // one per trend span, in different slots
			}
			p := stlDefaults(tc.period, 7)
			p.outer = tc.robust
			var w stlWork
			f := w.decompose(y, p)
			tol := 4 * tc.noise
			// The ends of a LOESS trend are less certain: skip a season.
			for i := tc.period; i < n-tc.period; i++ {
				if d := math.Abs(f.trend[i] - trend(i)); d > tol {
					t.Fatalf("trend[%d] = %.3f, want %.3f ± %.2f", i, f.trend[i], trend(i), tol)
				}
				if d := math.Abs(f.seasonal[i] - season(i)); d > tol {
					t.Fatalf("seasonal[%d] = %.3f, want %.3f ± %.2f", i, f.seasonal[i], season(i), tol)
				}
			}
		})
	}
}

func TestSTLLoessLinearIsExact(t *testing.T) {
	// A local linear fit reproduces a straight line at every point, with or
	// without jumps.
	y := make([]float64, 50)
	for i := range y {
		y[i] = 3 - 0.7*float64(i)
	}
	for _, jump := range []int{1, 4, 7} {
		ys := make([]float64, len(y))
		stlLoess{span: 11, degree: 1, jump: jump}.smooth(y, nil, ys)
		for i := range y {
			if math.Abs(ys[i]-y[i]) > 1e-9 {
				t.Fatalf("jump %d: smooth[%d] = %v, want %v", jump, i, ys[i], y[i])
			}
		}
	}
}

func TestSTLMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 1; n < 60; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(10)) // ties on purpose
		}
		sorted := append([]float64(nil), x...)
		slices.Sort(sorted)
		want := sorted[n/2]
		if n%2 == 0 {
			want = (sorted[n/2-1] + sorted[n/2]) / 2
		}
		if got := stlMedianInPlace(x); got != want {
			t.Fatalf("median of %v = %v, want %v", sorted, got, want)
		}
	}
}
