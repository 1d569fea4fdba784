package detector

import (
	"testing"
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
			b.ResetTimer()
			cpu0 := autoCPU()
			for range b.N {
				if _, err := d.Detect(s, 0); err != nil {
					b.Fatal(err)
				}
			}
			autoReport(b, b.N*len(s.Values), cpu0, "points")
		})
	}
}

// BenchmarkSTLLatest judges the latest point of many 2,000-point series, as
// a live run over 10,000 rules would.
func BenchmarkSTLLatest(b *testing.B) {
	const series = 10000
	s := autoGen{n: 2000, level: 1000, daily: 200, noise: 20, seed: 1}.series()
	d, err := NewSTL(STL{Period: 24})
	if err != nil {
		b.Fatal(err)
	}
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
