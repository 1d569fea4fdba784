package detector

import (
	"testing"
	"time"
)

// BenchmarkSTLHistory judges a whole 10,000-point hourly history.
func BenchmarkSTLHistory(b *testing.B) {
	for _, period := range []int{24, 168} {
		b.Run(map[int]string{24: "daily", 168: "weekly"}[period], func(b *testing.B) {
			g := autoGen{n: 10000, level: 1000, daily: 200, noise: 20, seed: 1}
			if period == 168 {
				g.weekly = 100
			}
			s := g.series()
			d, err := NewSTL(STL{Period: period})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu0 := autoCPU()
			for b.Loop() {
				if _, err := d.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			autoReport(b, b.N*len(s.Values), cpu0, "points")
		})
	}
}

// BenchmarkSTLLatest10k judges the latest point of each of 10,000 hourly
// series of 2,000 points with a daily period, as a scheduler run over many
// rules does. One op is all 10,000 series.
func BenchmarkSTLLatest10k(b *testing.B) { benchLatest10k(b, STL{Period: 24}) }

// benchLatest10k judges the latest point of each of 10,000 distinct hourly
// series of 2,000 points with a daily pattern, starting at different hours
// of the week. One op is all 10,000 series.
func benchLatest10k(b *testing.B, d Detector) {
	const series, n = 10_000, 2_000
	all := make([]Series, series)
	for i := range all {
		all[i] = autoGen{n: n, level: 1000, daily: 200, noise: 20, seed: uint64(i)}.series()
		all[i].Start = autoStart.Add(time.Duration(i%168) * time.Hour)
	}
	b.ReportAllocs()
	cpu0 := autoCPU()
	for b.Loop() {
		for _, s := range all {
			if _, err := d.Detect(s, n-1); err != nil {
				b.Fatal(err)
			}
		}
	}
	autoReport(b, series*b.N, cpu0, "series")
}
