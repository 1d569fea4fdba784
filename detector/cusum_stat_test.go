package detector

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCUSUMH(t *testing.T) {
	// Known one-sided in-control ARLs of the tabular CUSUM with k = 0.5
	// (Siegmund's approximation, as tabulated in Montgomery's SQC): h = 4
	// gives about 336, h = 5 about 930.
	tests := []struct {
		name    string
		h, k    float64
		arl     float64
		percent float64
	}{
		{"h 4", 4, 0.5, 336, 2},
		{"h 5", 5, 0.5, 930, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := math.Exp(cusumLogARL(tt.h, tt.k))
			if math.Abs(got-tt.arl) > tt.arl*tt.percent/100 {
				t.Errorf("ARL(h %v, k %v) = %.0f, want %.0f ± %v%%", tt.h, tt.k, got, tt.arl, tt.percent)
			}
		})
	}
	for _, th := range []float64{ThresholdHigh, ThresholdMedium, ThresholdLow} {
		for _, k := range []float64{0.25, 0.5, 1} {
			h := cusumH(th, k)
			if z := cusumZ(h, k); math.Abs(z-th) > 1e-6 {
				t.Errorf("cusumZ(cusumH(%v, %v)) = %v, want the threshold back", th, k, z)
			}
			learnt := []float64{cusumHLearnt(th, k, 96), cusumHLearnt(th, k, 400), cusumHLearnt(th, k, 1e6)}
			if !(learnt[0] > learnt[1] && learnt[1] > learnt[2] && math.Abs(learnt[2]-h) < 0.05*h) {
				t.Errorf("cusumHLearnt(%v, %v) for windows 96, 400, 1e6 = %v: want it falling towards h %v", th, k, learnt, h)
			}
		}
	}
	if a, b := cusumH(ThresholdHigh, 0.5), cusumH(ThresholdLow, 0.5); !(a < b) {
		t.Errorf("h at high sensitivity %v is not below h at low %v", a, b)
	}
}

func TestCUSUMZ(t *testing.T) {
	prev := -1.0
	for _, s := range []float64{0, 0.5, 1, 2, 5, 10, 50, 300, 1e4, 1e8, math.Inf(1)} {
		z := cusumZ(s, 0.5)
		if math.IsNaN(z) || z < prev {
			t.Errorf("cusumZ(%v) = %v after %v: want finite or +Inf, never falling", s, z, prev)
		}
		prev = z
	}
	// The tail quantile inverts the tail far beyond float64's Erfc range.
	for _, z := range []float64{0.1, 3, 6, 12, 30, 40, 100} {
		if got := cusumQuantile(cusumLogQ(z)); math.Abs(got-z) > 1e-6*z {
			t.Errorf("cusumQuantile(log Q(%v)) = %v", z, got)
		}
	}
}

func TestCUSUMMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for n := 1; n < 60; n++ {
		for range 20 {
			x := make([]float64, n)
			for i := range x {
				x[i] = math.Round(r.NormFloat64() * 3) // ties on purpose
			}
			sorted := slices.Clone(x)
			slices.Sort(sorted)
			want := sorted[n/2]
			if n%2 == 0 {
				want = sorted[n/2-1]/2 + sorted[n/2]/2
			}
			if got := cusumMedian(slices.Clone(x)); got != want {
				t.Fatalf("cusumMedian(%v) = %v, want %v", x, got, want)
			}
			if got := cusumSmallMedian(slices.Clone(x)); got != want {
				t.Fatalf("cusumSmallMedian(%v) = %v, want %v", x, got, want)
			}
			k := r.IntN(n)
			if got := cusumSelect(slices.Clone(x), k); got != sorted[k] {
				t.Fatalf("cusumSelect(%v, %d) = %v, want %v", x, k, got, sorted[k])
			}
		}
	}
}
