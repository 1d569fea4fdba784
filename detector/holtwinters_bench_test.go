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
			b.ResetTimer()
			cpu0 := autoCPU()
			for range b.N {
				if _, err := tc.d.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			autoReport(b, b.N*len(s.Values), cpu0, "points")
		})
	}
}

// BenchmarkHoltWintersLatest judges the latest point of many 2,000-point
// series, as a live run over 10,000 rules would.
func BenchmarkHoltWintersLatest(b *testing.B) {
	const series = 10000
	s := autoGen{n: 2000, level: 1000, daily: 200, noise: 20, seed: 1}.series()
	d := HoltWinters{Period: 24}
	b.ResetTimer()
	cpu0 := autoCPU()
	for range b.N {
		for range series {
			if _, err := d.Detect(s, len(s.Values)-1); err != nil {
				b.Fatal(err)
			}
		}
	}
	autoReport(b, b.N*series, cpu0, "series")
}
