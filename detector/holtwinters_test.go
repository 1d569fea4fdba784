package detector

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestNewHoltWinters(t *testing.T) {
	tests := []struct {
		name string
		in   HoltWinters
		want string // error substring; "" for valid
	}{
		{name: "defaults", in: HoltWinters{Period: 24}},
		{name: "no season", in: HoltWinters{}},
		{name: "negative period", in: HoltWinters{Period: -1}, want: "period must not be negative"},
		{name: "alpha one", in: HoltWinters{Period: 24, Alpha: 1}, want: "alpha must be in (0,1)"},
		{name: "gamma negative", in: HoltWinters{Period: 24, Gamma: -0.1}, want: "gamma must be in (0,1)"},
		{name: "short window", in: HoltWinters{Period: 24, Window: 48}, want: "window must be at least 72"},
		{name: "negative refit", in: HoltWinters{Period: 24, Refit: -2}, want: "refit must be at least 1"},
		{name: "negative threshold", in: HoltWinters{Period: 24, Guards: Guards{Threshold: -1}}, want: "threshold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewHoltWinters(tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("NewHoltWinters(%+v) error = %v", tc.in, err)
				}
				if got.Window != max(8*tc.in.Period, 200) || got.Refit != got.Window {
					t.Errorf("NewHoltWinters defaults = %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewHoltWinters(%+v) error = %v, want %q", tc.in, err, tc.want)
			}
			if _, err := tc.in.Detect(stlTestSeries(1), 0); err == nil {
				t.Errorf("Detect with invalid settings returned no error")
			}
		})
	}
}

func TestHoltWintersDetect(t *testing.T) {
	s := stlTestSeries(1)
	n := len(s.Values)
	for _, tc := range []struct {
		name string
		d    HoltWinters
	}{
		{name: "additive", d: HoltWinters{Period: 168}},
		{name: "multiplicative", d: HoltWinters{Period: 168, Multiplicative: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("injected", func(t *testing.T) { autoCheckInjected(t, tc.d, s, n-30, 80) })
			t.Run("no look-ahead", func(t *testing.T) { autoCheckNoLookAhead(t, tc.d, s, n/2) })
			t.Run("edges", func(t *testing.T) {
				autoCheckEdges(t, HoltWinters{Period: 24, Multiplicative: tc.d.Multiplicative}, 24)
			})
			t.Run("gaps", func(t *testing.T) { autoCheckGaps(t, tc.d, s, n-30, 80) })
			t.Run("magnitudes", func(t *testing.T) {
				spiky := s
				spiky.Values = append([]float64(nil), s.Values...)
				spiky.Values[n-30] += 80
				autoCheckMagnitudes(t, tc.d, spiky, n-200)
			})
		})
	}
	t.Run("no season", func(t *testing.T) {
		flat := autoGen{n: 600, level: 100, slope: 0.05, noise: 2, seed: 3}.series()
		d := HoltWinters{}
		autoCheckInjected(t, d, flat, 550, 20)
		autoCheckNoLookAhead(t, d, flat, 300)
	})
}

func TestHoltWintersFalseAlarms(t *testing.T) {
	var gens []autoGen
	for seed := range uint64(3) {
		gens = append(gens, autoGen{n: 24 * 7 * 40, level: 500, daily: 150, weekly: 80, noise: 10, slope: 0.01, seed: seed})
	}
	t.Run("weekly", func(t *testing.T) { autoCheckFalseAlarms(t, HoltWinters{Period: 168}, gens) })
	for i := range gens {
		gens[i].weekly = 0
	}
	t.Run("daily", func(t *testing.T) { autoCheckFalseAlarms(t, HoltWinters{Period: 24}, gens) })
}

// TestHoltWintersMultiplicative checks that on a season whose amplitude
// grows with the level the multiplicative model forecasts better than the
// additive one, and that it refuses non-positive data.
func TestHoltWintersMultiplicative(t *testing.T) {
	s := autoGen{n: 24 * 7 * 12, level: 100, slope: 0.5, daily: 0.5, mult: true, noise: 3, seed: 4}.series()
	mse := func(d HoltWinters) float64 {
		pts := autoDetect(t, d, s, 0)
		var sum float64
		var n int
		for _, p := range pts {
			if p.Judged() {
				sum += (p.Value - p.Expected) * (p.Value - p.Expected)
				n++
			}
		}
		return sum / float64(n)
	}
	add, mult := mse(HoltWinters{Period: 24}), mse(HoltWinters{Period: 24, Multiplicative: true})
	if !(mult < 0.8*add) {
		t.Errorf("one-step MSE multiplicative %.2f, additive %.2f; want multiplicative at least 20%% lower", mult, add)
	}
	s.Values[100] = 0
	if _, err := (HoltWinters{Period: 24, Multiplicative: true}).Detect(s, 0); !errors.Is(err, ErrNonPositive) {
		t.Errorf("Detect(multiplicative, a zero) error = %v, want ErrNonPositive", err)
	}
}

func TestHoltWintersFitsKnownParameters(t *testing.T) {
	// A local level model (random walk plus noise) has a known optimal
	// smoothing constant: with signal-to-noise ratio q = σ²_walk/σ²_noise,
	// α = (−q + √(q²+4q))/2. For q = 1 that is 0.618.
	g := autoGen{n: 4000, level: 50, noise: 1, seed: 9}
	s := g.series()
	walk := autoGen{n: 4000, noise: 1, seed: 10}.series()
	var w float64
	for i := range s.Values {
		w += walk.Values[i]
		s.Values[i] += w
	}
	m := hwModel{beta: 1e-4}
	st, _ := m.init(s.Values)
	fitted := m.fit(s.Values, st, 0)
	if math.Abs(fitted.alpha-0.618) > 0.08 {
		t.Errorf("fitted alpha = %.3f, want 0.618 ± 0.08", fitted.alpha)
	}
}

func FuzzHoltWinters(f *testing.F) {
	f.Add([]byte("\x05\x06\x07\x08\x05\x06\x07\x08\x05\x06\x07\x08\x00\x09\x05\x06\x07\x08\x05\x06\x07\x08"), uint8(4), uint8(3), false)
	f.Add([]byte("\x01\x02\x03\x00\x00\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10"), uint8(0), uint8(0), true)
	f.Fuzz(func(t *testing.T, data []byte, period, from uint8, mult bool) {
		s := Series{Start: autoStart, Step: autoHour, Values: autoFuzzValues(data)}
		d := HoltWinters{Period: int(period % 30), Multiplicative: mult}
		pts, err := d.Detect(s, int(from)%(len(s.Values)+1))
		if err != nil {
			return
		}
		autoCheckFuzzPoints(t, pts)
	})
}
