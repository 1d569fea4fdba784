package detector

import "testing"

// BenchmarkHoltWintersHistory judges a whole 10,000-point hourly history.
func BenchmarkHoltWintersHistory(b *testing.B) {
	for _, tc := range []struct {
		name string
		d    HoltWinters
	}{
		{"daily", HoltWinters{Period: 24}},
		{"weekly", HoltWinters{Period: 168}},
		{"daily-multiplicative", HoltWinters{Period: 24, Multiplicative: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			g := autoGen{n: 10000, level: 1000, daily: 200, noise: 20, seed: 1}
			if tc.d.Period == 168 {
				g.weekly = 100
			}
			s := g.series()
			b.ReportAllocs()
			cpu0 := autoCPU()
			for b.Loop() {
				if _, err := tc.d.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			autoReport(b, b.N*len(s.Values), cpu0, "points")
		})
	}
}

// BenchmarkHoltWintersLatest10k judges the latest point of each of 10,000 hourly
// series of 2,000 points with a daily period, as a scheduler run over many
// rules does. One op is all 10,000 series.
func BenchmarkHoltWintersLatest10k(b *testing.B) { benchLatest10k(b, HoltWinters{Period: 24}) }
