package detector

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestSeasonalNets checks every sorting network by the 0-1 principle (a
// network sorts all inputs if it sorts all 0-1 inputs), exhaustively up to
// 16 inputs, and on random inputs with ties and +Inf padding above.
func TestSeasonalNets(t *testing.T) {
	nets := seasonalNets()
	for n := 2; n <= 16; n++ {
		x := make([]float64, n)
		for bits := range 1 << n {
			for i := range x {
				x[i] = float64(bits >> i & 1)
			}
			seasonalSort(x, nets[n])
			if !slices.IsSorted(x) {
				t.Fatalf("seasonalSort(n=%d, bits %b) = %v, not sorted", n, bits, x)
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for n := 2; n <= seasonalMaxSeasons; n++ {
		for range 200 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(rng.IntN(5))
			}
			for i := rng.IntN(n); i < n; i++ {
				x[i] = math.Inf(1)
			}
			want := slices.Clone(x)
			slices.Sort(want)
			if seasonalSort(x, nets[n]); !slices.Equal(x, want) {
				t.Fatalf("seasonalSort(n=%d) = %v, want %v", n, x, want)
			}
		}
	}
}

func TestSeasonalMedMAD(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for k := 1; k <= seasonalMaxSeasons; k++ {
		for range 100 {
			x := make([]float64, k)
			for i := range x {
				x[i] = math.Round(rng.NormFloat64() * 3)
			}
			slices.Sort(x)
			wantMed := seasonalRefMedian(x)
			dev := make([]float64, k)
			for i, v := range x {
				dev[i] = math.Abs(v - wantMed)
			}
			slices.Sort(dev)
			wantMAD := seasonalRefMedian(dev)
			buf := append(append([]float64{math.Inf(-1)}, x...), math.Inf(1), math.Inf(1))
			med, mad := seasonalMedMAD(buf, k)
			if med != wantMed || mad != wantMAD {
				t.Fatalf("seasonalMedMAD(%v) = %v, %v, want %v, %v", x, med, mad, wantMed, wantMAD)
			}
		}
	}
}

func seasonalRefMedian(sorted []float64) float64 {
	k := len(sorted)
	return (sorted[(k-1)/2] + sorted[k/2]) / 2
}

// TestSeasonalWiden checks the widening against gonum's Student t quantile
// and that it shrinks towards 1 as the pooled values grow.
func TestSeasonalWiden(t *testing.T) {
	w := seasonalWiden()
	tail := distuv.UnitNormal.Survival(ThresholdMedium)
	for _, m := range []int{3, 4, 8, 20, 40, 100, 320} {
		nu := seasonalMADEfficiency * float64(m)
		want := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(1-tail) / ThresholdMedium
		if math.Abs(w[m]-want) > 1e-6*want {
			t.Errorf("seasonalWiden()[%d] = %v, want %v", m, w[m], want)
		}
	}
	for m := seasonalMinSeasons + 1; m < len(w); m++ {
		if !(w[m] < w[m-1]) || w[m] < 1 {
			t.Fatalf("seasonalWiden()[%d] = %v after %v, want decreasing and >= 1", m, w[m], w[m-1])
		}
	}
}

// TestSeasonalSlide checks the sorted sliding window of seasonalGrowth
// against a sort of the same values after each step.
func TestSeasonalSlide(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var win, ref []float64
	for step := range 20000 {
		okOut := len(ref) > 0 && rng.IntN(4) > 0
		okIn := rng.IntN(4) > 0 || len(ref) == 0
		var out, in float64
		if okOut {
			out = ref[rng.IntN(len(ref))]
			i := slices.Index(ref, out)
			ref = slices.Delete(ref, i, i+1)
		}
		if okIn {
			in = float64(rng.IntN(50))
			ref = append(ref, in)
		}
		if probe := float64(rng.IntN(52)) - 1; len(win) > 0 {
			got, _ := slices.BinarySearch(win, probe)
			if s := seasonalSearch(win, probe); s != got {
				t.Fatalf("seasonalSearch(%v, %v) = %d, want %d", win, probe, s, got)
			}
		}
		win = seasonalSlide(win, out, okOut, in, okIn)
		slices.Sort(ref)
		if !slices.Equal(win, ref) {
			t.Fatalf("seasonalSlide step %d (out %v %v, in %v %v) = %v, want %v", step, out, okOut, in, okIn, win, ref)
		}
	}
}
