package detector

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// seasonalSort sorts x, which holds no NaN, with network net for len(x),
// with Go's min and max of float64: the reference for the networks on
// integer keys.
func seasonalSort(x []float64, net [][2]uint8) {
	for _, c := range net {
		a, b := x[c[0]], x[c[1]]
		x[c[0]], x[c[1]] = min(a, b), max(a, b)
	}
}

// seasonalSortByKeys sorts x with network net through seasonalSortKeys.
func seasonalSortByKeys(x []float64, net [][2]uint8) {
	o := make([]int64, len(x))
	for i, v := range x {
		o[i] = seasonalOrder(v)
	}
	seasonalSortKeys(o, net)
	for i, k := range o {
		x[i] = seasonalUnorder(k)
	}
}

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
			seasonalSortByKeys(x, nets[n])
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
			if seasonalSortByKeys(x, nets[n]); !slices.Equal(x, want) {
				t.Fatalf("seasonalSort(n=%d) = %v, want %v", n, x, want)
			}
		}
	}
}

// TestSeasonalWiden checks the widening against gonum's Student t quantile
// and that it shrinks towards 1 as the pooled values grow.
func TestSeasonalWiden(t *testing.T) {
	w := seasonalWiden()
	tail := distuv.UnitNormal.Survival(ThresholdMedium)
	for _, m := range []int{3, 4, 8, 20, 40, 100, 320, 400, 401, 672, 2016} {
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

// TestSeasonalMedian8 checks the eight-value median against a sort, on ties
// and infinities as well.
func TestSeasonalMedian8(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for range 100000 {
		var x [8]float64
		for i := range x {
			x[i] = float64(rng.IntN(6))
			if rng.IntN(20) == 0 {
				x[i] = math.Inf(1 - 2*rng.IntN(2))
			}
		}
		want := x
		slices.Sort(want[:])
		if got := seasonalMedian8(&x); got != seasonalMid(want[3], want[4]) {
			t.Fatalf("seasonalMedian8(%v) = %v, want %v", x, got, seasonalMid(want[3], want[4]))
		}
	}
}

// TestSeasonalMedian8Bits checks that the eight-value median on integer
// keys gives the bits of the float network it replaces, which orders -0
// below +0 with Go's min and max, on zeros of both signs, negative values,
// ties and infinities.
func TestSeasonalMedian8Bits(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	pool := []float64{math.Copysign(0, -1), 0, -1, 1, -2.5, 2.5, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, -math.MaxFloat64}
	for range 200000 {
		var x [8]float64
		for i := range x {
			x[i] = pool[rng.IntN(len(pool))]
		}
		ref := x
		seasonalSort(ref[:], seasonalNets()[8])
		want := seasonalMid(ref[3], ref[4])
		if got := seasonalMedian8(&x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("seasonalMedian8(%v) = %v (bits %x), want %v (bits %x)", x, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
	for _, v := range pool {
		if got := seasonalUnorder(seasonalOrder(v)); math.Float64bits(got) != math.Float64bits(v) {
			t.Errorf("seasonalUnorder(seasonalOrder(%v)) = %v", v, got)
		}
	}
}

// TestSeasonalMedianNet checks the median of the general network on
// integer keys against the float network, bit for bit, for every count of
// values up to a few sizes of network, on zeros of both signs, negative
// values, ties and infinities.
func TestSeasonalMedianNet(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	pool := []float64{math.Copysign(0, -1), 0, -1, 1, -2.5, 2.5, math.Inf(1), math.Inf(-1), -math.MaxFloat64}
	for _, n := range []int{3, 5, 8, 13, 64} {
		o := make([]int64, n)
		for k := 1; k <= n; k++ {
			for range 2000 {
				x := make([]float64, n)
				for i := range x[:k] {
					x[i] = pool[rng.IntN(len(pool))]
				}
				ref := slices.Clone(x)
				for i := k; i < n; i++ {
					ref[i] = math.Inf(1)
				}
				seasonalSort(ref, seasonalNets()[n])
				want := seasonalMid(ref[(k-1)/2], ref[k/2])
				if got := seasonalMedianNet(x, k, o, seasonalNets()[n]); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("seasonalMedianNet(%v, %d) = %v, want %v", x, k, got, want)
				}
			}
		}
	}
}

// TestSeasonalLog checks the table log against math.Log2, within the
// 1.25/1024 of an octave it promises: half a bin of the mantissa (up to
// 0.72/1024 where the log is steepest) and the rounding.
func TestSeasonalLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for range 100000 {
		v := math.Ldexp(1+rng.Float64(), rng.IntN(200)-100)
		if d := math.Abs(float64(seasonalLog(v))/1024 - math.Log2(v)); d > 1.25/1024 {
			t.Fatalf("seasonalLog(%v) = %v/1024, want %v within 1.25/1024", v, seasonalLog(v), math.Log2(v))
		}
	}
}
