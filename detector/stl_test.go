package detector

import (
	"strings"
	"testing"
)

// stlTestSeries is six weeks of hourly data with a daily and a weekly
// pattern and noise of standard deviation 10.
func stlTestSeries(seed uint64) Series {
	return autoGen{n: 24 * 7 * 6, level: 500, daily: 150, weekly: 80, noise: 10, slope: 0.02, seed: seed}.series()
}

func TestNewSTL(t *testing.T) {
	tests := []struct {
		name string
		in   STL
		want string // error substring; "" for valid
	}{
		{name: "defaults", in: STL{Period: 24}},
		{name: "no period", in: STL{}, want: "period must be at least 2"},
		{name: "one season", in: STL{Period: 24, Seasons: 1}, want: "seasons must be at least 2"},
		{name: "even span", in: STL{Period: 24, SeasonalSpan: 8}, want: "seasonal span must be odd"},
		{name: "even trend", in: STL{Period: 24, TrendSpan: 30}, want: "trend span must be odd"},
		{name: "negative refit", in: STL{Period: 24, Refit: -1}, want: "refit must be at least 1"},
		{name: "negative threshold", in: STL{Period: 24, Guards: Guards{Threshold: -1}}, want: "threshold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewSTL(tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("NewSTL(%+v) error = %v", tc.in, err)
				}
				if got.Seasons != stlDefaultSeasons || got.Refit != got.Period || got.SeasonalSpan != stlDefaultSpan {
					t.Errorf("NewSTL defaults = %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewSTL(%+v) error = %v, want %q", tc.in, err, tc.want)
			}
			if _, err := tc.in.Detect(stlTestSeries(1), 0); err == nil {
				t.Errorf("Detect with invalid settings returned no error")
			}
		})
	}
}

func TestSTLDetect(t *testing.T) {
	d := STL{Period: 168}
	s := stlTestSeries(1)
	n := len(s.Values)
	t.Run("injected", func(t *testing.T) { autoCheckInjected(t, d, s, n-30, 80) })
	t.Run("no look-ahead", func(t *testing.T) { autoCheckNoLookAhead(t, d, s, n/2) })
	t.Run("edges", func(t *testing.T) { autoCheckEdges(t, STL{Period: 24}, 24) })
	t.Run("gaps", func(t *testing.T) { autoCheckGaps(t, d, s, n-30, 80) })
	t.Run("magnitudes", func(t *testing.T) {
		spiky := s
		spiky.Values = append([]float64(nil), s.Values...)
		spiky.Values[n-30] += 80
		autoCheckMagnitudes(t, d, spiky, n-200)
	})
}

func TestSTLFalseAlarms(t *testing.T) {
	var gens []autoGen
	for seed := range uint64(3) {
		gens = append(gens, autoGen{n: 24 * 7 * 40, level: 500, daily: 150, weekly: 80, noise: 10, slope: 0.01, seed: seed})
	}
	t.Run("weekly", func(t *testing.T) { autoCheckFalseAlarms(t, STL{Period: 168}, gens) })
	for i := range gens {
		gens[i].weekly = 0
	}
	t.Run("daily", func(t *testing.T) { autoCheckFalseAlarms(t, STL{Period: 24}, gens) })
}

func FuzzSTL(f *testing.F) {
	f.Add([]byte("\x05\x06\x07\x08\x05\x06\x07\x08\x05\x06\x07\x08\x00\x09"), uint8(4), uint8(3))
	f.Add([]byte("\x01\x02\x03\x00\x00\x10\x10\x10\x10\x10\x10\x10"), uint8(2), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, period, from uint8) {
		s := Series{Start: autoStart, Step: autoHour, Values: autoFuzzValues(data)}
		d := STL{Period: int(period%30) + 2}
		pts, err := d.Detect(s, int(from)%(len(s.Values)+1))
		if err != nil {
			return
		}
		autoCheckFuzzPoints(t, pts)
	})
}
