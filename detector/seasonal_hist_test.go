package detector

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSeasonalHist slides a window over values of many magnitudes, with
// zeros and ties, and checks the histogram's quantiles against the exact
// ones: within the bins of the two values of the quantile's rank, which are
// at most 1/32 of the value wide, and exact on ties.
func TestSeasonalHist(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	const w = 300
	h := newSeasonalHist(seasonalErrSub, seasonalErrLo, seasonalErrHi, true)
	mid := newSeasonalHist(seasonalErrSub, seasonalErrLo, seasonalErrHi, false) // the same without sums
	var vals []float64
	draw := func() float64 {
		switch rng.IntN(10) {
		case 0:
			return 0
		case 1:
			return 0.25 // ties
		case 2:
			return math.Ldexp(rng.Float64(), rng.IntN(80)-50) // beyond the binned range too
		}
		return math.Abs(rng.NormFloat64()) * 0.03
	}
	for step := range 5000 {
		v := draw()
		vals = append(vals, v)
		h.add(v)
		mid.add(v)
		if len(vals) > w {
			h.remove(vals[len(vals)-w-1])
			mid.remove(vals[len(vals)-w-1])
		}
		win := slices.Clone(vals[max(0, len(vals)-w):])
		slices.Sort(win)
		for _, q := range []float64{0.5, 0.9} {
			x := q * float64(len(win)-1)
			k := int(x)
			want := win[k]
			if k+1 < len(win) {
				want += (x - float64(k)) * (win[k+1] - win[k])
			}
			got, middle := h.quantile(q), mid.quantile(q)
			bk, _, _ := h.bin(win[k])
			bk1, _, _ := h.bin(win[min(k+1, len(win)-1)])
			lo, _ := h.edges(bk)
			_, hi := h.edges(bk1)
			if math.IsNaN(got) || got < lo || got > hi || middle < lo || middle > hi {
				t.Fatalf("step %d: quantile(%v) = %v (%v without sums), want %v, within [%v, %v]", step, q, got, middle, want, lo, hi)
			}
			if win[k] == win[min(k+1, len(win)-1)] && h.count[bk] == uint16(countOf(win, win[k])) && bk > 0 && bk < len(h.count)-1 && got != want {
				t.Fatalf("step %d: quantile(%v) = %v on a tie, want exactly %v", step, q, got, want)
			}
		}
	}
	if h.n != w {
		t.Fatalf("n = %d after sliding, want %d", h.n, w)
	}
}

// TestSeasonalHistBins checks, at both resolutions, that the bins are
// ordered and that each holds the values between its edges.
func TestSeasonalHistBins(t *testing.T) {
	for _, h := range []*seasonalHist{
		newSeasonalHist(seasonalErrSub, seasonalErrLo, seasonalErrHi, false),
		newSeasonalHist(seasonalGrowthSub, seasonalGrowthLo, seasonalGrowthHi, true),
	} {
		prev, width := -1.0, 1/float64(int(1)<<h.sub)
		for b := range h.count {
			lo, hi := h.edges(b)
			if lo < prev || hi < lo {
				t.Fatalf("bin %d = [%v, %v] after %v", b, lo, hi, prev)
			}
			prev = hi
			if b == 0 || b == len(h.count)-1 {
				continue
			}
			if m := h.middle(b); m != lo/2+hi/2 {
				t.Fatalf("middle(%d) = %v, want %v", b, m, lo/2+hi/2)
			}
			for _, v := range []float64{lo, (lo + hi) / 2, math.Nextafter(hi, 0)} {
				if got, _, _ := h.bin(v); got != b {
					t.Fatalf("bin(%v) = %d, want %d", v, got, b)
				}
			}
			if (hi-lo)/lo > width*(1+1e-12) {
				t.Fatalf("bin %d is %.4f%% wide, want at most %.4f%%", b, 100*(hi-lo)/lo, 100*width)
			}
		}
	}
}

func countOf(x []float64, v float64) int {
	n := 0
	for _, y := range x {
		if y == v {
			n++
		}
	}
	return n
}

// TestSeasonalKeys checks the keys with constant resolutions against the
// histograms' own bins, over every octave, both ends and values beyond.
func TestSeasonalKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	errs := newSeasonalHist(seasonalErrSub, seasonalErrLo, seasonalErrHi, false)
	growth := newSeasonalHist(seasonalGrowthSub, seasonalGrowthLo, seasonalGrowthHi, true)
	vals := []float64{0, math.SmallestNonzeroFloat64, math.MaxFloat64, math.Inf(1), 1, 0.5, 2}
	for e := -1080; e <= 1030; e++ {
		vals = append(vals, math.Ldexp(1, e), math.Ldexp(1+rng.Float64(), e), math.Nextafter(math.Ldexp(1, e), 0))
	}
	for _, v := range vals {
		if got, want := seasonalErrKey(v), errs.key(v); got != want {
			t.Errorf("seasonalErrKey(%g) = %#x, want %#x", v, got, want)
		}
		b, o, r := growth.bin(v)
		if k, rest := seasonalGrowthKey(v); k != int32(b)|int32(o)<<16 || rest != r {
			t.Errorf("seasonalGrowthKey(%g) = %#x, %d, want %#x, %d", v, k, rest, int32(b)|int32(o)<<16, r)
		}
	}
}
